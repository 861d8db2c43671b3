"""The member-value models: published CDNOW estimates, hand-worked cases, plain-math references."""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pytest

from apps.segments.stats import (
    BgNbdFit,
    GammaGammaFit,
    bgnbd_conditional_expected_purchases,
    bgnbd_expected_purchases,
    bgnbd_fit,
    bgnbd_log_likelihood,
    bgnbd_p_alive,
    churn_flags,
    customer_lifetime_value,
    fit_repeat_models,
    gamma_gamma_conditional_expected_spend,
    gamma_gamma_fit,
    gamma_gamma_log_likelihood,
    pareto_curve,
    quantile_scores,
    read_cdnow_transactions,
    repeat_summary,
    rfm_scores,
    sales_share,
    score_members,
    simulate_bgnbd,
    simulate_gamma_gamma_spend,
    unique_rows,
)
from apps.segments.stats.bgnbd import _Problem

CDNOW = Path(__file__).parent / "data" / "CDNOW_sample.txt"
CALIBRATION_END = np.datetime64("1997-09-30")
PUBLISHED = BgNbdFit(r=0.243, alpha=4.414, a=0.793, b=2.426, log_likelihood=-9582.4, n=2357)


@pytest.fixture(scope="module")
def cdnow():
    member, date, spend = read_cdnow_transactions(CDNOW)
    return repeat_summary(member, date, spend, calibration_end=CALIBRATION_END)


@pytest.fixture(scope="module")
def cdnow_fits(cdnow):
    return fit_repeat_models(cdnow)


# --- plain-math references, one member at a time ------------------------------------------------


def ref_bgnbd_ll(x, t_x, T, r, alpha, a, b):
    """FHL 2005 eq. (6), written out with math.lgamma."""

    def lbeta(p, q):
        return math.lgamma(p) + math.lgamma(q) - math.lgamma(p + q)

    common = math.lgamma(r + x) - math.lgamma(r) + r * math.log(alpha)
    like = math.exp(common + lbeta(a, b + x) - lbeta(a, b) - (r + x) * math.log(alpha + T))
    if x > 0:
        like += math.exp(
            common + lbeta(a + 1, b + x - 1) - lbeta(a, b) - (r + x) * math.log(alpha + t_x)
        )
    return math.log(like)


def ref_hyp2f1(A, B, C, z, terms=2000):
    """Gauss's series, summed directly (|z| < 1)."""
    total, term = 1.0, 1.0
    for j in range(terms):
        term *= (A + j) * (B + j) / ((C + j) * (j + 1)) * z
        total += term
        if abs(term) < 1e-17 * abs(total):
            break
    return total


def ref_p_alive(x, t_x, T, r, alpha, a, b):
    if x == 0:
        return 1.0
    return 1.0 / (1.0 + a / (b + x - 1) * ((alpha + T) / (alpha + t_x)) ** (r + x))


def ref_conditional(t, x, t_x, T, r, alpha, a, b):
    """FHL 2005 eq. (10) in the paper's own form (no transformation of 2F1)."""
    z = t / (alpha + T + t)
    bracket = 1.0 - ((alpha + T) / (alpha + T + t)) ** (r + x) * ref_hyp2f1(
        r + x, b + x, a + b + x - 1, z
    )
    return (a + b + x - 1) / (a - 1) * bracket * ref_p_alive(x, t_x, T, r, alpha, a, b)


def ref_gg_ll(x, m, p, q, g):
    """FH 2013 eq. (3), written out with math.lgamma."""
    return (
        math.lgamma(p * x + q)
        - math.lgamma(p * x)
        - math.lgamma(q)
        + q * math.log(g)
        + (p * x - 1) * math.log(m)
        + p * x * math.log(x)
        - (p * x + q) * math.log(g + m * x)
    )


SMALL = [  # (x, t_x, T)
    (0, 0.0, 10.0),
    (0, 0.0, 38.86),
    (1, 1.71, 38.86),
    (2, 30.43, 38.86),
    (5, 20.0, 30.0),
    (12, 35.5, 36.0),
]
PARAMS = dict(r=0.243, alpha=4.414, a=0.793, b=2.426)


# --- summaries ------------------------------------------------------------------------------------


def test_repeat_summary_merges_same_day_and_excludes_first_purchase():
    member = np.array([7, 7, 7, 7, 3, 3, 9])
    day = np.array(
        ["2024-01-01", "2024-01-01", "2024-01-15", "2024-02-26", "2024-01-08", "2024-03-01",
         "2024-01-29"],
        dtype="datetime64[D]",
    )  # fmt: skip
    spend = np.array([10.0, 5.0, 20.0, 30.0, 8.0, 99.0, 4.0])
    s = repeat_summary(member, day, spend, calibration_end=np.datetime64("2024-02-26"))
    # Member 3's second purchase falls after the calibration end: no repeat purchase.
    np.testing.assert_array_equal(s.member, [3, 7, 9])
    np.testing.assert_array_equal(s.x, [0, 2, 0])
    np.testing.assert_allclose(s.t_x, [0, 8, 0])  # 2024-01-01 to 2024-02-26 is 56 days
    np.testing.assert_allclose(s.T, [7, 8, 4])
    # Member 7: first day 10 + 5 = 15 is the trial; repeats 20 and 30 average 25.
    np.testing.assert_allclose(s.monetary, [0, 25, 0])
    np.testing.assert_allclose(s.first_spend, [8, 15, 4])


def test_repeat_summary_takes_numbers_as_weeks():
    s = repeat_summary([1, 1, 1, 2], [0.0, 1.5, 1.5, 2.0], [1.0, 2.0, 4.0, 5.0], calibration_end=4)
    np.testing.assert_array_equal(s.x, [1, 0])
    np.testing.assert_allclose(s.t_x, [1.5, 0])
    np.testing.assert_allclose(s.T, [4, 2])
    np.testing.assert_allclose(s.monetary, [6, 0])


def test_cdnow_summary_matches_the_published_rows(cdnow):
    # Hardie's CDNOW summary: ID 1 has x = 2, t_x = 30.43, T = 38.86, mean repeat spend 22.35;
    # ID 2 has 1, 1.71, 38.86, 11.77; 946 of the 2,357 members buy again in the calibration.
    assert len(cdnow) == 2357
    assert int((cdnow.x > 0).sum()) == 946
    np.testing.assert_allclose(cdnow.x[:2], [2, 1])
    np.testing.assert_allclose(cdnow.t_x[:2], [30.43, 1.71], atol=0.005)
    np.testing.assert_allclose(cdnow.T[:2], [38.86, 38.86], atol=0.005)
    np.testing.assert_allclose(cdnow.monetary[:2], [22.35, 11.77], atol=0.005)


def test_unique_rows_counts_and_inverse():
    rng = np.random.default_rng(1)
    cols = rng.integers(0, 3, size=(3, 200)).astype(float)
    (a, b, c), counts, inv = unique_rows(*cols, return_inverse=True)
    expected, exp_counts = np.unique(cols.T, axis=0, return_counts=True)
    np.testing.assert_array_equal(np.column_stack([a, b, c]), expected)
    np.testing.assert_array_equal(counts, exp_counts)
    np.testing.assert_array_equal(np.column_stack([a, b, c])[inv], cols.T)


# --- published estimates ------------------------------------------------------------------------


def test_bgnbd_reproduces_fader_hardie_lee_2005(cdnow_fits):
    fit = cdnow_fits.bgnbd
    assert fit.n == 2357
    assert fit.r == pytest.approx(PUBLISHED.r, abs=0.002)
    assert fit.alpha == pytest.approx(PUBLISHED.alpha, abs=0.002)
    assert fit.a == pytest.approx(PUBLISHED.a, abs=0.002)
    assert fit.b == pytest.approx(PUBLISHED.b, abs=0.002)
    assert fit.log_likelihood == pytest.approx(PUBLISHED.log_likelihood, abs=0.1)


def test_gamma_gamma_reproduces_fader_hardie_2013(cdnow_fits):
    fit = cdnow_fits.gamma_gamma
    assert fit.n == 946
    assert fit.p == pytest.approx(6.25, abs=0.05)
    assert fit.q == pytest.approx(3.74, abs=0.05)
    assert fit.gamma == pytest.approx(15.44, abs=0.05)


def test_fit_is_a_maximum(cdnow, cdnow_fits):
    f = cdnow_fits.bgnbd
    best = bgnbd_log_likelihood(cdnow.x, cdnow.t_x, cdnow.T, r=f.r, alpha=f.alpha, a=f.a, b=f.b)
    assert best == pytest.approx(f.log_likelihood, abs=1e-8)
    for name in ("r", "alpha", "a", "b"):
        params = dict(r=f.r, alpha=f.alpha, a=f.a, b=f.b)
        params[name] *= 1.01
        assert bgnbd_log_likelihood(cdnow.x, cdnow.t_x, cdnow.T, **params) < best


# --- BG/NBD against plain math ------------------------------------------------------------------


def test_bgnbd_log_likelihood_matches_direct_formula():
    x, t_x, T = map(np.array, zip(*SMALL, strict=True))
    expected = sum(ref_bgnbd_ll(*row, **PARAMS) for row in SMALL)
    assert bgnbd_log_likelihood(x, t_x, T, **PARAMS) == pytest.approx(expected, rel=1e-12)
    # Weights count repeated rows.
    doubled = bgnbd_log_likelihood(x, t_x, T, weights=np.full(len(SMALL), 2.0), **PARAMS)
    assert doubled == pytest.approx(2 * expected, rel=1e-12)


def test_bgnbd_gradient_matches_finite_differences():
    x, t_x, T = map(np.array, zip(*SMALL, strict=True))
    problem = _Problem(x.astype(float), t_x, T, np.ones(len(SMALL)))
    theta = np.log([0.5, 3.0, 1.7, 0.6])
    _, grad = problem.value_and_grad(theta)
    h = 1e-6

    def ll(th):
        return problem.value_and_grad(th, grad=False)[0]

    numeric = [(ll(theta + e) - ll(theta - e)) / (2 * h) for e in np.eye(4) * h]
    np.testing.assert_allclose(grad, numeric, rtol=1e-6, atol=1e-8)


def test_p_alive_is_one_without_repeat_purchases_and_matches_formula():
    fit = BgNbdFit(**PARAMS, log_likelihood=0.0, n=0)
    x, t_x, T = map(np.array, zip(*SMALL, strict=True))
    got = bgnbd_p_alive(fit, x, t_x, T)
    assert got[0] == 1.0 and got[1] == 1.0
    np.testing.assert_allclose(got, [ref_p_alive(*row, **PARAMS) for row in SMALL], rtol=1e-13)
    # Hand-worked: x = 1, t_x = T, so P = 1 / (1 + a/b) = b / (a + b).
    one = bgnbd_p_alive(fit, [1], [20.0], [20.0])
    assert one[0] == pytest.approx(2.426 / (0.793 + 2.426), rel=1e-13)


@pytest.mark.parametrize("params", [PARAMS, dict(r=1.3, alpha=7.0, a=2.5, b=4.0)])
def test_conditional_expected_purchases_match_paper_form(params):
    fit = BgNbdFit(**params, log_likelihood=0.0, n=0)
    x, t_x, T = map(np.array, zip(*SMALL, strict=True))
    horizons = [2.0, 4.0, 13.0]
    got = bgnbd_conditional_expected_purchases(fit, horizons, x, t_x, T)
    assert got.shape == (len(SMALL), 3)
    expected = [[ref_conditional(h, *row, **params) for h in horizons] for row in SMALL]
    np.testing.assert_allclose(got, expected, rtol=1e-10)
    # A scalar horizon gives one value per member.
    np.testing.assert_allclose(bgnbd_conditional_expected_purchases(fit, 4.0, x, t_x, T), got[:, 1])


def test_unconditional_expectation_is_the_new_member_case():
    fit = BgNbdFit(**PARAMS, log_likelihood=0.0, n=0)
    t = np.array([1.0, 10.0, 39.0])
    expected = [ref_conditional(h, 0, 0.0, 0.0, **PARAMS) for h in t]
    np.testing.assert_allclose(bgnbd_expected_purchases(fit, t), expected, rtol=1e-10)


def test_conditional_expectation_is_continuous_at_a_equal_one():
    x, t_x, T = np.array([0.0, 3.0]), np.array([0.0, 20.0]), np.array([30.0, 30.0])

    def at(a):
        fit = BgNbdFit(r=0.5, alpha=5.0, a=a, b=2.0, log_likelihood=0.0, n=0)
        return bgnbd_conditional_expected_purchases(fit, 13.0, x, t_x, T)

    np.testing.assert_allclose(at(1.0), 0.5 * (at(1.001) + at(0.999)), rtol=1e-5)


def test_conditional_expectation_is_finite_for_very_frequent_buyers():
    fit = BgNbdFit(**PARAMS, log_likelihood=0.0, n=0)
    x = np.array([300.0, 5000.0, 20000.0])
    got = bgnbd_conditional_expected_purchases(fit, [2.0, 13.0, 520.0], x, np.full(3, 38.99), 39.0)
    assert np.all(np.isfinite(got)) and np.all(got > 0)
    # A member this active and this recent is alive; over 2 weeks they buy at about the posterior
    # mean rate E[λ | x, T] = (r + x) / (α + T) per week.
    assert got[2, 0] == pytest.approx(2 * (0.243 + 20000) / (4.414 + 39), rel=0.05)


def test_fit_recovers_simulated_parameters():
    rng = np.random.default_rng(20240601)
    T = rng.integers(1, 105, size=30_000).astype(float)
    x, t_x = simulate_bgnbd(T, r=0.8, alpha=6.0, a=0.7, b=3.0, rng=rng)
    fit = bgnbd_fit(x, t_x, T)
    assert fit.r == pytest.approx(0.8, rel=0.1)
    assert fit.alpha == pytest.approx(6.0, rel=0.15)
    assert fit.a == pytest.approx(0.7, rel=0.25)
    assert fit.b == pytest.approx(3.0, rel=0.3)
    m = simulate_gamma_gamma_spend(x, p=6.0, q=4.0, gamma=15.0, rng=rng)
    gg = gamma_gamma_fit(x, m)
    assert gg.p == pytest.approx(6.0, rel=0.1)
    assert gg.mean_spend == pytest.approx(6.0 * 15.0 / 3.0, rel=0.05)


# --- Gamma-Gamma ---------------------------------------------------------------------------------


@pytest.mark.parametrize("seed", range(25))
def test_gamma_gamma_fits_when_spend_does_not_vary_between_members(seed):
    """Every visit's spend drawn from one distribution for all members: the likelihood
    rises along a ridge (q, γ → ∞) where the fit used to stall in 15 % of such data sets.
    It must fit: its mean spend per visit is the pooled one, and each member's expected
    spend lies between their own mean and that (shrinkage)."""
    rng = np.random.default_rng(seed)
    x = rng.integers(1, 20, size=int(rng.integers(30, 400)))
    visits = [rng.uniform(5, 80, size=k + 1) for k in x]
    m = np.array([v.mean() for v in visits])
    pooled = np.concatenate(visits).mean()
    fit = gamma_gamma_fit(x, m)
    population = fit.p * fit.gamma / (fit.q - 1)
    assert population == pytest.approx(pooled, rel=0.05)
    spend = gamma_gamma_conditional_expected_spend(fit, x, m)
    low, high = np.minimum(m, population), np.maximum(m, population)
    assert np.all((spend >= low - 1e-9) & (spend <= high + 1e-9))


@pytest.mark.parametrize("seed", range(20))
def test_bgnbd_fits_when_members_drop_out_alike(seed):
    """Every member with the same dropout probability (Beta with a, b huge): the likelihood
    rises along a ridge a, b → ∞ where the fit used to stall in a quarter of such data
    sets (and on the 100,000-member demo). It must fit, with about the true probability."""
    rng = np.random.default_rng(seed)
    T = rng.uniform(20, 30, size=3000)
    x, t_x = simulate_bgnbd(T, r=2.3, alpha=5.0, a=1e5, b=99e5, rng=rng)  # p = 0.01
    fit = bgnbd_fit(x, t_x, T)
    assert fit.a / (fit.a + fit.b) == pytest.approx(0.01, rel=0.5)
    assert fit.r / fit.alpha == pytest.approx(2.3 / 5.0, rel=0.1)  # purchase rate λ


def test_gamma_gamma_log_likelihood_matches_direct_formula():
    x = np.array([0.0, 1.0, 2.0, 7.0])
    m = np.array([0.0, 12.5, 30.0, 21.0])
    expected = sum(
        ref_gg_ll(xi, mi, 6.25, 3.74, 15.44) for xi, mi in zip(x[1:], m[1:], strict=True)
    )
    got = gamma_gamma_log_likelihood(x, m, p=6.25, q=3.74, gamma=15.44)
    assert got == pytest.approx(expected, rel=1e-12)


def test_gamma_gamma_expected_spend_by_hand():
    fit = GammaGammaFit(p=6.0, q=4.0, gamma=15.0, log_likelihood=0.0, n=0)
    got = gamma_gamma_conditional_expected_spend(fit, [0, 1, 3], [0.0, 40.0, 20.0])
    # x = 0: population mean pγ/(q-1) = 90/3 = 30.
    # x = 1: (15 + 40) · 6 / (6 + 3) = 36.666...; x = 3: (15 + 60) · 6 / (18 + 3) = 21.428...
    np.testing.assert_allclose(got, [30.0, 330 / 9, 450 / 21], rtol=1e-14)


# --- CLV ------------------------------------------------------------------------------------------


def test_clv_without_discount_telescopes_to_the_horizon_expectation():
    fit = BgNbdFit(**PARAMS, log_likelihood=0.0, n=0)
    x, t_x, T = map(np.array, zip(*SMALL, strict=True))
    spend = np.full(len(SMALL), 25.0)
    clv = customer_lifetime_value(
        fit, x, t_x, T, spend, months=6, monthly_discount_rate=0.0, weeks_per_month=4.0
    )
    expected = 25.0 * bgnbd_conditional_expected_purchases(fit, 24.0, x, t_x, T)
    np.testing.assert_allclose(clv, expected, rtol=1e-12)


def test_clv_discounts_month_by_month():
    fit = BgNbdFit(**PARAMS, log_likelihood=0.0, n=0)
    row = SMALL[3]
    d, spend = 0.02, 17.0
    expected, previous = 0.0, 0.0
    for i in range(1, 13):
        cumulative = ref_conditional(i * 4.345, *row, **PARAMS)
        expected += (cumulative - previous) * spend / (1 + d) ** i
        previous = cumulative
    got = customer_lifetime_value(
        fit, [row[0]], [row[1]], [row[2]], [spend], months=12, monthly_discount_rate=d
    )
    assert got[0] == pytest.approx(expected, rel=1e-10)
    zero = customer_lifetime_value(fit, [row[0]], [row[1]], [row[2]], [spend], months=0)
    assert zero[0] == 0.0


# --- RFM, Pareto, churn -------------------------------------------------------------------------


def test_quintile_scores_by_hand():
    v = np.array([3.0, 1, 4, 1, 5, 9, 2, 6, 5, 3])
    # Sorted: 1 1 2 3 3 4 5 5 6 9; strictly lower counts: 1→0, 2→2, 3→3, 4→5, 5→6, 6→8, 9→9;
    # score = 1 + 5·count // 10.
    np.testing.assert_array_equal(quantile_scores(v), [2, 1, 3, 1, 4, 5, 2, 5, 4, 2])
    # Lower is better: strictly higher counts: 9→0, 6→1, 5→2, 4→4, 3→5, 2→7, 1→8.
    np.testing.assert_array_equal(
        quantile_scores(v, higher_is_better=False), [3, 5, 3, 5, 2, 1, 4, 1, 2, 3]
    )
    # Deterministic under reordering; 1..10 fills each bin with two.
    perm = np.random.default_rng(0).permutation(10)
    np.testing.assert_array_equal(quantile_scores(v[perm]), quantile_scores(v)[perm])
    np.testing.assert_array_equal(
        quantile_scores(np.arange(1.0, 11.0)), np.repeat([1, 2, 3, 4, 5], 2)
    )


def test_rfm_scores_orient_recency():
    s = rfm_scores(recency=[1.0, 30.0], frequency=[0.0, 8.0], monetary=[50.0, 10.0])
    np.testing.assert_array_equal(s.recency, [3, 1])
    np.testing.assert_array_equal(s.frequency, [1, 3])
    np.testing.assert_array_equal(s.monetary, [3, 1])
    np.testing.assert_array_equal(s.code, [313, 131])


def test_pareto_curve_and_shares():
    sales = np.array([10.0, 50.0, 0.0, 40.0])
    np.testing.assert_allclose(sales_share(sales), [0.1, 0.5, 0.0, 0.4])
    curve = pareto_curve(sales)
    np.testing.assert_array_equal(curve.order, [1, 3, 0, 2])
    np.testing.assert_allclose(curve.member_share, [0.25, 0.5, 0.75, 1.0])
    np.testing.assert_allclose(curve.sales_share, [0.5, 0.9, 1.0, 1.0])
    assert curve.sales_share_of_top(0.5) == pytest.approx(0.9)
    # The top 20 % of 4 members are floor(0.8) = none; of 5, one; of 9, floor(1.8) = one.
    assert curve.sales_share_of_top(0.2) == 0.0
    assert pareto_curve([5.0, 1.0, 1.0, 2.0, 1.0]).sales_share_of_top(0.2) == pytest.approx(0.5)
    nine = pareto_curve([10.0, 20.0, 5.0, 5.0, 20.0, 10.0, 10.0, 10.0, 10.0])
    assert nine.sales_share_of_top(0.2) == pytest.approx(0.2)


def test_churn_flags_need_a_former_regular():
    p_alive = np.array([0.2, 0.2, 0.2, 0.8, 0.2])
    x = np.array([10.0, 2.0, 3.0, 10.0, 3.0])
    t_x = np.array([20.0, 4.0, 52.0, 20.0, 6.0])
    # 0: regular (10 in 20 weeks), unlikely alive -> churn; 1: too few repeats; 2: 3 in a year is
    # not regular; 3: regular but probably alive; 4: 3 in 6 weeks is regular -> churn.
    np.testing.assert_array_equal(churn_flags(p_alive, x, t_x), [True, False, False, False, True])


def test_score_members_on_cdnow(cdnow, cdnow_fits):
    scores = score_members(cdnow_fits, cdnow)
    assert scores.expected_purchases.shape == (2357, 3)
    assert np.all(np.diff(scores.expected_purchases, axis=1) > 0)
    assert np.all((scores.p_alive > 0) & (scores.p_alive <= 1))
    assert np.all(scores.clv > 0)
    # Members without a repeat purchase are alive by the model's convention.
    assert np.all(scores.p_alive[cdnow.x == 0] == 1.0)
    assert np.all(scores.p_alive[cdnow.x > 0] < 1.0)


# --- agreement with the lifetimes package (a dev dependency) -----------------------------------


def test_scores_agree_with_lifetimes(cdnow, cdnow_fits):
    import lifetimes
    import pandas as pd

    f, g = cdnow_fits.bgnbd, cdnow_fits.gamma_gamma
    bg = lifetimes.BetaGeoFitter()
    bg.params_ = pd.Series({"r": f.r, "alpha": f.alpha, "a": f.a, "b": f.b})
    bg.predict = bg.conditional_expected_number_of_purchases_up_to_time
    gg = lifetimes.GammaGammaFitter()
    gg.params_ = pd.Series({"p": g.p, "q": g.q, "v": g.gamma})
    x, t_x, T, m = (pd.Series(v) for v in (cdnow.x, cdnow.t_x, cdnow.T, cdnow.monetary))
    scores = score_members(cdnow_fits, cdnow)
    np.testing.assert_allclose(
        scores.p_alive, bg.conditional_probability_alive(x, t_x, T), rtol=1e-12
    )
    for k, h in enumerate(scores.horizons):
        theirs = bg.conditional_expected_number_of_purchases_up_to_time(h, x, t_x, T)
        np.testing.assert_allclose(scores.expected_purchases[:, k], theirs, rtol=1e-9)
    np.testing.assert_allclose(scores.expected_spend, gg.conditional_expected_average_profit(x, m))
    clv = gg.customer_lifetime_value(bg, x, t_x, T, m, time=12, discount_rate=0.01, freq="W")
    np.testing.assert_allclose(scores.clv, clv.to_numpy(), rtol=1e-9)

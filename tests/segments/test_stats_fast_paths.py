"""The member-value models' fast paths against independent, plain computations.

The likelihoods sum per-x and per-T pieces and keep their gradients analytic; distinct rows are
found through factorized columns (grid positions where the values lie on a grid) and one
integer key. Each is checked here against a plain
version: central finite differences of the per-row formula, and np.unique over whole rows.
"""

from __future__ import annotations

import numpy as np
import pytest
from scipy.special import gammaln

from apps.segments.stats import simulate_bgnbd, simulate_gamma_gamma_spend, unique_rows
from apps.segments.stats.bgnbd import _Problem as BgNbdProblem
from apps.segments.stats.common import DistinctRows, factorize
from apps.segments.stats.gamma_gamma import _Problem as GammaGammaProblem


def plain_bgnbd_ll(theta, x, t_x, T, w):
    """FHL 2005 eq. (6) per row with gammaln only, summed with the weights."""
    r, alpha, a, b = np.exp(theta)

    def lbeta(p, q):
        return gammaln(p) + gammaln(q) - gammaln(p + q)

    common = gammaln(r + x) - gammaln(r) + r * np.log(alpha)
    l1 = common + lbeta(a, b + x) - lbeta(a, b) - (r + x) * np.log(alpha + T)
    l2 = common + lbeta(a + 1, b + np.maximum(x, 1) - 1) - lbeta(a, b)
    l2 = np.where(x > 0, l2 - (r + x) * np.log(alpha + t_x), -np.inf)
    return float(np.sum(w * np.logaddexp(l1, l2)))


def plain_gg_ll(theta, x, m):
    """FH 2013 eq. (3) per buyer, summed."""
    p, q, g = np.exp(theta)
    return float(
        np.sum(
            gammaln(p * x + q)
            - gammaln(p * x)
            - gammaln(q)
            + q * np.log(g)
            + (p * x - 1) * np.log(m)
            + p * x * np.log(x)
            - (p * x + q) * np.log(g + m * x)
        )
    )


def central_differences(f, theta, h=1e-6):
    return np.array([(f(theta + e) - f(theta - e)) / (2 * h) for e in np.eye(theta.size) * h])


@pytest.fixture(scope="module")
def members():
    rng = np.random.default_rng(7)
    T = rng.integers(1, 105, size=400) / 7.0
    x, t_x = simulate_bgnbd(T, r=0.8, alpha=3.0, a=0.7, b=3.0, rng=rng)
    m = simulate_gamma_gamma_spend(x, p=6.0, q=4.0, gamma=15.0, rng=rng)
    w = rng.integers(1, 4, size=x.size).astype(float)  # as counts of repeated rows
    return x, t_x, T, m, w


BGNBD_POINTS = [  # (r, α, a, b): the published CDNOW fit, and points away from any optimum
    (0.243, 4.414, 0.793, 2.426),
    (2.0, 0.5, 3.0, 0.4),
    (0.05, 40.0, 0.2, 50.0),
]


@pytest.mark.parametrize("params", BGNBD_POINTS)
def test_bgnbd_value_and_gradient_match_the_plain_formula(members, params):
    x, t_x, T, _, w = members
    theta = np.log(params)
    problem = BgNbdProblem(x, t_x, T, w)
    ll, grad = problem.value_and_grad(theta)
    assert ll == pytest.approx(plain_bgnbd_ll(theta, x, t_x, T, w), rel=1e-12)
    # Both terms of the likelihood must carry weight somewhere, or half the gradient goes
    # untested: the δ-term's share 1/(1 + e^-d) is computed apart for d > 0 and d <= 0.
    numeric = central_differences(lambda th: plain_bgnbd_ll(th, x, t_x, T, w), theta)
    np.testing.assert_allclose(grad, numeric, rtol=1e-6, atol=1e-6 * np.abs(numeric).max())
    # The value alone is the same number.
    assert problem.value_and_grad(theta, grad=False)[0] == ll


def test_bgnbd_points_reach_both_signs_of_the_term_difference(members):
    """Guard for the test above: at its points, some repeat rows have l2 > l1 and some not."""
    x, t_x, T, _, _ = members
    xr, u_T, u_tx = x[x > 0], T[x > 0], t_x[x > 0]
    signs = set()
    for r, alpha, a, b in BGNBD_POINTS:
        # l2 - l1 = log(B(a+1, b+x-1) / B(a, b+x)) + (r+x) log((α+T)/(α+t_x))
        d = np.log(a / (b + xr - 1)) + (r + xr) * np.log((alpha + u_T) / (alpha + u_tx))
        signs |= {bool(v) for v in d > 0}
    assert signs == {True, False}


@pytest.mark.parametrize("params", [(6.25, 3.74, 15.44), (0.5, 20.0, 200.0), (40.0, 1.5, 0.3)])
def test_gamma_gamma_value_and_gradient_match_the_plain_formula(members, params):
    x, _, _, m, _ = members
    buyers = x > 0
    xb, mb = x[buyers], m[buyers]
    theta = np.log(params)
    ll, grad = GammaGammaProblem(xb, mb).value_and_grad(theta)
    assert ll == pytest.approx(plain_gg_ll(theta, xb, mb), rel=1e-12)
    numeric = central_differences(lambda th: plain_gg_ll(th, xb, mb), theta)
    np.testing.assert_allclose(grad, numeric, rtol=1e-6, atol=1e-6 * np.abs(numeric).max())


# --- distinct rows ------------------------------------------------------------------------------


def plain_unique_rows(cols):
    rows, inverse, counts = np.unique(
        np.column_stack(cols), axis=0, return_inverse=True, return_counts=True
    )
    return rows, counts, inverse.reshape(-1)


@pytest.mark.parametrize(
    "case",
    [
        "whole numbers",  # columns on a grid, few possible keys: counted into a table
        "fractions",  # the same with sevenths and tenths
        "many keys",  # a column on no grid, more possible keys than rows: the keys are sorted
        "key overflow",  # more than 2^62 possible keys: the codes are lexsorted
    ],
)
def test_distinct_rows_match_np_unique_over_rows(case):
    rng = np.random.default_rng(3)
    n = 5000
    if case == "whole numbers":
        cols = [rng.integers(0, 30, n).astype(float), rng.integers(0, 5, n).astype(float)]
    elif case == "fractions":
        cols = [rng.integers(0, 6, n) / 7.0, rng.integers(-3, 3, n) * 0.1]
    elif case == "many keys":
        cols = [rng.integers(0, 4, n).astype(float), rng.normal(size=n), rng.integers(0, 90, n) / 7]
    else:
        cols = [rng.normal(size=n) for _ in range(6)]
        cols = [np.concatenate([c, c[:500]]) for c in cols]  # 500 rows twice
    expected_rows, expected_counts, expected_inverse = plain_unique_rows(cols)
    got_cols, counts, inverse = unique_rows(*cols, return_inverse=True)
    np.testing.assert_array_equal(np.column_stack(got_cols), expected_rows)
    np.testing.assert_array_equal(counts, expected_counts)
    np.testing.assert_array_equal(inverse, expected_inverse)
    # Without the inverse, the same rows and counts.
    got_cols, counts = unique_rows(*cols)
    np.testing.assert_array_equal(np.column_stack(got_cols), expected_rows)
    np.testing.assert_array_equal(counts, expected_counts)
    if case == "key overflow":
        assert counts.max() == 2 and counts.sum() == n + 500


def test_distinct_rows_keep_factorized_columns():
    x = np.array([3.0, 0.0, 3.0, 1.0, 0.0])
    T = np.array([2.5, 1.0, 2.5, 2.5, 4.0])
    rows = DistinctRows(x, T)
    np.testing.assert_array_equal(rows.values[0], [0.0, 1.0, 3.0])
    np.testing.assert_array_equal(rows.values[1], [1.0, 2.5, 4.0])
    # Distinct rows (0, 1), (0, 4), (1, 2.5), (3, 2.5), the last twice.
    np.testing.assert_array_equal(rows.codes[0], [0, 0, 1, 2])
    np.testing.assert_array_equal(rows.codes[1], [0, 2, 1, 1])
    np.testing.assert_array_equal(rows.counts, [1, 1, 1, 2])


@pytest.mark.parametrize(
    "values",
    [
        np.array([5.0, 0.0, 5.0, 2.0]),  # whole numbers: positions on a grid
        np.arange(0, 729)[::-1] / 7.0,  # days in weeks: a grid of sevenths
        np.array([0.5, -1.0, 0.5, 1e9]),  # a grid far wider than the array: np.unique
        np.random.default_rng(0).normal(size=1000),  # no grid: np.unique
        np.array([3.0, 3.0]),  # one value
        np.zeros(0),
    ],
)
def test_factorize_gives_sorted_distinct_values_and_codes(values):
    distinct, codes = factorize(values)
    np.testing.assert_array_equal(distinct, np.unique(values))
    np.testing.assert_array_equal(distinct[codes], values)
    assert codes.shape == values.shape

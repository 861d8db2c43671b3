"""BG/NBD repeat-purchase model: fit and per-member scores, vectorized.

Reference: P. S. Fader, B. G. S. Hardie and K. L. Lee (2005), "'Counting Your Customers' the
Easy Way: An Alternative to the Pareto/NBD Model", Marketing Science 24(2), 275-284 (FHL 2005).
Equation numbers below are the paper's.

Inputs per member: x repeat purchases, recency t_x (time of the last purchase, counted from the
first one) and age T (calibration end minus first purchase), all in one time unit (weeks here).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy.special import betaln, digamma, expit, gammaln, hyp2f1

from .common import as_float_array, minimize_log_params, unique_rows

__all__ = [
    "BgNbdFit",
    "bgnbd_conditional_expected_purchases",
    "bgnbd_expected_purchases",
    "bgnbd_fit",
    "bgnbd_log_likelihood",
    "bgnbd_p_alive",
]


@dataclass(frozen=True)
class BgNbdFit:
    """Maximum-likelihood BG/NBD parameters and the fit's total log-likelihood."""

    r: float
    alpha: float
    a: float
    b: float
    log_likelihood: float
    n: int


def _check_summary(x, t_x, T) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    x = as_float_array(x, "x")
    t_x = as_float_array(t_x, "t_x")
    T = as_float_array(T, "T")
    try:  # a scalar (say one T for a whole cohort) stands for every member
        x, t_x, T = (np.ascontiguousarray(v) for v in np.broadcast_arrays(x, t_x, T))
    except ValueError:
        raise ValueError("x, t_x and T must have the same length") from None
    if np.any(x < 0) or np.any(x != np.floor(x)):
        raise ValueError("x must hold non-negative whole numbers")
    if np.any(t_x < 0) or np.any(t_x > T):
        raise ValueError("need 0 <= t_x <= T")
    if np.any((x == 0) & (t_x != 0)):
        raise ValueError("t_x must be 0 where x is 0")
    return x, t_x, T


class _Problem:
    """The BG/NBD log-likelihood over weighted unique (x, t_x, T) rows.

    Everything that involves a special function depends on x alone, so it is evaluated once per
    distinct x and gathered; per row only logs, one log-sum-exp and a few products remain.
    """

    def __init__(self, x: np.ndarray, t_x: np.ndarray, T: np.ndarray, w: np.ndarray) -> None:
        self.xs, self.ix = np.unique(x, return_inverse=True)
        self.t_x, self.T, self.w = t_x, T, w
        self.total_weight = float(w.sum())
        self.repeat = x > 0
        # x by distinct value, and x - 1 with x = 0 moved to 1 so that the unused δ-term stays
        # finite (its weight is exactly zero there).
        self.xs_pos = np.maximum(self.xs, 1.0)
        self.x_row = self.xs[self.ix]

    def value_and_grad(self, theta: np.ndarray, *, grad: bool = True):
        r, alpha, a, b = np.exp(theta)
        xs, xp, ix = self.xs, self.xs_pos, self.ix
        # FHL 2005 eq. (6), in logs:
        #   L = B(a, b+x)/B(a, b) · Γ(r+x) α^r / (Γ(r) (α+T)^(r+x))
        #     + δ(x>0) B(a+1, b+x-1)/B(a, b) · Γ(r+x) α^r / (Γ(r) (α+t_x)^(r+x))
        # with the common factor A = log Γ(r+x) - log Γ(r) + r log α taken out.
        A = gammaln(r + xs) - gammaln(r) + r * np.log(alpha)
        c1 = betaln(a, b + xs) - betaln(a, b)
        c2 = betaln(a + 1.0, b + xp - 1.0) - betaln(a, b)
        rx = r + self.x_row
        log_aT = np.log(alpha + self.T)
        log_atx = np.log(alpha + self.t_x)
        l1 = c1[ix] - rx * log_aT
        l2 = np.where(self.repeat, c2[ix] - rx * log_atx, -np.inf)
        # Stable log-sum-exp of the two terms: log(e^l1 + e^l2) = m + log1p(e^(min - max)).
        m = np.maximum(l1, l2)
        d = np.exp(np.minimum(l1, l2) - m)
        ll_row = A[ix] + m + np.log1p(d)
        ll = float(np.dot(self.w, ll_row))
        if not grad:
            return ll, None

        # Share of each term in the sum: ω1 = e^l1 / (e^l1 + e^l2), ω2 = 1 - ω1.
        w2 = np.where(self.repeat, expit(l2 - l1), 0.0)
        w1 = 1.0 - w2
        ww = self.w
        # Per-x digamma pieces, from d/da log B(a, b) = ψ(a) - ψ(a+b), d/db = ψ(b) - ψ(a+b).
        psi_ab = digamma(a + b)
        psi_abx = digamma(a + b + xs)
        dA_dr = digamma(r + xs) - digamma(r) + np.log(alpha)
        dc1_da = psi_ab - psi_abx
        dc1_db = digamma(b + xs) - digamma(b) + psi_ab - psi_abx
        dc2_da = digamma(a + 1.0) - digamma(a) + psi_ab - psi_abx
        dc2_db = digamma(b + xp - 1.0) - digamma(b) + psi_ab - psi_abx
        # Sums of per-row weights grouped by x turn per-x terms into totals in one bincount.
        n_x = len(xs)
        sw = np.bincount(ix, weights=ww, minlength=n_x)
        sw1 = np.bincount(ix, weights=ww * w1, minlength=n_x)
        sw2 = sw - sw1
        g_r = np.dot(sw, dA_dr) - np.dot(ww, w1 * log_aT + w2 * log_atx)
        g_alpha = self.total_weight * r / alpha - np.dot(
            ww, rx * (w1 / (alpha + self.T) + w2 / (alpha + self.t_x))
        )
        g_a = np.dot(sw1, dc1_da) + np.dot(sw2, dc2_da)
        g_b = np.dot(sw1, dc1_db) + np.dot(sw2, dc2_db)
        # Chain rule for the log-parameterization: d/dlog θ = θ · d/dθ.
        g = np.array([g_r * r, g_alpha * alpha, g_a * a, g_b * b])
        return ll, g


def bgnbd_log_likelihood(
    x, t_x, T, *, r: float, alpha: float, a: float, b: float, weights=None
) -> float:
    """Return the total BG/NBD log-likelihood of the members (FHL 2005 eq. 6)."""
    x, t_x, T = _check_summary(x, t_x, T)
    w = np.ones_like(x) if weights is None else as_float_array(weights, "weights")
    theta = np.log([r, alpha, a, b])
    return _Problem(x, t_x, T, w).value_and_grad(theta, grad=False)[0]


# Cap on a and b, the Beta distribution of members' dropout probability. When members drop
# out alike, the likelihood rises along a ridge a, b → ∞ (a/(a+b) fixed) and L-BFGS-B stalls
# there in lost precision: the 100,000-member demo (26 weeks) did, at a = 6.5e5, b = 8.3e7.
# At b = 1e4 the dropout probability still varies by ~10 % between members, a mean
# log-likelihood 3e-5 per member below the ridge's; fits to real data we know have a and b
# below 10 (CDNOW: 0.79 and 2.43).
AB_MAX = 1e4

# The box the fitter searches, on the logs of the parameters: the sanity check of a stored fit
# (stats.sanity) reads the same numbers, so "at a cap" means exactly these bounds.
LOG_BOUNDS = {
    "r": (-20.0, 20.0),
    "alpha": (-20.0, 20.0),
    "a": (-20.0, float(np.log(AB_MAX))),
    "b": (-20.0, float(np.log(AB_MAX))),
}


def bgnbd_fit(
    x,
    t_x,
    T,
    *,
    initial: tuple[float, float, float, float] | None = None,
    gtol: float = 1e-9,
    maxiter: int = 1000,
) -> BgNbdFit:
    """Fit the BG/NBD model by maximum likelihood; return its parameters.

    Repeated (x, t_x, T) rows are collapsed to unique rows with counts as weights. The mean
    log-likelihood is maximized over (log r, log α, log a, log b) with L-BFGS-B and the
    analytic gradient.
    """
    x, t_x, T = _check_summary(x, t_x, T)
    if x.size == 0:
        raise ValueError("no members to fit")
    (ux, utx, uT), w = unique_rows(x, t_x, T)
    problem = _Problem(ux, utx, uT, w)
    scale = problem.total_weight

    def objective(theta: np.ndarray):
        ll, g = problem.value_and_grad(theta)
        if not np.isfinite(ll):
            return np.inf, np.zeros(4)
        return -ll / scale, -g / scale

    # Start at r = a = b = 1 and α on the scale of the observed ages, so that λ = r/α is of the
    # order of one purchase over an average member's history.
    if initial is None:
        initial = (1.0, max(float(np.average(uT, weights=w)), 1e-3), 1.0, 1.0)
    res = minimize_log_params(
        objective,
        np.log(np.asarray(initial, dtype=float)),
        bounds=list(LOG_BOUNDS.values()),
        gtol=gtol,
        maxiter=maxiter,
        model="BG/NBD",
    )
    r, alpha, a, b = np.exp(res.x)
    return BgNbdFit(
        r=float(r),
        alpha=float(alpha),
        a=float(a),
        b=float(b),
        log_likelihood=float(-res.fun * scale),
        n=int(round(scale)),
    )


def _params(fit: BgNbdFit) -> tuple[float, float, float, float]:
    return fit.r, fit.alpha, fit.a, fit.b


def bgnbd_p_alive(fit: BgNbdFit, x, t_x, T) -> np.ndarray:
    """Return each member's probability of still being active at T.

    P(alive | x, t_x, T) = 1 / (1 + δ(x>0) · a/(b+x-1) · ((α+T)/(α+t_x))^(r+x))
    (Fader, Hardie & Lee 2008, "Computing P(alive) using the BG/NBD model", eq. 2); it is 1 for
    x = 0 because the model lets a member drop out only right after a repeat purchase.
    """
    x, t_x, T = _check_summary(x, t_x, T)
    r, alpha, a, b = _params(fit)
    return _p_alive(r, alpha, a, b, x, t_x, T)


def _p_alive(r, alpha, a, b, x, t_x, T) -> np.ndarray:
    repeat = x > 0
    xp = np.where(repeat, x, 1.0)
    log_odds_dead = (
        np.log(a) - np.log(b + xp - 1.0) + (r + xp) * (np.log(alpha + T) - np.log(alpha + t_x))
    )
    return np.where(repeat, expit(-log_odds_dead), 1.0)


def _one_minus_power_hyp2f1(r, alpha, a, b, x, T, t):
    """Return 1 - ((α+T)/(α+T+t))^(r+x) · 2F1(r+x, b+x; a+b+x-1; t/(α+T+t)).

    The paper's form needs 2F1 with parameters that grow with x; for large x and z near 1 it
    overflows while the power underflows. Euler's transformation
        2F1(A, B; C; z) = (1-z)^(C-A-B) · 2F1(C-A, C-B; C; z)
    (Abramowitz & Stegun 15.3.3) with z = t/(α+T+t) and 1-z = (α+T)/(α+T+t) gives
        (1-z)^(r+x) · 2F1(r+x, b+x; a+b+x-1; z) = (1-z)^(a-1) · 2F1(a+b-1-r, a-1; a+b+x-1; z),
    whose upper parameters do not depend on x and whose series converges the faster, the larger
    x. The result is computed from log1p and expm1 so that small t keeps its relative precision.
    """
    z = t / (alpha + T + t)
    f = hyp2f1(a + b - 1.0 - r, a - 1.0, a + b + x - 1.0, z)
    # 1 - (1-z)^(a-1) · f = -expm1((a-1) log1p(-z)) - (1-z)^(a-1) · (f - 1)
    pw = (a - 1.0) * np.log1p(-z)
    return -np.expm1(pw) - np.exp(pw) * (f - 1.0)


def _bracket(r, alpha, a, b, x, T, t) -> np.ndarray:
    """Return (a+b+x-1)/(a-1) · [1 - ((α+T)/(α+T+t))^(r+x) · 2F1(...)] of FHL 2005 eq. (10)."""
    if abs(a - 1.0) < 1e-7:
        # The product is 0/0 at a = 1; its limit is the mean of two points either side, exact to
        # second order in the step (and a fitted a lands this close to 1 only by accident).
        h = 1e-5
        return 0.5 * (
            _bracket(r, alpha, 1.0 - h, b, x, T, t) + _bracket(r, alpha, 1.0 + h, b, x, T, t)
        )
    lead = (a + b + x - 1.0) / (a - 1.0)
    return lead * _one_minus_power_hyp2f1(r, alpha, a, b, x, T, t)


def bgnbd_conditional_expected_purchases(fit: BgNbdFit, t, x, t_x, T) -> np.ndarray:
    """Return each member's expected purchases in the next t periods given their history.

    t may be a scalar or an array of horizons; with k horizons the result has shape (n, k).
    Work is done on distinct (x, T) pairs for the hypergeometric part and gathered back.
    """
    x, t_x, T = _check_summary(x, t_x, T)
    r, alpha, a, b = _params(fit)
    horizons = np.atleast_1d(np.asarray(t, dtype=float))
    if np.any(horizons < 0):
        raise ValueError("horizon t must be non-negative")
    # FHL 2005 eq. (10):
    #   E[Y(t) | x, t_x, T] = (a+b+x-1)/(a-1) · [1 - ((α+T)/(α+T+t))^(r+x) · 2F1(...)]
    #                         / (1 + δ(x>0) · a/(b+x-1) · ((α+T)/(α+t_x))^(r+x))
    # The denominator's reciprocal is P(alive); the bracket does not involve t_x, so it is
    # evaluated on distinct (x, T) pairs only.
    (ux, uT), _, inv = unique_rows(x, T, return_inverse=True)
    p_alive = _p_alive(r, alpha, a, b, x, t_x, T)
    out = np.empty((x.size, horizons.size))
    for k, h in enumerate(horizons):
        out[:, k] = _bracket(r, alpha, a, b, ux, uT, h)[inv] * p_alive
    return out[:, 0] if np.ndim(t) == 0 else out


def bgnbd_expected_purchases(fit: BgNbdFit, t) -> np.ndarray:
    """Return E[X(t)], a new member's expected repeat purchases in (0, t] (FHL 2005 eq. 9)."""
    r, alpha, a, b = _params(fit)
    t = np.asarray(t, dtype=float)
    # E[X(t)] = (a+b-1)/(a-1) · [1 - (α/(α+t))^r · 2F1(r, b; a+b-1; t/(α+t))]: the bracket of
    # eq. (10) at x = 0, T = 0.
    zero = np.zeros_like(t)
    return _bracket(r, alpha, a, b, zero, zero, t)

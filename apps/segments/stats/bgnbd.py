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

from .common import (
    DistinctRows,
    as_float_array,
    dot,
    factorize,
    minimize_log_params,
)

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
    """The BG/NBD log-likelihood over weighted (x, t_x, T) rows, and its gradient.

    Per row, FHL 2005 eq. (6) in logs is ll = A + l1 + softplus(l2 - l1), where (see
    value_and_grad) A and l1 are a function of x plus (r + x) times one of T. Their weighted
    totals therefore come from weight sums per distinct x and per distinct T, fixed here once;
    only the softplus term is per row, and only for repeat buyers (l2 = -inf at x = 0). Special
    functions are evaluated per distinct x and logs per distinct T and t_x, so per row and per
    evaluation there remain gathers, one exp, one log and a few products: float64 exp and log
    cost ten times a multiplication (NumPy vectorizes them only for AVX-512), so their count
    is what sets the speed.

    `factors` are the columns already factorized ((distinct values, codes) each, as
    DistinctRows keeps them), to spare sorting them again.
    """

    def __init__(self, x, t_x, T, w, *, factors=None) -> None:
        if factors is None:
            factors = [factorize(np.asarray(c, dtype=np.float64)) for c in (x, t_x, T)]
        (self.xs, ix), (self.utx, itx), (self.uT, iT) = factors
        w = np.asarray(w, dtype=np.float64)
        x_row = self.xs[ix]
        self.total_weight = float(w.sum())
        # Weight per distinct x, and per distinct T the weight and the weighted x: enough for
        # every term that is not per row.
        self.w_x = np.bincount(ix, weights=w, minlength=self.xs.size)
        self.w_T = np.bincount(iT, weights=w, minlength=self.uT.size)
        self.wx_T = np.bincount(iT, weights=w * x_row, minlength=self.uT.size)
        # x - 1 with x = 0 moved to 1, so that the δ-term's constants stay finite at x = 0
        # (they meet no repeat-buyer row there).
        self.xs_pos = np.maximum(self.xs, 1.0)
        repeat = x_row > 0
        self.ix, self.itx, self.iT = ix[repeat], itx[repeat], iT[repeat]
        self.w, self.x = w[repeat], x_row[repeat]
        # Work arrays for the per-row terms, reused by every evaluation: fresh ones cost page
        # faults (in this VM about as much as the arithmetic itself).
        self._buffers = np.empty((6, self.x.size))
        self._positive = np.empty(self.x.size, dtype=bool)

    def value_and_grad(self, theta: np.ndarray, *, grad: bool = True):
        r, alpha, a, b = np.exp(theta)
        xs, xp, ix, itx, iT, w = self.xs, self.xs_pos, self.ix, self.itx, self.iT, self.w
        # FHL 2005 eq. (6), in logs:
        #   L = B(a, b+x)/B(a, b) · Γ(r+x) α^r / (Γ(r) (α+T)^(r+x))
        #     + δ(x>0) B(a+1, b+x-1)/B(a, b) · Γ(r+x) α^r / (Γ(r) (α+t_x)^(r+x))
        # so log L = A + l1 + log(1 + e^(l2 - l1)) with
        #   A = log Γ(r+x) - log Γ(r) + r log α,   l1 = c1 - (r+x) log(α+T),
        #   l2 = c2 - (r+x) log(α+t_x),   c1, c2 the log Beta ratios.
        log_beta_ab = betaln(a, b)
        A = gammaln(r + xs) - gammaln(r) + r * np.log(alpha)
        c1 = betaln(a, b + xs) - log_beta_ab
        c2 = betaln(a + 1.0, b + xp - 1.0) - log_beta_ab
        log_aT = np.log(alpha + self.uT)
        log_atx = np.log(alpha + self.utx)
        rw_T = r * self.w_T + self.wx_T  # Σ w (r + x) per distinct T
        ll = dot(self.w_x, A + c1) - dot(rw_T, log_aT)
        # Repeat buyers: d = l2 - l1 = c2 - c1 + (r+x) u with u = log(α+T) - log(α+t_x), and
        # log(1 + e^d) = max(d, 0) + log(1 + e^-|d|), which neither overflows nor loses the
        # small term (its absolute error stays at rounding, next to A + l1).
        rx, u, d, e, t, s = self._buffers
        np.add(self.x, r, out=rx)
        np.take(log_aT, iT, out=u, mode="clip")  # (the codes are in range; "clip" skips checks)
        u -= np.take(log_atx, itx, out=t, mode="clip")
        np.take(c2 - c1, ix, out=d, mode="clip")
        d += np.multiply(rx, u, out=t)
        np.abs(d, out=e)
        np.negative(e, out=e)
        np.exp(e, out=e)
        one_e = np.add(e, 1.0, out=t)
        ll += dot(w, np.log(one_e, out=s)) + dot(w, np.maximum(d, 0.0, out=s))
        ll = float(ll)
        if not grad:
            return ll, None

        # Share of the δ-term in L: ω2 = e^d / (1 + e^d), from e = e^-|d| without overflow:
        # 1/(1+e) where d > 0, e/(1+e) elsewhere.
        share = np.reciprocal(one_e, out=one_e)
        w2 = np.multiply(e, share, out=e)
        np.copyto(w2, share, where=np.greater(d, 0.0, out=self._positive))
        w2 *= w
        w2_x = np.bincount(ix, weights=w2, minlength=xs.size)  # Σ w ω2 per distinct x
        # Per-x digamma pieces, from d/da log B(a, b) = ψ(a) - ψ(a+b), d/db = ψ(b) - ψ(a+b).
        psi_ab = digamma(a + b)
        psi_abx = digamma(a + b + xs)
        dA_dr = digamma(r + xs) - digamma(r) + np.log(alpha)
        dc1_da = psi_ab - psi_abx
        dc1_db = digamma(b + xs) - digamma(b) + psi_ab - psi_abx
        dc2_da = digamma(a + 1.0) - digamma(a) + psi_ab - psi_abx
        dc2_db = digamma(b + xp - 1.0) - digamma(b) + psi_ab - psi_abx
        # d log L = dA + dl1 + ω2 (dl2 - dl1), summed with the weights.
        g_r = dot(self.w_x, dA_dr) - dot(self.w_T, log_aT) + dot(w2, u)
        inv_aT = 1.0 / (alpha + self.uT)
        v = np.take(inv_aT, iT, out=s, mode="clip")
        v -= np.take(1.0 / (alpha + self.utx), itx, out=t, mode="clip")
        v *= rx
        g_alpha = self.total_weight * r / alpha - dot(rw_T, inv_aT) + dot(w2, v)
        g_a = dot(self.w_x, dc1_da) + dot(w2_x, dc2_da - dc1_da)
        g_b = dot(self.w_x, dc1_db) + dot(w2_x, dc2_db - dc1_db)
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
    rows = DistinctRows(x, t_x, T)
    (ux, utx, uT), w = rows.columns(), rows.counts
    problem = _Problem(ux, utx, uT, w, factors=list(zip(rows.values, rows.codes, strict=True)))
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
    # log odds of having dropped out: log(a/(b+x-1)) + (r+x) log((α+T)/(α+t_x)); a log of a
    # quotient instead of a difference of logs, one log fewer per member.
    log_odds_dead = np.log((alpha + T) / (alpha + t_x))
    log_odds_dead *= r + xp
    log_odds_dead += np.log(a / (b + xp - 1.0))
    np.negative(log_odds_dead, out=log_odds_dead)
    return np.where(repeat, expit(log_odds_dead), 1.0)


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


def _pair_brackets(fit: BgNbdFit, horizons, x, T) -> tuple[np.ndarray, np.ndarray]:
    """Return the bracket of eq. (10) per distinct (x, T) pair and horizon, and each row's pair.

    The bracket does not involve t_x, so it is evaluated on distinct (x, T) pairs only: a
    million members on whole days (the benchmark) have 58,825 (x, T) pairs. Shape (pairs, horizons).
    """
    horizons = np.asarray(horizons, dtype=float)
    if np.any(horizons < 0):
        raise ValueError("horizon t must be non-negative")
    pairs = DistinctRows(x, T, return_inverse=True)
    ux, uT = pairs.columns()
    brackets = np.empty((ux.size, horizons.size))
    for k, h in enumerate(horizons):
        brackets[:, k] = _bracket(*_params(fit), ux, uT, h)
    return brackets, pairs.inverse


def bgnbd_conditional_expected_purchases(fit: BgNbdFit, t, x, t_x, T) -> np.ndarray:
    """Return each member's expected purchases in the next t periods given their history.

    t may be a scalar or an array of horizons; with k horizons the result has shape (n, k).
    Work is done on distinct (x, T) pairs for the hypergeometric part and gathered back.
    """
    x, t_x, T = _check_summary(x, t_x, T)
    # FHL 2005 eq. (10):
    #   E[Y(t) | x, t_x, T] = (a+b+x-1)/(a-1) · [1 - ((α+T)/(α+T+t))^(r+x) · 2F1(...)]
    #                         / (1 + δ(x>0) · a/(b+x-1) · ((α+T)/(α+t_x))^(r+x))
    # The denominator's reciprocal is P(alive).
    brackets, pair = _pair_brackets(fit, np.atleast_1d(t), x, T)
    out = brackets[pair]
    out *= _p_alive(*_params(fit), x, t_x, T)[:, None]
    return out[:, 0] if np.ndim(t) == 0 else out


def bgnbd_expected_purchases(fit: BgNbdFit, t) -> np.ndarray:
    """Return E[X(t)], a new member's expected repeat purchases in (0, t] (FHL 2005 eq. 9)."""
    r, alpha, a, b = _params(fit)
    t = np.asarray(t, dtype=float)
    # E[X(t)] = (a+b-1)/(a-1) · [1 - (α/(α+t))^r · 2F1(r, b; a+b-1; t/(α+t))]: the bracket of
    # eq. (10) at x = 0, T = 0.
    zero = np.zeros_like(t)
    return _bracket(r, alpha, a, b, zero, zero, t)

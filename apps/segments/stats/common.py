"""Helpers shared by the member-value models."""

from __future__ import annotations

import numpy as np
from scipy.optimize import OptimizeResult, minimize

__all__ = ["FitError", "as_float_array", "minimize_log_params", "unique_rows"]


# A fit whose line search stalls (L-BFGS-B's ABNORMAL) is accepted when no parameter's
# e-fold would change the mean log-likelihood per member by this much: the optimum, or a
# ridge running to a bound. Gamma-Gamma meets the ridge when spend per visit varies no more
# between members than within them (q and γ grow together without end; every member's
# expected spend is then the population mean, which the stalled point already gives).
STALL_GRADIENT = 1e-5


class FitError(RuntimeError):
    """The optimizer stopped without reaching a maximum of the likelihood."""


def minimize_log_params(
    objective, start, *, bounds: list[tuple[float, float]], gtol: float, maxiter: int, model: str
) -> OptimizeResult:
    """Minimize a negated mean log-likelihood over log-parameters with L-BFGS-B.

    A stalled line search gets one retry from where it stopped, with a fresh memory. The
    result is accepted when L-BFGS-B converged, or when it stalled with the gradient,
    projected on the bounds (a push past an upper bound is no failure), under
    STALL_GRADIENT; otherwise FitError.
    """
    upper = np.array([hi for _, hi in bounds])

    def run(theta: np.ndarray) -> OptimizeResult:
        return minimize(
            objective,
            np.minimum(theta, upper - 1e-3),
            jac=True,
            method="L-BFGS-B",
            bounds=bounds,
            options={"gtol": gtol, "ftol": 1e-15, "maxiter": maxiter},
        )

    res = run(np.asarray(start, dtype=float))
    if not res.success:
        res = run(res.x)
    grad = np.where((res.x >= upper - 1e-9) & (res.jac < 0), 0.0, res.jac)
    grad_norm = float(np.max(np.abs(grad)))
    if not (res.success or grad_norm < STALL_GRADIENT) or not np.isfinite(res.fun):
        raise FitError(f"{model} fit did not converge: {res.message} (|grad| = {grad_norm:.2e})")
    return res


def as_float_array(values, name: str) -> np.ndarray:
    """Return values as a 1-d float64 array, refusing NaN and infinities."""
    arr = np.asarray(values, dtype=np.float64)
    if arr.ndim != 1:
        arr = arr.reshape(-1)
    if not np.all(np.isfinite(arr)):
        raise ValueError(f"{name} holds NaN or infinite values")
    return arr


def unique_rows(*cols: np.ndarray, return_inverse: bool = False):
    """Return the distinct rows of the given columns and how often each occurs.

    Returns (tuple of columns, counts as float weights) and, with return_inverse, the index of
    each input row's distinct row. Rows are ordered by the first column, then the next ones.
    One lexsort and a diff; cheaper than np.unique(axis=0), which sorts opaque byte strings.
    """
    n = cols[0].shape[0]
    if n == 0:
        empty = tuple(c[:0] for c in cols)
        counts = np.zeros(0)
        return (empty, counts, np.zeros(0, dtype=np.intp)) if return_inverse else (empty, counts)
    order = np.lexsort(cols[::-1])
    sorted_cols = [c[order] for c in cols]
    new = np.zeros(n, dtype=bool)
    new[0] = True
    for c in sorted_cols:
        new[1:] |= c[1:] != c[:-1]
    starts = np.flatnonzero(new)
    counts = np.diff(np.append(starts, n)).astype(np.float64)
    distinct = tuple(c[starts] for c in sorted_cols)
    if not return_inverse:
        return distinct, counts
    inverse = np.empty(n, dtype=np.intp)
    inverse[order] = np.cumsum(new) - 1
    return distinct, counts, inverse

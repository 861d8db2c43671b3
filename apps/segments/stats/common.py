"""Helpers shared by the member-value models."""

from __future__ import annotations

import math

import numpy as np
from scipy.optimize import OptimizeResult, minimize
from threadpoolctl import threadpool_limits

__all__ = [
    "DistinctRows",
    "FitError",
    "as_float_array",
    "dot",
    "factorize",
    "minimize_log_params",
    "unique_rows",
]


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

    # L-BFGS-B's steps call the BLAS on vectors of a few numbers; OpenBLAS then wakes its
    # threads, which spin for a while after each call and take the second core from the
    # objective's own work: on the 2-core machine a million-member BG/NBD fit took 1.7 times
    # as long. One thread for the fit; the objective's NumPy work does not use the BLAS.
    with threadpool_limits(limits=1, user_api="blas"):
        res = run(np.asarray(start, dtype=float))
        if not res.success:
            res = run(res.x)
    grad = np.where((res.x >= upper - 1e-9) & (res.jac < 0), 0.0, res.jac)
    grad_norm = float(np.max(np.abs(grad)))
    if not (res.success or grad_norm < STALL_GRADIENT) or not np.isfinite(res.fun):
        raise FitError(f"{model} fit did not converge: {res.message} (|grad| = {grad_norm:.2e})")
    return res


def dot(a: np.ndarray, b: np.ndarray) -> float:
    """Return the dot product of two 1-d float arrays, on this thread.

    np.dot hands long vectors to the BLAS, which splits them over threads; on a machine whose
    cores are busy with other work the threads wait for each other, and one 720,000-element
    dot product took 8-12 ms instead of 0.4 ms. np.einsum sums in its own single-threaded loop.
    """
    return float(np.einsum("i,i->", a, b))


def as_float_array(values, name: str) -> np.ndarray:
    """Return values as a 1-d float64 array, refusing NaN and infinities."""
    arr = np.asarray(values, dtype=np.float64)
    if arr.ndim != 1:
        arr = arr.reshape(-1)
    if not np.all(np.isfinite(arr)):
        raise ValueError(f"{name} holds NaN or infinite values")
    return arr


def factorize(values: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Return the sorted distinct values of a 1-d float array and each element's index in them.

    Summaries on whole days put x, t_x and T on grids (whole numbers, sevenths of a week), and
    then each value's index is its position on the grid, read from a table: a sort of the array
    (np.unique without the inverse, which needs the much slower argsort) and a few passes,
    checked element by element (distinct[codes] == values). Values that are on no grid, or
    on one much wider than the array, take np.unique's inverse.
    """
    n = values.shape[0]
    distinct = np.unique(values)
    if distinct.size < 2:
        return distinct, np.zeros(n, dtype=np.intp)
    origin = distinct[0]
    step = float(np.min(np.diff(distinct)))
    span = (distinct[-1] - origin) / step
    if span < 4 * n + 1024:
        table = np.full(int(np.rint(span)) + 1, -1, dtype=np.intp)
        table[np.rint((distinct - origin) / step).astype(np.intp)] = np.arange(distinct.size)
        slot = np.rint((values - origin) / step).astype(np.intp)
        np.clip(slot, 0, table.size - 1, out=slot)
        codes = table[slot]
        if codes.min() >= 0 and np.array_equal(distinct[codes], values):
            return distinct, codes
    distinct, codes = np.unique(values, return_inverse=True)
    return distinct, codes.reshape(-1)


class DistinctRows:
    """The distinct rows of some equal-length columns, kept factorized.

    Each column is factorized into its sorted distinct values (`values[k]`) and a code per
    row; the codes of one row, read as digits of a mixed-radix number, make a single int64
    key whose order is the rows' lexicographic order. Distinct keys are found by counting
    into a table when the number of possible keys is small, by one sort of the keys otherwise:
    several times faster than a lexsort of the float columns (one stable sort per column).

    values[k]: column k's distinct values; codes[k]: each distinct row's index into values[k];
    counts: how often each distinct row occurs (float64, usable as weights); inverse (only if
    asked for): each input row's distinct row. Distinct rows are in lexicographic order.
    """

    def __init__(self, *cols: np.ndarray, return_inverse: bool = False) -> None:
        n = cols[0].shape[0]
        factors = [factorize(np.asarray(c, dtype=np.float64)) for c in cols]
        self.values = [v for v, _ in factors]
        row_codes = [c for _, c in factors]
        radix = [max(v.size, 1) for v in self.values]
        self.inverse = None
        if math.prod(radix) >= 2**62:  # no int64 key: sort the codes column by column
            self._lexsort(row_codes, return_inverse)
            return
        span = math.prod(radix)
        key = np.zeros(n, dtype=np.int64)
        for code, r in zip(row_codes, radix, strict=True):
            key *= r
            key += code
        if span <= 4 * n + 1024:
            counts = np.bincount(key, minlength=span)
            present = counts > 0
            keys = np.flatnonzero(present)
            counts = counts[keys]
            if return_inverse:
                self.inverse = (np.cumsum(present) - 1)[key]
        elif return_inverse:
            keys, inverse, counts = np.unique(key, return_inverse=True, return_counts=True)
            self.inverse = inverse.reshape(-1)
        else:
            keys, counts = np.unique(key, return_counts=True)
        self.counts = counts.astype(np.float64)
        codes = []
        for r in radix[::-1]:
            keys, code = np.divmod(keys, r)
            codes.append(code)
        self.codes = codes[::-1]

    def _lexsort(self, row_codes: list[np.ndarray], return_inverse: bool) -> None:
        n = row_codes[0].shape[0]
        order = np.lexsort(row_codes[::-1])
        sorted_codes = [c[order] for c in row_codes]
        new = np.zeros(n, dtype=bool)
        new[0] = True
        for c in sorted_codes:
            new[1:] |= c[1:] != c[:-1]
        starts = np.flatnonzero(new)
        self.counts = np.diff(np.append(starts, n)).astype(np.float64)
        self.codes = [c[starts] for c in sorted_codes]
        if return_inverse:
            self.inverse = np.empty(n, dtype=np.intp)
            self.inverse[order] = np.cumsum(new) - 1

    def columns(self) -> tuple[np.ndarray, ...]:
        """Return the distinct rows as one array per column."""
        return tuple(v[c] for v, c in zip(self.values, self.codes, strict=True))


def unique_rows(*cols: np.ndarray, return_inverse: bool = False):
    """Return the distinct rows of the given columns and how often each occurs.

    Returns (tuple of columns, counts as float weights) and, with return_inverse, the index of
    each input row's distinct row. Rows are ordered by the first column, then the next ones.
    """
    n = cols[0].shape[0]
    if n == 0:
        empty = tuple(c[:0] for c in cols)
        counts = np.zeros(0)
        return (empty, counts, np.zeros(0, dtype=np.intp)) if return_inverse else (empty, counts)
    rows = DistinctRows(*cols, return_inverse=return_inverse)
    if not return_inverse:
        return rows.columns(), rows.counts
    return rows.columns(), rows.counts, rows.inverse

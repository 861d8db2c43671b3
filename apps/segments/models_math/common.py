"""Helpers shared by the member-value models."""

from __future__ import annotations

import numpy as np

__all__ = ["FitError", "as_float_array", "unique_rows"]


# A fit whose line search stalls (L-BFGS-B's ABNORMAL) is accepted when no parameter's
# e-fold would change the mean log-likelihood per member by this much: the optimum, or a
# ridge running to a bound. Gamma-Gamma meets the ridge when spend per visit varies no more
# between members than within them (q and γ grow together without end; every member's
# expected spend is then the population mean, which the stalled point already gives).
STALL_GRADIENT = 1e-5


class FitError(RuntimeError):
    """The optimizer stopped without reaching a maximum of the likelihood."""


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

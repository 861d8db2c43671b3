"""Write large CSV files from NumPy columns without a Python loop over rows.

A row is a sequence of *pieces* (literal bytes, digits of an integer, a string from a small
vocabulary). Each piece renders a chunk of rows as a byte matrix plus a mask of the bytes
that are really there; concatenating the matrices side by side and keeping the masked
bytes in row-major order yields the CSV text of the chunk. Formatting 10 million lines
this way takes seconds, against about a minute for `'\\n'.join` over Python strings.

Values must not need CSV quoting: the caller only feeds digits and plain vocabulary.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import numpy as np

CHUNK_ROWS = 500_000


class Piece:
    """A part of every row; `render` returns (bytes matrix, mask) for rows[sl]."""

    def render(self, sl: slice, n: int) -> tuple[np.ndarray, np.ndarray]:
        raise NotImplementedError


class Lit(Piece):
    """The same bytes in every row (a comma, a newline, a fixed prefix)."""

    def __init__(self, text: str, keep: np.ndarray | None = None) -> None:
        self.mat = np.frombuffer(text.encode(), dtype=np.uint8)[None, :]
        self.keep = keep

    def render(self, sl: slice, n: int) -> tuple[np.ndarray, np.ndarray]:
        mat = np.broadcast_to(self.mat, (n, self.mat.shape[1]))
        if self.keep is None:
            mask = np.ones_like(mat, dtype=bool)
        else:
            mask = np.repeat(self.keep[sl, None], self.mat.shape[1], axis=1)
        return mat, mask


class Table(Piece):
    """One pre-rendered row per value, chosen by index (e.g. a basket's header fields)."""

    def __init__(self, mat: np.ndarray, mask: np.ndarray, index: np.ndarray) -> None:
        self.mat, self.mask, self.index = mat, mask, index

    def render(self, sl: slice, n: int) -> tuple[np.ndarray, np.ndarray]:
        idx = self.index[sl]
        return self.mat[idx], self.mask[idx]


class Vocab(Piece):
    """One string per row, chosen by index from a list of ASCII/UTF-8 strings."""

    def __init__(self, words: Sequence[str], index: np.ndarray, keep: np.ndarray | None = None):
        encoded = [w.encode() for w in words]
        width = max(1, max((len(w) for w in encoded), default=1))
        self.table = np.array(encoded, dtype=f"S{width}").view(np.uint8).reshape(-1, width)
        self.lengths = np.array([len(w) for w in encoded], dtype=np.int32)
        self.index = index
        self.keep = keep

    def render(self, sl: slice, n: int) -> tuple[np.ndarray, np.ndarray]:
        idx = self.index[sl]
        mat = self.table[idx]
        mask = np.arange(mat.shape[1])[None, :] < self.lengths[idx][:, None]
        if self.keep is not None:
            mask &= self.keep[sl, None]
        return mat, mask


class Digits(Piece):
    """A non-negative integer in decimal; `width` zero-pads to a fixed width."""

    def __init__(self, values: np.ndarray, width: int | None = None, keep=None) -> None:
        values = np.asarray(values, dtype=np.int64)
        if values.size and values.min() < 0:
            raise ValueError("Digits renders non-negative integers only")
        top = int(values.max()) if values.size else 0
        self.max_width = max(1, len(str(top)))
        self.fixed = width
        if width is not None and width < self.max_width:
            raise ValueError(f"{top} does not fit in {width} digits")
        self.values = values
        self.keep = keep

    def render(self, sl: slice, n: int) -> tuple[np.ndarray, np.ndarray]:
        width = self.fixed or self.max_width
        v = self.values[sl]
        powers = 10 ** np.arange(width - 1, -1, -1, dtype=np.int64)
        mat = ((v[:, None] // powers[None, :]) % 10 + 48).astype(np.uint8)
        if self.fixed:
            mask = np.ones(mat.shape, dtype=bool)
        else:
            # Drop leading zeros but always keep the last digit (so 0 renders as "0").
            ndig = np.ones(len(v), dtype=np.int64)
            for k in range(1, width):
                ndig += v >= 10**k
            mask = np.arange(width)[None, :] >= (width - ndig)[:, None]
        if self.keep is not None:
            mask &= self.keep[sl, None]
        return mat, mask


def money(cents: np.ndarray, keep: np.ndarray | None = None) -> list[Piece]:
    """Pieces rendering integer cents as `12.34`."""
    cents = np.asarray(cents, dtype=np.int64)
    return [Digits(cents // 100, keep=keep), Lit(".", keep), Digits(cents % 100, 2, keep)]


def render(pieces: Sequence[Piece], n: int) -> tuple[np.ndarray, np.ndarray]:
    """Render all `n` rows of pieces into one (bytes matrix, mask) pair, e.g. for a Table."""
    parts = [p.render(slice(0, n), n) for p in pieces]
    mat = np.concatenate([m for m, _ in parts], axis=1)
    mask = np.concatenate([k for _, k in parts], axis=1)
    return mat, mask


def fields(rows: Sequence[Sequence[Piece]]) -> list[Piece]:
    """Join fields (lists of pieces) with commas."""
    pieces: list[Piece] = []
    for i, field in enumerate(rows):
        if i:
            pieces.append(Lit(","))
        pieces.extend(field)
    return pieces


def write_csv(path: Path, header: Sequence[str], rows: Sequence[Sequence[Piece]], n: int) -> int:
    """Write `n` rows whose fields are lists of pieces; return the bytes written."""
    pieces = [*fields(rows), Lit("\n")]
    written = 0
    with open(path, "wb") as out:
        written += out.write((",".join(header) + "\n").encode())
        for start in range(0, n, CHUNK_ROWS):
            sl = slice(start, min(n, start + CHUNK_ROWS))
            size = sl.stop - sl.start
            parts = [p.render(sl, size) for p in pieces]
            mat = np.concatenate([m for m, _ in parts], axis=1)
            mask = np.concatenate([k for _, k in parts], axis=1)
            written += out.write(mat[mask].tobytes())
    return written

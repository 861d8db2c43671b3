"""Cut an import file's text into chunks of whole records and sort its lines with NumPy.

A scanner export is nearly all *plain* lines: no quote, and the header's number of fields.
Those go to a columnar reader in one piece; everything else (a quoted record, a line with
the wrong number of fields) goes to the per-row reader, one record at a time.

Lines and records are counted exactly as the per-row reader counts them, so a reject names
the same line wherever the row was read:
- a line ends at `\\n`, `\\r\\n` or a lone `\\r` (the universal newlines of the text stream
  the importers read); a blank line is skipped but counted;
- a record is a line, or, when a quote opens a field that runs over line ends, the lines up
  to where the number of quotes read is even again (`csvread.quoted_record`'s rule).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import IO, TypeVar

import numpy as np

# Characters of text read per chunk: large enough that NumPy's per-call cost vanishes,
# small enough that a chunk's arrays stay a few hundred MB at most.
CHUNK_CHARS = 16 * 1024 * 1024

NEWLINE, RETURN, QUOTE, COMMA = 10, 13, 34, 44
T = TypeVar("T")
R = TypeVar("R")


@dataclass
class Chunk:
    """Whole records of the file: its plain lines as one buffer, and the other records."""

    plain: bytes  # the plain lines, each with its line end, in file order
    plain_lines: np.ndarray  # the physical line number of each plain line
    plain_starts: np.ndarray  # where each plain line starts in `plain`
    plain_lengths: np.ndarray  # its length in bytes, without its line end
    others: list[tuple[int, bool, str]]  # (line, quoted?, text) of every other record


def chunks(stream: IO[str], *, width: int, first_line: int = 2) -> Iterator[Chunk]:
    """Yield the rest of the stream as chunks of whole records; `first_line` is the next line."""
    carry = ""
    line = first_line
    while True:
        text = stream.read(CHUNK_CHARS)
        final = not text
        text = carry + text
        if not text:
            return
        data = text.encode()
        cut, lines = _sorted(data, width=width, final=final, first_line=line)
        if cut is None:  # one record longer than a chunk: read on
            carry = text
            continue
        carry = data[cut:].decode()
        chunk, line = lines
        yield chunk
        if final:
            return


def read_ahead(items: Iterator[T], work: Callable[[T], R]) -> Iterator[tuple[T, R]]:
    """Yield (item, work(item)) for each item, the next one read and worked in a thread
    while the caller handles this one (one at a time: the items' iterator and `work`
    never run twice at once). Parsing then overlaps with PostgreSQL ingesting a COPY."""

    def step() -> tuple[T, R] | None:
        item = next(items, None)
        return None if item is None else (item, work(item))

    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="import-read") as pool:
        pending = pool.submit(step)
        while (done := pending.result()) is not None:
            pending = pool.submit(step)
            yield done


def _sorted(data: bytes, *, width: int, final: bool, first_line: int):
    """Split data at the last record end; return (cut, (Chunk, next line)) or (None, None)."""
    b = np.frombuffer(data, dtype=np.uint8)
    n = len(b)
    ends = np.flatnonzero(b == NEWLINE)
    returns = np.flatnonzero(b == RETURN)
    if len(returns):
        after = np.append(b, 0)[returns + 1]
        ends = np.union1d(ends, returns[after != NEWLINE])
    quotes = np.flatnonzero(b == QUOTE)
    if not final:
        # A `\r` at the very end may be the first half of a `\r\n`: leave it for the next chunk.
        usable = ends[ends < n - 1] if b[-1] == RETURN else ends
        if len(quotes):
            usable = usable[np.searchsorted(quotes, usable + 1) % 2 == 0]
        if not len(usable):
            return None, None
        cut = int(usable[-1]) + 1
        ends = ends[ends < cut]
        nexts = ends + 1
    else:
        cut = n
        nexts = ends + 1
        if not len(ends) or ends[-1] != n - 1:  # a last line without a line end
            ends = np.append(ends, n)
            nexts = np.append(nexts, n)
    starts = np.concatenate(([0], nexts[:-1])).astype(np.int64)
    numbers = first_line + np.arange(len(ends), dtype=np.int64)
    crlf = (ends < n) & (ends > starts)
    crlf[crlf] = (b[ends[crlf]] == NEWLINE) & (b[ends[crlf] - 1] == RETURN)
    content_ends = ends - crlf
    commas = np.flatnonzero(b[:cut] == COMMA)
    fields = np.searchsorted(commas, content_ends) - np.searchsorted(commas, starts) + 1
    if len(quotes):
        quoted_before = np.searchsorted(quotes, starts)
        in_line = np.searchsorted(quotes, nexts) - quoted_before
        continued = quoted_before % 2 == 1
    else:
        in_line = np.zeros(len(ends), dtype=np.int64)
        continued = np.zeros(len(ends), dtype=bool)
    simple = ~continued & (in_line == 0) & (content_ends > starts)
    plain = simple & (fields == width)
    others: list[tuple[int, bool, str]] = []
    for i in np.flatnonzero(simple & ~plain):
        others.append((int(numbers[i]), False, data[starts[i] : content_ends[i]].decode()))
    opening = np.flatnonzero(~continued & (in_line > 0))
    if len(opening):
        record_starts = np.flatnonzero(~continued)
        following = np.append(record_starts, len(ends))
        last = following[np.searchsorted(record_starts, opening) + 1] - 1
        for i, j in zip(opening, last, strict=True):
            others.append((int(numbers[i]), True, data[starts[i] : nexts[j]].decode()))
        others.sort()
    chunk = Chunk(
        plain=_runs(data, plain, starts, nexts, n),
        plain_lines=numbers[plain],
        plain_starts=np.concatenate(([0], np.cumsum((nexts - starts)[plain])[:-1])),
        plain_lengths=(content_ends - starts)[plain],
        others=others,
    )
    return cut, (chunk, first_line + len(ends))


def _runs(data: bytes, plain: np.ndarray, starts, nexts, n: int) -> bytes:
    """The plain lines' bytes, joined from runs of consecutive plain lines."""
    if not plain.any():
        return b""
    edges = np.diff(np.concatenate(([False], plain, [False])).astype(np.int8))
    run_first = np.flatnonzero(edges == 1)
    run_last = np.flatnonzero(edges == -1) - 1
    pieces = [data[starts[i] : nexts[j]] for i, j in zip(run_first, run_last, strict=True)]
    if nexts[run_last[-1]] == n and data[n - 1 : n] not in (b"\n", b"\r"):
        pieces.append(b"\n")
    return b"".join(pieces)

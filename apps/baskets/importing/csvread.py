"""Read an import's CSV file: open it (gzip or not), read its header, and yield its rows
with the physical line each one starts on, quoted fields running over lines included.
"""

from __future__ import annotations

import csv
import gzip
import io
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import IO


class HeaderError(Exception):
    """The file cannot be read: no header, or a required column is missing."""


def csv_line(row: list[str]) -> str:
    """Return the row as one CSV line (the raw text of a reject)."""
    out = io.StringIO()
    csv.writer(out, lineterminator="").writerow(row)
    return out.getvalue()


@dataclass
class Header:
    """The columns of a file, lower-cased, and the index of each one the importer uses."""

    names: list[str]
    index: dict[str, int]

    def has(self, column: str) -> bool:
        return column in self.index


def read_header(
    stream: IO[str], *, required: tuple[str, ...], optional: tuple[str, ...] = ()
) -> Header:
    """Read the header row and locate the columns; extra columns are ignored."""
    first = stream.readline()
    if not first.strip():
        raise HeaderError("the file is empty (no header row)")
    try:
        names = [name.strip().lower() for name in next(csv.reader([first]))]
    except csv.Error as exc:
        raise HeaderError(f"the header row is not valid CSV: {exc}") from None
    index: dict[str, int] = {}
    for i, name in enumerate(names):
        index.setdefault(name, i)
    missing = [c for c in required if c not in index]
    if missing:
        raise HeaderError(
            "missing required column(s): "
            + ", ".join(missing)
            + f" (the header has: {', '.join(names) or 'nothing'})"
        )
    wanted = set(required) | set(optional)
    return Header(names=names, index={k: v for k, v in index.items() if k in wanted})


@contextmanager
def open_csv(path: Path) -> Iterator[tuple[IO[bytes], IO[str]]]:
    """Open a CSV file (gzip if it ends in .gz); yield (raw byte stream, text stream).


    Undecodable bytes become U+FFFD, which validation rejects, so one bad byte costs
    one row rather than the file. The raw stream's position drives the progress bar.
    """
    raw = path.open("rb")
    try:
        stream: IO[bytes] = gzip.GzipFile(fileobj=raw) if path.suffix == ".gz" else raw
        yield raw, io.TextIOWrapper(stream, encoding="utf-8-sig", errors="replace", newline="")
    finally:
        raw.close()


def quoted_record(text: str, stream: IO[str]) -> tuple[list[str], int]:
    """Parse a line holding quotes; a quoted field may run on over the next lines.


    Return the fields and how many extra physical lines were consumed; raise csv.Error
    (with the lines consumed in `extra`) if the record is malformed.
    """
    extra = 0
    while text.count('"') % 2:
        more = stream.readline()
        if not more:
            break
        extra += 1
        text += more
    try:
        return next(csv.reader([text], strict=True)), extra
    except csv.Error as exc:
        exc.extra = extra  # type: ignore[attr-defined]
        raise


def quoted_record_text(text: str) -> tuple[list[str] | None, str]:
    """Parse a whole record holding quotes; return (fields, '') or (None, why it is malformed)."""
    try:
        return next(csv.reader([text], strict=True)), ""
    except csv.Error as exc:
        return None, str(exc)


def rows_with_lines(
    stream: IO[str], on_error: Callable[[int, str], None]
) -> Iterator[tuple[int, list[str]]]:
    """Yield (physical line where the row starts, fields) for each non-blank row.


    Lines without quotes (nearly all) are split directly, which is twice as fast as the
    csv module; lines with quotes go through it. A malformed row goes to on_error.
    """
    line = 1
    for text in stream:
        line += 1
        if '"' in text:
            start = line
            try:
                row, extra = quoted_record(text, stream)
            except csv.Error as exc:
                line += exc.extra  # type: ignore[attr-defined]
                on_error(start, f"malformed CSV: {exc}")
                continue
            line += extra
            yield start, row
        else:
            text = text.rstrip("\r\n")
            if text:
                yield line, text.split(",")

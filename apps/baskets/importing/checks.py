"""Validate rows: the checks a field must pass, the reasons a row is rejected, and the
staging loop of the small files (products, members).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import IO

from apps.baskets.importing.copying import COPY_BATCH_ROWS, CopyBuffer, copy_text, reject_line
from apps.baskets.importing.csvread import Header, csv_line, rows_with_lines

# Values quoted in reject reasons are cut to this length.
QUOTE_MAX = 40

# Identifiers (basket ids, card numbers, store codes, UPCs): no control characters, no
# replacement character (an undecodable byte in the file).
ID_RE = re.compile(r"[^\x00-\x1f\x7f\ufffd]+")
BAD_TEXT_RE = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ufffd]")


def quoted(value: str) -> str:
    """Return the value quoted for a reject reason, shortened if long."""
    if len(value) > QUOTE_MAX:
        value = value[: QUOTE_MAX - 1] + "…"
    return repr(value)


def bad_text(value: str) -> bool:
    """Return True if the text holds control characters or an undecodable byte."""
    return BAD_TEXT_RE.search(value) is not None


def is_id(value: str) -> bool:
    return ID_RE.fullmatch(value) is not None


def stage_simple(
    *,
    buffer: CopyBuffer,
    stream: IO[str],
    header: Header,
    width: int,
    convert: Callable[[Callable[[str], str]], list[str | None]],
) -> int:
    """Validate and stage the rows of a small file (products, members); return rows read.

    `convert(get)` receives a getter for a column's value ('' when the column is absent)
    and returns the staged values (None for NULL) or raises Rejected with its reasons.
    """
    columns = len(header.names)
    out = buffer.lines
    rows = 0

    def on_error(line: int, reason: str) -> None:
        nonlocal rows
        rows += 1
        out.append(reject_line(line, width, [reason], ""))

    for line, row in rows_with_lines(stream, on_error):
        rows += 1
        if len(row) != columns:
            reason = f"wrong number of fields: expected {columns}, found {len(row)}"
            out.append(reject_line(line, width, [reason], csv_line(row)))
            continue

        def get(column: str, row: list[str] = row) -> str:
            i = header.index.get(column)
            return "" if i is None else row[i].strip()

        try:
            staged = convert(get)
        except Rejected as exc:
            out.append(reject_line(line, width, exc.reasons, csv_line(row)))
            continue
        text = "\t".join("\\N" if v is None else copy_text(v) for v in staged)
        out.append(f"{line}\t{text}\t\\N\t\\N\n")
        if len(out) >= COPY_BATCH_ROWS:
            buffer.flush()
    buffer.close()
    return rows


class Rejected(Exception):  # noqa: N818 - it is a verdict on a row, not an error
    """A row fails validation, for these reasons."""

    def __init__(self, reasons: list[str]) -> None:
        super().__init__("; ".join(reasons))
        self.reasons = reasons


class Checker:
    """Collect the reasons a row is bad while converting its fields one by one."""

    def __init__(self, get: Callable[[str], str]) -> None:
        self.get = get
        self.reasons: list[str] = []

    def text(self, column: str, *, max_length: int, required: bool = False) -> str:
        value = self.get(column)
        if not value:
            if required:
                self.reasons.append(f"missing {column}")
        elif len(value) > max_length:
            self.reasons.append(f"{column} longer than {max_length} characters")
        elif bad_text(value):
            self.reasons.append(f"bad characters in {column} {quoted(value)}")
        return value

    def identifier(self, column: str, *, max_length: int) -> str:
        value = self.text(column, max_length=max_length, required=True)
        if value and len(value) <= max_length and not is_id(value):
            self.reasons.append(f"bad {column} {quoted(value)}")
        return value

    def value(self, parse: Callable[[str], object], column: str):
        try:
            return parse(self.get(column))
        except ValueError as exc:
            self.reasons.append(str(exc))
            return None

    def done(self) -> None:
        if self.reasons:
            raise Rejected(self.reasons)

"""Shared machinery: open a CSV file, stream validated rows into a TEMP staging table via
COPY, and report the rows it rejected (reject file, ImportReject rows, first rejects).

Every importer stages *every* data row of its file, good or bad, in one TEMP table with
two extra columns: `reason` (NULL for a good row) and `raw` (the row as CSV text, only
for rejects). Rejects found later in SQL (a basket whose rows disagree, a duplicate key)
just set `reason`. Reporting is then set-based from that one table.

An importer may add a `warning` column (products does): a good row that loads with a
value the importer filled in carries its text there, and it is reported like a reject
(count, first warnings, a warning file) while the row still loads.
"""

from __future__ import annotations

import csv
import gzip
import io
import re
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import IO

from tqdm import tqdm

from apps.baskets.importing.result import FileResult, RejectedRow, WarnedRow

# How many rows to buffer before handing text to COPY.
COPY_BATCH_ROWS = 20_000
# How many rejects (and warnings) a FileResult keeps for printing; all of them go to the
# reject (warning) file.
FIRST_REJECTS = 200
# Values quoted in reject reasons are cut to this length.
QUOTE_MAX = 40

# Identifiers (basket ids, card numbers, store codes, UPCs): no control characters, no
# replacement character (an undecodable byte in the file).
ID_RE = re.compile(r"[^\x00-\x1f\x7f\ufffd]+")
BAD_TEXT_RE = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ufffd]")

# Escapes for PostgreSQL's COPY text format.
_COPY_ESCAPES = str.maketrans(
    {"\\": "\\\\", "\t": "\\t", "\n": "\\n", "\r": "\\r", "\x00": "\ufffd"}
)

# Every importer stages its rows in a TEMP table of this name (one file at a time).
STAGE = "pos_stage"
DROP_STAGE_SQL = "DROP TABLE IF EXISTS pos_stage"

REJECTS_SQL = """
SELECT line, reason FROM pos_stage WHERE reason IS NOT NULL ORDER BY line LIMIT %s
"""
REJECT_COUNT_SQL = "SELECT count(*) FROM pos_stage WHERE reason IS NOT NULL"
REJECT_FILE_SQL = """
COPY (SELECT line, reason, raw FROM pos_stage WHERE reason IS NOT NULL ORDER BY line)
TO STDOUT WITH (FORMAT csv, HEADER)
"""
DELETE_JOB_REJECTS_SQL = """
DELETE FROM baskets_importreject WHERE job_id = %(job_id)s AND file_name = %(file_name)s
"""
INSERT_JOB_REJECTS_SQL = """
INSERT INTO baskets_importreject (job_id, file_name, line, reason, raw)
SELECT %(job_id)s, %(file_name)s, line, left(reason, 300), coalesce(raw, '')
FROM pos_stage
WHERE reason IS NOT NULL
ORDER BY line
"""


# Warnings of good rows only: a row rejected later (an earlier duplicate) did not load.
WARNINGS_SQL = """
SELECT line, warning FROM pos_stage
WHERE reason IS NULL AND warning IS NOT NULL
ORDER BY line
LIMIT %s
"""
WARNING_COUNT_SQL = """
SELECT count(*) FROM pos_stage WHERE reason IS NULL AND warning IS NOT NULL
"""
WARNING_FILE_SQL = """
COPY (
    SELECT line, warning FROM pos_stage
    WHERE reason IS NULL AND warning IS NOT NULL
    ORDER BY line
) TO STDOUT WITH (FORMAT csv, HEADER)
"""


class HeaderError(Exception):
    """The file cannot be read: no header, or a required column is missing."""


def copy_text(value: str) -> str:
    """Escape a value for a COPY text-format field."""
    return value.translate(_COPY_ESCAPES)


def quoted(value: str) -> str:
    """Return the value quoted for a reject reason, shortened if long."""
    if len(value) > QUOTE_MAX:
        value = value[: QUOTE_MAX - 1] + "…"
    return repr(value)


def csv_line(row: list[str]) -> str:
    """Return the row as one CSV line (the raw text of a reject)."""
    out = io.StringIO()
    csv.writer(out, lineterminator="").writerow(row)
    return out.getvalue()


def reject_line(line: int, width: int, reasons: list[str], raw: str) -> str:
    """Return the COPY text line of a rejected row: NULL data columns, reason and raw."""
    nulls = "\\N\t" * width
    return f"{line}\t{nulls}{copy_text('; '.join(reasons))}\t{copy_text(raw)}\n"


def reject_file_path(path: Path) -> Path:
    """Return where the rejects of an input file go: next to it, `<name>.rejects.csv`."""
    name = path.name.removesuffix(".gz")
    return path.with_name(f"{name}.rejects.csv")


def warning_file_path(path: Path) -> Path:
    """Return where the warnings of an input file go: next to it, `<name>.warnings.csv`."""
    name = path.name.removesuffix(".gz")
    return path.with_name(f"{name}.warnings.csv")


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


class CopyBuffer:
    """Collect COPY text lines and hand them to COPY in batches, moving a progress bar."""

    def __init__(self, *, copy, raw: IO[bytes], bar: tqdm) -> None:
        self.copy = copy
        self.raw = raw
        self.bar = bar
        self.lines: list[str] = []
        self.position = 0

    def flush(self) -> None:
        if self.lines:
            self.copy.write("".join(self.lines))
            self.lines.clear()
        position = self.raw.tell()
        self.bar.update(position - self.position)
        self.position = position

    def close(self) -> None:
        """Send the last rows; the rest of the work happens in the database."""
        self.flush()
        self.bar.set_postfix_str("writing to the database")


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


MISSING_RAW_SQL = "SELECT line FROM pos_stage WHERE reason IS NOT NULL AND raw IS NULL"
FILL_RAW_SQL = """
UPDATE pos_stage s SET raw = v.raw
FROM unnest(%(lines)s::integer[], %(raws)s::text[]) AS v(line, raw)
WHERE s.line = v.line
"""


def fill_raw(*, cursor, path: Path) -> None:
    """Fill in the raw text of rows rejected in SQL (rare) by reading the file again."""
    cursor.execute(MISSING_RAW_SQL)
    wanted = {line for (line,) in cursor.fetchall()}
    if not wanted:
        return
    found: dict[int, str] = {}
    with open_csv(path) as (_raw, stream):
        stream.readline()
        for line, row in rows_with_lines(stream, lambda line, reason: None):
            if line in wanted:
                found[line] = csv_line(row).replace("\x00", "\ufffd")
    cursor.execute(FILL_RAW_SQL, {"lines": list(found), "raws": list(found.values())})


def report_rejects(
    *,
    cursor,
    path: Path,
    result: FileResult,
    job_id: int | None,
) -> None:
    """Count the staged rejects, write the reject file, store ImportReject rows."""
    cursor.execute(REJECT_COUNT_SQL)
    result.rejected = cursor.fetchone()[0]
    target = reject_file_path(path)
    if job_id is not None:
        params = {"job_id": job_id, "file_name": result.file_name}
        cursor.execute(DELETE_JOB_REJECTS_SQL, params)
        if result.rejected:
            cursor.execute(INSERT_JOB_REJECTS_SQL, params)
    if not result.rejected:
        # A reject file from an earlier run of this file would now be misleading.
        target.unlink(missing_ok=True)
        return
    cursor.execute(REJECTS_SQL, [FIRST_REJECTS])
    result.first_rejects = [RejectedRow(line, reason) for line, reason in cursor.fetchall()]
    try:
        with target.open("wb") as out, cursor.copy(REJECT_FILE_SQL) as copy:
            for chunk in copy:
                out.write(chunk)
        result.reject_file = target
    except OSError:
        # A read-only drop directory must not lose the load; rejects are still reported.
        result.reject_file = None


def report_warnings(*, cursor, path: Path, result: FileResult) -> None:
    """Count the good rows staged with a warning, keep the first ones, write the warning file.

    Only for a staging table with a `warning` column. Warnings describe the file, so a
    re-import of the same file reports them again.
    """
    cursor.execute(WARNING_COUNT_SQL)
    result.warned = cursor.fetchone()[0]
    target = warning_file_path(path)
    if not result.warned:
        # A warning file from an earlier run of this file would now be misleading.
        target.unlink(missing_ok=True)
        return
    cursor.execute(WARNINGS_SQL, [FIRST_REJECTS])
    result.first_warnings = [WarnedRow(line, message) for line, message in cursor.fetchall()]
    try:
        with target.open("wb") as out, cursor.copy(WARNING_FILE_SQL) as copy:
            for chunk in copy:
                out.write(chunk)
        result.warning_file = target
    except OSError:
        # As for rejects: a read-only drop directory must not lose the load.
        result.warning_file = None


def progress_bar(*, path: Path, enabled: bool) -> tqdm:
    """Return a byte-count progress bar for reading the file (to stderr)."""
    return tqdm(
        total=path.stat().st_size,
        desc=path.name,
        unit="B",
        unit_scale=True,
        unit_divisor=1024,
        disable=not enabled,
        leave=True,
        dynamic_ncols=True,
    )


def tune_session(cursor) -> None:
    """Give the big set-based statements room to hash and sort in memory."""
    cursor.execute("SET LOCAL work_mem = '256MB'")
    cursor.execute("SET LOCAL maintenance_work_mem = '256MB'")


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

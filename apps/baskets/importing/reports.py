"""Report what a staged import rejected or warned about: count it, keep the first rows,
write the reject (warning) file next to the input, store ImportReject rows.
"""

from __future__ import annotations

from pathlib import Path

from apps.baskets.importing.csvread import csv_line, open_csv, rows_with_lines
from apps.baskets.importing.result import FileResult, RejectedRow, WarnedRow

# How many rejects (and warnings) a FileResult keeps for printing; all of them go to the
# reject (warning) file.
FIRST_REJECTS = 200

REJECTS_SQL = """
SELECT line, reason FROM pos_stage WHERE reason IS NOT NULL ORDER BY line LIMIT %s
"""
# One scan of the stage for both what fill_raw and report_rejects need: the number of
# rejects and the lines of those rejected in SQL, whose raw text is still to be read.
REJECT_COUNT_SQL = """
SELECT count(*), coalesce(array_agg(line) FILTER (WHERE raw IS NULL), '{}')
FROM pos_stage WHERE reason IS NOT NULL
"""
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


def reject_file_path(path: Path) -> Path:
    """Return where the rejects of an input file go: next to it, `<name>.rejects.csv`."""
    name = path.name.removesuffix(".gz")
    return path.with_name(f"{name}.rejects.csv")


def warning_file_path(path: Path) -> Path:
    """Return where the warnings of an input file go: next to it, `<name>.warnings.csv`."""
    name = path.name.removesuffix(".gz")
    return path.with_name(f"{name}.warnings.csv")


FILL_RAW_SQL = """
UPDATE pos_stage s SET raw = v.raw
FROM unnest(%(lines)s::integer[], %(raws)s::text[]) AS v(line, raw)
WHERE s.line = v.line
"""


def count_rejects(*, cursor) -> tuple[int, set[int]]:
    """Return the staged rejects' count and the lines of those without their raw text.

    One scan of the stage serves fill_raw and report_rejects (a scan of 1.5 M staged lines
    takes ~0.3 s); filling in the raw text changes neither.
    """
    cursor.execute(REJECT_COUNT_SQL)
    count, missing_raw = cursor.fetchone()
    return count, set(missing_raw)


def fill_raw(*, cursor, path: Path, wanted: set[int]) -> None:
    """Fill in the raw text of rows rejected in SQL (rare), the lines `wanted`, by reading
    the file again."""
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
    rejected: int,
) -> None:
    """Report the `rejected` staged rejects (count_rejects): write the reject file, store
    ImportReject rows."""
    result.rejected = rejected
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

"""CSV exports that a spreadsheet cannot run as formulas.

Member, product, store and campaign names come from imported files and forms. Opened in
Excel or LibreOffice, a cell such as `=HYPERLINK(...)` or `@SUM(...)` would be evaluated
(CSV injection, OWASP). defusedcsv's writer prefixes a text cell that starts with
`= + - @ | %` with `'` and leaves numbers, negative ones included, as they are. It lets a
cell starting with a tab or a carriage return through, which OWASP lists too (a
spreadsheet may drop the blank and run the formula behind it: "\t=cmd"): `csv_writer`
prefixes those (and a line feed, the same trick) itself. Every CSV the product writes
goes through `csv_writer`; the reading side (imports) keeps the standard `csv` module.
Exports written by management commands are audited here too.
"""

from __future__ import annotations

import getpass
import io
from collections.abc import Iterable, Iterator
from numbers import Number

from defusedcsv import csv
from django.http import HttpResponse
from django_tables2 import Table

from apps.audit.models import AuditKind
from apps.audit.services import audit_record

EXPORT_FORMAT = "csv"


# Cell starts defusedcsv (3.0) does not escape but a spreadsheet may read past.
BLANK_STARTS = ("\t", "\r", "\n")
EXCEL_TERMINATOR = "\r\n"


def _defuse_blank_start(cell):
    if cell is None or isinstance(cell, Number):
        return cell
    text = str(cell)
    return "'" + text if text.startswith(BLANK_STARTS) else text


class _Writer:
    """defusedcsv's writer, with cells starting with a tab, CR or LF prefixed by `'` first.

    The csv module quotes a cell holding a line break only if the break is in the writer's
    line terminator: with "\n" a bare CR in a cell went out unquoted, and a spreadsheet
    started a new row there, whose first cell ("abc\r=cmd") could be a formula. So rows
    are always written with "\r\n" (every CR and LF in a cell quoted), and a row's
    terminator is then swapped for the one asked for.
    """

    def __init__(self, out, *, lineterminator: str = EXCEL_TERMINATOR, **kwargs):
        self._terminator = lineterminator
        if lineterminator == EXCEL_TERMINATOR:
            self._out = None
            self._writer = csv.writer(out, **kwargs)
        else:
            self._out = out
            self._buffer = io.StringIO()
            self._writer = csv.writer(self._buffer, lineterminator=EXCEL_TERMINATOR, **kwargs)

    def writerow(self, row: Iterable):
        cells = [_defuse_blank_start(cell) for cell in row]
        if self._out is None:
            return self._writer.writerow(cells)
        self._buffer.seek(0)
        self._buffer.truncate()
        self._writer.writerow(cells)
        line = self._buffer.getvalue()
        return self._out.write(line[: -len(EXCEL_TERMINATOR)] + self._terminator)

    def writerows(self, rows: Iterable[Iterable]) -> None:
        if self._out is None:
            # A generator, so that streamed exports stay streamed.
            self._writer.writerows([_defuse_blank_start(cell) for cell in row] for row in rows)
            return
        for row in rows:
            self.writerow(row)

    def __getattr__(self, name: str):
        return getattr(self._writer, name)


def csv_writer(out, **kwargs) -> _Writer:
    """A csv.writer whose cells cannot start a formula, nor a row of their own."""
    return _Writer(out, **kwargs)


def csv_response(filename: str) -> HttpResponse:
    """An empty CSV attachment to write rows into."""
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def table_csv_response(table: Table, filename: str) -> HttpResponse:
    """A django-tables2 table as a CSV attachment: the header and every row, unpaged.

    Used instead of django-tables2's TableExport, whose tablib writer does not escape.
    """
    response = csv_response(filename)
    csv_writer(response).writerows(table.as_values())
    return response


# Options every management command has; not worth keeping with an export's audit event.
_COMMON_OPTIONS = {"verbosity", "settings", "pythonpath", "traceback", "no_color",
                   "force_color", "skip_checks"}  # fmt: skip


class CountedRows:
    """Rows passed through to a writer, counted on the way, for the export's audit event."""

    def __init__(self, rows: Iterable):
        self._rows = rows
        self.count = 0

    def __iter__(self) -> Iterator:
        for row in self._rows:
            self.count += 1
            yield row


def command_export_record(*, command: str, options: dict, row_count: int) -> None:
    """Audit a CSV that a management command wrote: who ran it, with what, how many rows.

    Server-side exports (a mail house's lists, a manufacturer's report) carry the same data
    as the pages' downloads, which the middleware audits; the actor is the system user.
    """
    audit_record(
        kind=AuditKind.EXPORT,
        actor_name=f"{getpass.getuser()} (manage.py)",
        object_type="command",
        object_id=command,
        row_count=row_count,
        detail={k: str(v) for k, v in options.items()
                if k not in _COMMON_OPTIONS and v is not None},
    )  # fmt: skip

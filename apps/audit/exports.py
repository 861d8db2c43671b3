"""CSV exports that a spreadsheet cannot run as formulas.

Member, product, store and campaign names come from imported files and forms. Opened in
Excel or LibreOffice, a cell such as `=HYPERLINK(...)` or `@SUM(...)` would be evaluated
(CSV injection, OWASP). defusedcsv's writer prefixes a text cell that starts with
`= + - @ | %` with `'` and leaves numbers, negative ones included, as they are. Every CSV
the product writes goes through `csv_writer`; the reading side (imports) keeps the
standard `csv` module. Exports written by management commands are audited here too.
"""

from __future__ import annotations

import getpass
from collections.abc import Iterable, Iterator

from defusedcsv import csv
from django.http import HttpResponse
from django_tables2 import Table

from apps.audit.models import AuditKind
from apps.audit.services import audit_record

EXPORT_FORMAT = "csv"


def csv_writer(out, **kwargs):
    """A csv.writer whose cells cannot start a formula."""
    return csv.writer(out, **kwargs)


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

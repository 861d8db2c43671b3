"""CSV exports that a spreadsheet cannot run as formulas.

Member, product, store and campaign names come from imported files and forms. Opened in
Excel or LibreOffice, a cell such as `=HYPERLINK(...)` or `@SUM(...)` would be evaluated
(CSV injection, OWASP). defusedcsv's writer prefixes a text cell that starts with
`= + - @ | %` with `'` and leaves numbers, negative ones included, as they are. Every CSV
the product writes goes through `csv_writer`; the reading side (imports) keeps the
standard `csv` module.
"""

from __future__ import annotations

from defusedcsv import csv
from django.http import HttpResponse
from django_tables2 import Table

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

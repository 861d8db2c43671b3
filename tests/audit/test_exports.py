"""Every CSV the product writes neutralises cells a spreadsheet would run as a formula.

defusedcsv escapes cells starting with = + - @ | %; a cell starting with a tab or a carriage
return ("\\t=cmd") went through as it was. Each writer path is driven here with such cells
and read back: each comes out prefixed with "'" (text to a spreadsheet), numbers as numbers.
The last test lists the modules that write CSV, so that a new export path is noticed here.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
from decimal import Decimal
from pathlib import Path
from types import SimpleNamespace

import django_tables2 as tables
import pytest
from django.core.management import call_command
from django.test import Client, RequestFactory
from django.urls import reverse
from django.utils import timezone

from apps.audit.exports import csv_writer, table_csv_response
from apps.portal.export import HEADER as PORTAL_HEADER
from apps.portal.export import write_csv
from tests.factories import BasketFactory, MemberFactory

ROOT = Path(__file__).resolve().parents[2]
# Each cell as written, and as a spreadsheet must receive it, spelled out.
CELLS = [
    ("\t=cmd", "'\t=cmd"),
    ("\r=cmd", "'\r=cmd"),
    ("\n=cmd", "'\n=cmd"),
    ("=cmd", "'=cmd"),
    ("+cmd", "'+cmd"),
    ("-cmd", "'-cmd"),
    ("@cmd", "'@cmd"),
    ("plain", "plain"),
    (" =cmd", " =cmd"),  # a leading space: text already
    ("-4.25", "-4.25"),  # a negative amount as text stays a number
]
WRITTEN = [written for written, _ in CELLS]
EXPECTED = [expected for _, expected in CELLS]


def read(text: str) -> list[list[str]]:
    return list(csv.reader(io.StringIO(text, newline="")))


def read_file(path: Path) -> list[list[str]]:
    with path.open(newline="", encoding="utf-8") as f:  # keep a CR inside a cell a CR
        return list(csv.reader(f))


@pytest.mark.parametrize("terminator", ["\r\n", "\n"])
@pytest.mark.parametrize("shape", ["writerow", "writerows list", "writerows generator"])
def test_the_writer_neutralises_every_formula_start(shape, terminator):
    out = io.StringIO(newline="")
    writer = csv_writer(out, lineterminator=terminator)
    rows = [WRITTEN, [Decimal("-4.25"), -3, 1.5, None, True]]

    if shape == "writerow":
        for row in rows:
            writer.writerow(row)
    elif shape == "writerows list":
        writer.writerows(rows)
    else:
        writer.writerows(row for row in rows)

    assert read(out.getvalue()) == [EXPECTED, ["-4.25", "-3", "1.5", "", "True"]]


@pytest.mark.parametrize("terminator", ["\r\n", "\n"])
def test_a_line_break_inside_a_cell_never_starts_a_row(terminator):
    out = io.StringIO(newline="")

    csv_writer(out, lineterminator=terminator).writerows([["abc\r=cmd", "x\n@cmd"], ["2"]])

    assert out.getvalue() == f'"abc\r=cmd","x\n@cmd"{terminator}2{terminator}'
    assert read(out.getvalue()) == [["abc\r=cmd", "x\n@cmd"], ["2"]]


def test_the_writer_keeps_its_options_and_returns_the_line_for_streaming():
    class Echo:
        def write(self, value: str) -> str:
            return value

    line = csv_writer(Echo(), lineterminator="\n").writerow(["\t=cmd", "x"])

    assert line == "'\t=cmd,x\n"


class CellTable(tables.Table):
    name = tables.Column()
    amount = tables.Column()


def test_a_table_export_neutralises_its_cells():
    table = CellTable([{"name": cell, "amount": Decimal("-1.50")} for cell in WRITTEN])

    response = table_csv_response(table, "cells.csv")

    rows = read(response.content.decode())
    assert rows[0] == ["Name", "Amount"]
    assert rows[1:] == [[expected, "-1.50"] for expected in EXPECTED]


def test_the_members_export_neutralises_names(client: Client, marketing_user):
    member = MemberFactory(card_number="400000000099", first_name="\t=cmd", last_name="\r=cmd")
    BasketFactory(member=member, purchased_at=timezone.now() - dt.timedelta(days=3))
    client.force_login(marketing_user)

    response = client.get(reverse("members:list"), {"export": "csv"})

    rows = read(b"".join(response.streaming_content).decode())
    (row,) = [r for r in rows if r[0] == "400000000099"]
    assert row[1:3] == ["'\t=cmd", "'\r=cmd"]


def test_a_settlement_statement_csv_neutralises_names(monkeypatch, marketing_user):
    from apps.agreements import views

    statement = SimpleNamespace(
        number="ST-1",
        agreement=SimpleNamespace(manufacturer=SimpleNamespace(code="ACME")),
        period_start=dt.date(2026, 3, 1),
        period_end=dt.date(2026, 3, 31),
    )
    line = {
        "section": "period", "redemption_id": 7,
        "purchased_at": dt.datetime(2026, 3, 5, 16, tzinfo=dt.UTC), "reversed_at": None,
        "store": "\t=cmd", "campaign": "\r=cmd", "upc": "000000000011", "brand": "@cmd",
        "product": "\n=cmd", "quantity": Decimal("2.000"), "discount": Decimal("0.75"),
        "share": Decimal("0.38"),
    }  # fmt: skip
    monkeypatch.setattr(views, "_statement_for", lambda request, pk: statement)
    monkeypatch.setattr(views.selectors, "statement_lines", lambda statement: [line])
    request = RequestFactory().get("/")
    request.user = marketing_user

    response = views.statement_csv(request, 1)

    rows = read(response.content.decode())
    assert rows[1] == [
        "ST-1", "period", "7", "2026-03-05", "", "'\t=cmd", "'\r=cmd", "000000000011", "'@cmd",
        "'\n=cmd", "2", "0.75", "0.38", "yes", "0.38",
    ]  # fmt: skip


def test_the_portal_export_neutralises_labels():
    out = io.StringIO(newline="")

    write_csv(out, [["ACME", "\t=cmd", "2026-03-01", "2026-03-31", "\r=cmd", "", "x", "y", "1"]])

    rows = read(out.getvalue())
    assert rows == [
        PORTAL_HEADER,
        ["ACME", "'\t=cmd", "2026-03-01", "2026-03-31", "'\r=cmd", "", "x", "y", "1"],
    ]


def test_the_lists_export_command_neutralises_cells(db, monkeypatch, tmp_path):
    from apps.lists.management.commands import export_lists

    rows = [["100000000005", "99", "offer", "", "\t=cmd", "", "10%", "\r=cmd", "2026-03-15"]]
    monkeypatch.setattr(export_lists, "lists_export_rows", lambda period_start: iter(rows))
    path = tmp_path / "lists.csv"

    call_command("export_lists", "--period-start", "2026-03-02", "--output", str(path))

    assert read_file(path)[1] == [
        "100000000005", "99", "offer", "", "'\t=cmd", "", "10%", "'\r=cmd", "2026-03-15",
    ]  # fmt: skip


def test_the_segments_export_command_neutralises_cells(db, monkeypatch, tmp_path):
    from apps.catalog.models import Category
    from apps.segments.management.commands import export_segments

    Category.objects.create(name="Ketchup", department="Grocery")
    monkeypatch.setattr(export_segments, "snapshot_get_or_compute", lambda **kwargs: None)
    monkeypatch.setattr(
        export_segments, "snapshot_export_rows", lambda snapshot: iter([["\t=cmd", "\r=cmd", 3]])
    )
    path = tmp_path / "cells.csv"

    call_command(
        "export_segments", "--category", "Ketchup", "--start", "2026-01-01",
        "--end", "2026-03-01", "--output", str(path),
    )  # fmt: skip

    assert read_file(path)[1] == ["'\t=cmd", "'\r=cmd", "3"]


# Every module of apps/ that writes CSV, and the test above that drives it.
WRITERS = {
    "apps/agreements/views.py": "test_a_settlement_statement_csv_neutralises_names",
    "apps/campaigns/views.py": "tests/lists/test_allocation_pages.py (table_csv_response)",
    "apps/lists/management/commands/export_lists.py": "test_the_lists_export_command_...",
    "apps/desk/views.py": "test_the_members_export_neutralises_names",
    "apps/portal/export.py": "test_the_portal_export_neutralises_labels",
    "apps/portal/views.py": "test_the_portal_export_neutralises_labels (write_csv)",
    "apps/portal/management/commands/export_manufacturer_report.py": "(write_csv)",
    "apps/reports/views.py": "test_a_table_export_neutralises_its_cells",
    "apps/segments/management/commands/export_segments.py": "test_the_segments_export_...",
    "apps/segments/views.py": "test_a_table_export_neutralises_its_cells",
}
WRITES_CSV = re.compile(
    r"csv_writer|table_csv_response|write_csv|csv_response|csv\.writer|DictWriter|defusedcsv"
)


def test_every_csv_writer_of_the_product_is_one_of_these():
    found = {
        str(path.relative_to(ROOT))
        for path in (ROOT / "apps").rglob("*.py")
        if WRITES_CSV.search(path.read_text(encoding="utf-8"))
    }
    # Not exports: the import reads till files with the standard module (and quotes a
    # rejected row with it); the demo writes its synthetic till files of digits and words.
    found = {p for p in found if not p.startswith(("apps/baskets/importing/", "apps/demo/"))}

    assert found - {"apps/audit/exports.py"} == set(WRITERS)

"""One way to write dates on every page: the format settings, not a locale's or a template's.

"4 Dec 2026" and "4 Dec 2026 15:08" (local time) from DATE_FORMAT / DATETIME_FORMAT and
their SHORT_ twins; CSV exports keep ISO (tests/agreements/test_views.py checks the list's).
"""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import pytest
from django.template import Context, Template
from django.test import override_settings
from django.urls import reverse

from apps.agreements.tables import StatementTable
from apps.baskets.tables import ImportJobTable
from apps.jobs.models import Job
from tests.factories import AgreementFactory

DAY = dt.date(2026, 12, 4)
# 21:08 UTC is 15:08 in Chicago (CST, UTC-6), the site's time zone.
MOMENT = dt.datetime(2026, 12, 4, 21, 8, tzinfo=dt.UTC)
ROOT = Path(__file__).resolve().parents[1]


def render(source: str, **values) -> str:
    return Template(source).render(Context(values))


def test_the_date_filter_and_named_formats_use_the_settings():
    assert render("{{ d|date }}", d=DAY) == "4 Dec 2026"
    assert render('{{ d|date:"SHORT_DATE_FORMAT" }}', d=DAY) == "4 Dec 2026"
    assert render('{{ t|date:"DATETIME_FORMAT" }}', t=MOMENT) == "4 Dec 2026 15:08"
    assert render('{{ t|date:"SHORT_DATETIME_FORMAT" }}', t=MOMENT) == "4 Dec 2026 15:08"
    assert render("{{ t }}", t=MOMENT) == "4 Dec 2026 15:08"  # localized, local time
    assert render('{{ d|date:"YEAR_MONTH_FORMAT" }}', d=DAY) == "Dec 2026"


@override_settings(DATE_FORMAT="Y/m/d", SHORT_DATETIME_FORMAT="d.m.Y H:i")
def test_the_settings_are_the_one_place():
    assert render("{{ d|date }}", d=DAY) == "2026/12/04"
    assert render('{{ t|date:"SHORT_DATETIME_FORMAT" }}', t=MOMENT) == "04.12.2026 15:08"


@pytest.mark.django_db
def test_tables_show_the_site_format_and_export_iso():
    job = Job.objects.create(kind="pos_import", params={"files": ["baskets.csv"]})
    Job.objects.filter(pk=job.pk).update(created_at=MOMENT)
    job.refresh_from_db()
    job.reject_count = 0
    table = ImportJobTable([job])
    (row,) = table.rows
    assert row.get_cell("created_at") == "4 Dec 2026 15:08"
    assert row.get_cell_value("created_at") == "2026-12-04 21:08:00+00:00"  # ISO in exports

    statement = type("S", (), {})()  # the columns read attributes only
    statement.__dict__.update(
        pk=1, number="ST-00001", status="draft", get_status_display=lambda: "Draft",
        period_start=dt.date(2026, 11, 1), period_end=dt.date(2026, 11, 30),
        amount_due_now=None, sent_at=MOMENT, paid_at=None,
        agreement=type("A", (), {"name": "X", "manufacturer": type("M", (), {"name": "Y"})})(),
        get_absolute_url=lambda: "/settlement/1/",
    )  # fmt: skip
    (row,) = StatementTable([statement]).rows
    assert (row.get_cell("period_start"), row.get_cell("sent_at")) == ("1 Nov 2026", "4 Dec 2026")
    assert row.get_cell_value("period_start") == "2026-11-01"
    assert row.get_cell_value("sent_at") == "2026-12-04"  # the local day


@pytest.mark.django_db
def test_the_portal_writes_agreement_dates_in_the_site_format(client, manufacturer_a_user):
    AgreementFactory(manufacturer=manufacturer_a_user.manufacturer, name="Acme 2026")
    client.force_login(manufacturer_a_user)
    response = client.get(
        reverse("portal:manufacturer", args=[manufacturer_a_user.manufacturer.code])
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert "1 Jan 2026 – 31 Dec 2026" in html and "Jan 1, 2026" not in html


MY_TEMPLATES = ["agreements", "baskets", "jobs", "portal"]


@pytest.mark.parametrize("folder", MY_TEMPLATES)
def test_no_template_here_hard_codes_a_date_format(folder):
    """`|date:"M j, Y"` and the like: only named formats ("DATETIME_FORMAT") are allowed."""
    literal = re.compile(r"""\|date:["'](?![A-Z_]+["'])""")
    found = [
        f"{path.relative_to(ROOT)}:{number}"
        for path in sorted((ROOT / "templates" / folder).rglob("*.html"))
        for number, line in enumerate(path.read_text().splitlines(), 1)
        if literal.search(line)
    ]
    assert found == []

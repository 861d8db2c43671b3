"""List pages: index, print page with barcode, PDF, export command; role checks."""

from __future__ import annotations

import csv
import io

import pytest
from django.core.management import call_command
from django.urls import reverse

from apps.audit.models import AuditEvent, AuditKind
from apps.lists.models import ShoppingList
from apps.lists.services import ListRules, lists_generate_for_range, lists_print_offers
from tests.lists.conftest import PERIOD


@pytest.fixture
def generated(chain):
    lists_generate_for_range(period_start=PERIOD, lo=0, hi=10**12, rules=ListRules())
    lists_print_offers(period_start=PERIOD)
    return ShoppingList.objects.get(member__card_number="100000000005")


def test_index_print_page_and_pdf(client, marketing_user, generated):
    client.force_login(marketing_user)
    index = client.get(reverse("lists:index")).content.decode()
    assert "2026-03-02 – 2026-03-15" in index  # the last day, not the exclusive end
    page = client.get(generated.get_absolute_url()).content.decode()
    assert 'aria-label="Barcode 99260302' in page
    assert "Red Ketchup 20oz" in page and "10% off" in page and "$40.00 off" in page
    assert "lists-print.css" in page
    pdf = client.get(reverse("lists:pdf", args=[generated.barcode]))
    assert pdf["Content-Type"] == "application/pdf" and pdf.content.startswith(b"%PDF")


def test_generate_from_the_browser_queues_a_job(
    client, marketing_user, chain, settings, before_period
):
    settings.CELERY_TASK_ALWAYS_EAGER = True
    from crm_site.celery import app

    app.conf.task_always_eager = True
    try:
        client.force_login(marketing_user)
        data = {"period_start": "2026-03-02", "min_spend": "200", "weeks": "8"}
        with pytest.MonkeyPatch.context() as patch:
            patch.setattr("django.db.transaction.on_commit", lambda fn, **kw: fn())
            response = client.post(reverse("lists:index"), data)
    finally:
        app.conf.task_always_eager = False
    assert response.status_code == 302
    assert ShoppingList.objects.filter(period_start=PERIOD).count() == 4


def test_export_lists_csv(generated, tmp_path):
    path = tmp_path / "lists.csv"
    call_command("export_lists", "--period-start", "2026-03-02", "--output", str(path))
    rows = list(csv.reader(io.StringIO(path.read_text())))
    assert rows[0] == [
        "card_number", "list_barcode", "item_kind", "upc", "description",
        "regular_price", "discount", "campaign", "valid_until",
    ]  # fmt: skip
    best = [row for row in rows[1:] if row[0] == "100000000005"]
    code = generated.barcode
    assert best[:3] == [
        ["100000000005", code, "offer", "", "Ketchup: our own brand", "", "10%",
         "Switch to store ketchup", "2026-03-15"],
        ["100000000005", code, "due", "000000000022", "Red Ketchup 20oz", "3.49", "", "",
         "2026-03-15"],
        ["100000000005", code, "reward", "", "Thank you: $40 off your shopping", "", "40.00",
         "", "2026-03-15"],
    ]  # fmt: skip
    assert [row[2] for row in best[3:]] == ["content", "content"]
    # Audited like a download: the command, its options and the rows written.
    event = AuditEvent.objects.get(kind=AuditKind.EXPORT)
    assert (event.object_type, event.object_id) == ("command", "export_lists")
    assert event.row_count == len(rows) - 1 and event.actor_name.endswith("(manage.py)")
    assert event.detail == {"period_start": "2026-03-02", "output": str(path)}
    # header; $200: reward; best: 5; no cycle: offer + reward; held out: due + reward
    assert len(rows) == 1 + 1 + 5 + 2 + 2


@pytest.mark.parametrize("persona", ["cashier", "manufacturer_a"])
def test_cashiers_and_manufacturers_are_refused(client, personas, persona, generated):
    client.force_login(personas[persona])
    assert client.get(reverse("lists:index")).status_code == 403
    assert client.get(generated.get_absolute_url()).status_code == 403
    assert client.get(reverse("lists:pdf", args=[generated.barcode])).status_code == 403
    response = client.post(reverse("lists:index"), {"period_start": "2026-03-16"})
    assert response.status_code == 403

"""Settlement pages: marketing's flow in the browser, the CSV, and what a manufacturer sees."""

from __future__ import annotations

import csv
import datetime as dt
import io
from decimal import Decimal as D

import pytest
from django.urls import reverse

from apps.agreements import services
from apps.agreements.models import SettlementStatement
from tests.agreements.conftest import CARD, FIRST, LAST, reverse_at
from tests.factories import AgreementFactory


def make(deal, user, start=dt.date(2026, 3, 1), end=dt.date(2026, 3, 31), send=False):
    statement = services.statement_create(
        agreement=deal["agreement"], period_start=start, period_end=end, user=user
    )
    if send:
        statement = services.statement_send(statement_id=statement.pk, user=user)
    return statement


def csv_rows(response) -> list[dict]:
    assert response["Content-Type"].startswith("text/csv")
    return list(csv.DictReader(io.StringIO(response.content.decode())))


def test_marketing_creates_sends_and_marks_paid_in_the_browser(
    client, february_march, marketing_user
):
    client.force_login(marketing_user)
    assert client.get(reverse("settlement:create")).status_code == 200
    response = client.post(
        reverse("settlement:create"),
        {"agreement": february_march["agreement"].pk, "period_start": "2026-03-01",
         "period_end": "2026-03-31", "note": "March claim"},
    )  # fmt: skip
    statement = SettlementStatement.objects.get()
    assert response.status_code == 302 and response["Location"] == statement.get_absolute_url()

    page = client.get(statement.get_absolute_url()).content.decode()
    assert "Draft: the figures are live" in page
    assert "$10.00" in page  # 9.00 in March + R1's 1.00 not claimed before
    assert "Mark sent" in page and "Audit trail" in page

    client.post(reverse("settlement:send", args=[statement.pk]), {"note": "e-mailed"})
    statement.refresh_from_db()
    assert (statement.status, statement.amount_due) == ("sent", D("10.00"))
    page = client.get(statement.get_absolute_url()).content.decode()
    assert "Mark paid" in page and "Mark sent" not in page
    assert "Draft → Sent" in page and "e-mailed" in page  # the trail

    response = client.post(reverse("settlement:send", args=[statement.pk]), follow=True)
    assert "is already sent" in response.content.decode()
    client.post(reverse("settlement:paid", args=[statement.pk]), {"note": "ACH 4471"})
    statement.refresh_from_db()
    assert statement.status == "paid"
    assert list(statement.events.values_list("action", flat=True)) == [
        "created", "sent", "paid",
    ]  # fmt: skip


def test_an_overlapping_period_is_a_form_error(client, february_march, marketing_user):
    make(february_march, marketing_user)
    client.force_login(marketing_user)
    response = client.post(
        reverse("settlement:create"),
        {"agreement": february_march["agreement"].pk, "period_start": "2026-03-15",
         "period_end": "2026-04-15"},
    )  # fmt: skip
    assert response.status_code == 200
    assert "already covers 2026-03-01 to 2026-03-31" in response.content.decode()
    assert SettlementStatement.objects.count() == 1


def test_a_draft_can_be_edited_a_sent_one_cannot(client, february_march, marketing_user):
    statement = make(february_march, marketing_user)
    client.force_login(marketing_user)
    url = reverse("settlement:edit", args=[statement.pk])
    client.post(url, {"agreement": february_march["agreement"].pk,
                      "period_start": "2026-03-01", "period_end": "2026-03-30"})  # fmt: skip
    statement.refresh_from_db()
    assert statement.period_end == dt.date(2026, 3, 30)
    services.statement_send(statement_id=statement.pk, user=marketing_user)
    response = client.get(url)
    assert response.status_code == 302 and response["Location"] == statement.get_absolute_url()


def test_statement_csv(client, february_march, marketing_user):
    r = february_march["r"]
    feb = make(february_march, marketing_user, dt.date(2026, 2, 1), dt.date(2026, 2, 28), True)
    march = make(february_march, marketing_user, send=True)
    reverse_at(r["R2"], dt.datetime(2026, 4, 5, 12, tzinfo=dt.UTC))
    april = make(february_march, marketing_user, dt.date(2026, 4, 1), dt.date(2026, 4, 30))
    client.force_login(marketing_user)

    rows = csv_rows(client.get(reverse("settlement:csv", args=[march.pk])))
    got = [(x["section"], x["redemption"], x["purchased_on"], x["product"], x["discount"],
            x["manufacturer_share"], x["charged"], x["amount"]) for x in rows]  # fmt: skip
    assert got == [
        ("period", str(r["R2"].pk), "2026-03-01", "Ketchup 20 oz", "4.00", "2.00", "yes", "2.00"),
        ("period", str(r["R3"].pk), "2026-03-10", "Ketchup 20 oz", "3.00", "1.50", "yes", "1.50"),
        ("period", str(r["R4"].pk), "2026-03-12", "Yellow mustard", "6.00", "3.00", "yes", "3.00"),
        ("period", str(r["R6"].pk), "2026-03-20", "Yellow mustard", "5.00", "2.50", "yes", "2.50"),
        ("period", str(r["R7"].pk), "2026-03-25", "Ketchup 20 oz", "1.50", "0.00",
         "no: beyond the cap", "0.00"),
        ("period", str(r["R8"].pk), "2026-03-31", "Yellow mustard", "2.50", "0.00",
         "no: beyond the cap", "0.00"),
    ]  # fmt: skip
    assert sum(D(x["amount"]) for x in rows) == march.amount_due == D("9.00")
    assert {x["statement"] for x in rows} == {march.number}
    assert {x["store"] for x in rows} == {"S01"}

    rows = csv_rows(client.get(reverse("settlement:csv", args=[april.pk])))
    got = [(x["section"], x["redemption"], x["reversed_on"], x["charged"], x["amount"])
           for x in rows]  # fmt: skip
    assert got == [
        ("period", str(r["R9"].pk), "", "no: beyond the cap", "0.00"),
        ("credit", str(r["R2"].pk), "2026-04-05", "credit", "-2.00"),
    ]
    assert feb.amount_due == D("1.00")


@pytest.fixture
def statements(february_march, marketing_user):
    """Acme: February sent, March paid, April draft. Bolt: March sent."""
    deal = february_march
    feb = make(deal, marketing_user, dt.date(2026, 2, 1), dt.date(2026, 2, 28), True)
    march = make(deal, marketing_user, send=True)
    services.statement_mark_paid(statement_id=march.pk, user=marketing_user)
    april = make(deal, marketing_user, dt.date(2026, 4, 1), dt.date(2026, 4, 30))
    bolt = services.statement_create(
        agreement=deal["bolt_agreement"], period_start=dt.date(2026, 3, 1),
        period_end=dt.date(2026, 3, 31), user=marketing_user,
    )  # fmt: skip
    bolt = services.statement_send(statement_id=bolt.pk, user=marketing_user)
    return {"feb": feb, "march": march, "april": april, "bolt": bolt}


def test_a_manufacturer_reads_only_its_own_sent_statements(client, statements, manufacturer_a_user):
    client.force_login(manufacturer_a_user)
    page = client.get(reverse("settlement:list")).content.decode()
    for mine in ("feb", "march"):
        assert statements[mine].number in page
    for hidden in ("april", "bolt"):  # Acme's draft, Bolt's statement
        assert statements[hidden].number not in page
    assert "New statement" not in page and 'id="filter-manufacturer"' not in page
    rows = csv_rows(client.get(reverse("settlement:list") + "?_export=csv"))
    assert sorted(x["Statement"] for x in rows) == sorted(
        [statements["feb"].number, statements["march"].number]
    )

    march = statements["march"]
    for name in ("settlement:detail", "settlement:csv"):
        assert client.get(reverse(name, args=[march.pk])).status_code == 200
        assert client.get(reverse(name, args=[statements["bolt"].pk])).status_code == 403
        assert client.get(reverse(name, args=[statements["april"].pk])).status_code == 404
    for name in ("settlement:send", "settlement:paid", "settlement:edit", "settlement:create"):
        kwargs = {} if name == "settlement:create" else {"pk": statements["april"].pk}
        assert client.post(reverse(name, kwargs=kwargs)).status_code == 403


def test_the_manufacturer_sees_no_member_data_and_no_internal_trail(
    client, statements, manufacturer_a_user, february_march
):
    march = statements["march"]
    client.force_login(manufacturer_a_user)
    page = client.get(reverse("settlement:detail", args=[march.pk])).content.decode()
    assert "$9.00" in page and "Paid" in page
    assert "Audit trail" not in page and "Mark paid" not in page and "vp" not in page
    csv_text = client.get(reverse("settlement:csv", args=[march.pk])).content.decode()
    basket_ids = [r.basket.basket_id for r in february_march["r"].values()]
    for text in (page, csv_text):
        for secret in (CARD, FIRST, LAST, *basket_ids):
            assert secret not in text


def test_another_makers_user_is_refused(client, statements, manufacturer_b_user):
    client.force_login(manufacturer_b_user)
    assert (
        client.get(reverse("settlement:detail", args=[statements["march"].pk])).status_code == 403
    )
    assert client.get(reverse("settlement:detail", args=[statements["bolt"].pk])).status_code == 200
    page = client.get(reverse("settlement:list")).content.decode()
    assert statements["bolt"].number in page and statements["march"].number not in page


def test_list_filters_sorts_and_pages(client, statements, marketing_user):
    client.force_login(marketing_user)
    url = reverse("settlement:list")
    page = client.get(url, {"status": "draft"}).content.decode()
    assert statements["april"].number in page and statements["march"].number not in page
    page = client.get(url, {"manufacturer": statements["bolt"].agreement.manufacturer_id})
    assert statements["bolt"].number in page.content.decode()
    assert statements["feb"].number not in page.content.decode()
    # Statements overlapping March 10 to April 5: March and April of Acme, Bolt's March.
    page = client.get(url, {"period_from": "2026-03-10", "period_to": "2026-04-05"})
    text = page.content.decode()
    assert statements["feb"].number not in text
    assert all(statements[k].number in text for k in ("march", "april", "bolt"))
    for sort in ("amount_due", "-amount_due", "status", "manufacturer", "period_start"):
        assert client.get(url, {"sort": sort}).status_code == 200
    other = AgreementFactory(manufacturer=statements["bolt"].agreement.manufacturer)
    SettlementStatement.objects.bulk_create(
        SettlementStatement(agreement=other, period_start=day, period_end=day)
        for day in (dt.date(2026, 1, 1) + dt.timedelta(days=n) for n in range(30))
    )
    first = client.get(url).content.decode()
    assert "page=2" in first


def test_detail_and_list_query_counts_stay_flat(
    client, statements, marketing_user, django_assert_max_num_queries
):
    client.force_login(marketing_user)
    april = statements["april"]
    with django_assert_max_num_queries(12):
        detail = client.get(reverse("settlement:detail", args=[april.pk]))
    assert detail.status_code == 200
    assert detail.context["statement"] == april
    page = detail.content.decode()
    assert april.number in page and "Draft: the figures are live" in page
    assert "Audit trail" in page
    with django_assert_max_num_queries(10):
        listing = client.get(reverse("settlement:list"))
    assert listing.status_code == 200
    page = listing.content.decode()
    assert all(statement.number in page for statement in statements.values())

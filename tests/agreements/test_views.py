"""Settlement pages: marketing's flow in the browser, the CSV, and what a manufacturer sees."""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
from decimal import Decimal as D
from zoneinfo import ZoneInfo

import pytest
from django.urls import reverse

from apps.agreements import selectors, services
from apps.agreements.models import SettlementStatement
from tests.agreements.conftest import CARD, FIRST, LAST, at, redeem, reverse_at
from tests.factories import AgreementFactory

CHICAGO = ZoneInfo("America/Chicago")


def make(deal, user, start=dt.date(2026, 3, 1), end=dt.date(2026, 3, 31), send=False):
    statement = services.statement_create(
        agreement=deal["agreement"], period_start=start, period_end=end, user=user
    )
    if send:
        statement = services.statement_send(statement_id=statement.pk, user=user)
    return statement


def body(response) -> str:
    """The page as a reader compares it: the per-response CSRF mask left out."""
    return re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "", response.content.decode())


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
    assert "already covers 1 Mar 2026 to 31 Mar 2026" in response.content.decode()
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
        # Bolt's statement, Acme's own draft and a missing one: the same 404, the same page.
        missing = client.get(reverse(name, args=[999999]))
        assert missing.status_code == 404
        for other in ("bolt", "april"):
            response = client.get(reverse(name, args=[statements[other].pk]))
            assert (response.status_code, body(response)) == (404, body(missing)), other
    for name in ("settlement:send", "settlement:paid", "settlement:edit", "settlement:create"):
        kwargs = {} if name == "settlement:create" else {"pk": statements["april"].pk}
        assert client.post(reverse(name, kwargs=kwargs)).status_code == 403


def test_a_manufacturer_reads_its_statement_per_week_and_store(
    client, february_march, marketing_user, manufacturer_a_user
):
    r = february_march["r"]
    make(february_march, marketing_user, dt.date(2026, 2, 1), dt.date(2026, 2, 28), True)
    march = make(february_march, marketing_user, send=True)
    reverse_at(r["R2"], at("2026-04-07"))  # returned after March was sent
    client.force_login(manufacturer_a_user)
    response = client.get(reverse("settlement:csv", args=[march.pk]))
    rows = list(csv.reader(io.StringIO(response.content.decode())))
    assert rows[0] == [
        "statement",
        "section",
        "week_from",
        "store",
        "redemptions",
        "units",
        "discount",
        "manufacturer_share",
        "not_charged_beyond_cap",
        "amount",
    ]
    # R2 Sun Mar 1 (its week starts Feb 23); R3 Tue Mar 10 and R4 Thu Mar 12; R6 Fri Mar 20;
    # R7 Wed Mar 25 and R8 Tue Mar 31 23:30 came after the cap was used: share 0.
    n = march.number
    assert rows[1:] == [
        [n, "period", "2026-02-23", "S01", "1", "1", "4.00", "2.00", "0", "2.00"],
        [n, "period", "2026-03-09", "S01", "2", "2", "9.00", "4.50", "0", "4.50"],
        [n, "period", "2026-03-16", "S01", "1", "1", "5.00", "2.50", "0", "2.50"],
        [n, "period", "2026-03-23", "S01", "1", "1", "1.50", "0.00", "1", "0.00"],
        [n, "period", "2026-03-30", "S01", "1", "1", "2.50", "0.00", "1", "0.00"],
    ]  # fmt: skip
    assert sum(D(row[-1]) for row in rows[1:]) == march.amount_due == D("9.00")
    # Marketing keeps one line a redemption, with its id and day.
    client.force_login(marketing_user)
    staff = csv_rows(client.get(reverse("settlement:csv", args=[march.pk])))
    assert [x["redemption"] for x in staff][0] == str(r["R2"].pk)
    # The page's reversals after sending: per week of the return, never per redemption.
    client.force_login(manufacturer_a_user)
    page = client.get(reverse("settlement:detail", args=[march.pk])).content.decode()
    assert "Week of the return (from Monday)" in page and "6 Apr 2026" in page
    assert f'<td class="font-monospace small">{r["R2"].pk}</td>' not in page
    client.force_login(marketing_user)
    staff_page = client.get(reverse("settlement:detail", args=[march.pk])).content.decode()
    assert f'<td class="font-monospace small">{r["R2"].pk}</td>' in staff_page


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
        client.get(reverse("settlement:detail", args=[statements["march"].pk])).status_code == 404
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


# --- One definition of each figure, the same on every page --------------------------------


def money_cells(html: str) -> list[str]:
    """Return the amounts in the list's "Amount due" cells, in row order."""
    body = html.split("<tbody", 1)[1].split("</tbody>", 1)[0]
    return re.findall(r'<td class="text-end text-nowrap">([^<]*)</td>', body)


def page_amount_due(client, statement) -> str:
    html = client.get(reverse("settlement:detail", args=[statement.pk])).content.decode()
    return re.search(r'class="amount-due.*?<div class="value">([^<]+)</div>', html, re.S)[1]


def test_a_drafts_amount_due_is_the_same_in_the_list_and_on_its_page(
    client, february_march, marketing_user
):
    r = february_march["r"]
    feb = make(february_march, marketing_user, dt.date(2026, 2, 1), dt.date(2026, 2, 28), True)
    march = make(february_march, marketing_user, send=True)
    reverse_at(r["R2"], at("2026-04-05"))  # charged $2.00 on March, returned in April
    april = make(february_march, marketing_user, dt.date(2026, 4, 1), dt.date(2026, 4, 30))
    client.force_login(marketing_user)

    # April: R9 bought in April at share 0 (beyond the cap), minus R2's credit: −$2.00.
    assert page_amount_due(client, april) == "−$2.00"
    url = reverse("settlement:list")
    html = client.get(url, {"sort": "period_start"}).content.decode()
    acme = [(n, a) for n, a in zip(re.findall(r"ST-\d{5}", html.split("<tbody", 1)[1]),
            money_cells(html), strict=True)]  # fmt: skip
    # Feb sent $1.00 (R1), March sent $9.00, April draft −$2.00; never "—" for a draft.
    assert acme == [(feb.number, "$1.00"), (march.number, "$9.00"), (april.number, "−$2.00")]
    assert page_amount_due(client, feb) == "$1.00" and page_amount_due(client, march) == "$9.00"
    # Sorted by the amount due, drafts among the sent ones.
    html = client.get(url, {"sort": "amount_due"}).content.decode()
    assert money_cells(html) == ["−$2.00", "$1.00", "$9.00"]
    # The CSV: plain amounts and ISO days (machines read it).
    rows = csv_rows(client.get(url, {"_export": "csv", "sort": "period_start"}))
    assert [(x["Statement"], x["From"], x["Amount due"], x["Sent"]) for x in rows] == [
        (feb.number, "2026-02-01", "1.00", feb.sent_at.astimezone(CHICAGO).date().isoformat()),
        (march.number, "2026-03-01", "9.00",
         march.sent_at.astimezone(CHICAGO).date().isoformat()),
        (april.number, "2026-04-01", "-2.00", ""),
    ]  # fmt: skip


@pytest.fixture
def budget_deal(deal):
    """Acme funds 50 % up to $300.00; its campaigns' budgets are $400 and $150.

    Committed: 50 % of $550 = $275.00, so $25.00 not yet committed. Redemptions in March:
    shares $20.00 and $19.69 live, $5.00 returned: $39.69 used, $260.31 not yet used.
    """
    agreement = deal["agreement"]
    agreement.budget_cap = D("300.00")
    agreement.valid_until = dt.date(2027, 12, 31)
    agreement.save()
    for name, budget in (("heinz_campaign", "400.00"), ("mustard_campaign", "150.00")):
        campaign = deal[name][0]
        campaign.budget = D(budget)
        campaign.save()
    redeem(deal, when=at("2026-03-03"), discount="40.00", share="20.00")
    redeem(deal, when=at("2026-03-17"), discount="39.38", share="19.69",
           product="mustard", campaign="mustard_campaign")  # fmt: skip
    redeem(deal, when=at("2026-03-20"), discount="10.00", share="5.00",
           reversed_at=at("2026-03-21"))  # fmt: skip
    return deal


def budget_figures(html: str) -> dict[str, str]:
    """Return the statement's budget table: label → amount."""
    block = html.split("budget-figures", 1)[1].split("</table>")[0]
    pairs = re.findall(r"<th[^>]*>(.*?)</th><td[^>]*>(.*?)</td>", block, re.S)
    return {re.sub(r"<[^>]+>", "", k): re.sub(r"<[^>]+>", "", v) for k, v in pairs}


def test_the_budget_figures_of_a_draft_statement(client, budget_deal, marketing_user):
    march = make(budget_deal, marketing_user)
    client.force_login(marketing_user)
    html = client.get(reverse("settlement:detail", args=[march.pk])).content.decode()
    assert budget_figures(html) == {
        "Budget cap": "$300.00",
        "Used by redemptions up to 31 Mar 2026": "$39.69",
        "Not yet used": "$260.31",
        "Committed to campaigns (today)": "$275.00",
        "Not yet committed": "$25.00",
    }
    assert "left:" not in html  # the word that meant two things
    # Sending freezes the same "used" figure.
    sent = services.statement_send(statement_id=march.pk, user=marketing_user)
    assert (sent.cap_used, sent.cap_left, sent.amount_due) == (
        D("39.69"), D("260.31"), D("39.69"),
    )  # fmt: skip
    html = client.get(reverse("settlement:detail", args=[march.pk])).content.decode()
    assert budget_figures(html) == {
        "Budget cap": "$300.00",
        "Used by redemptions up to 31 Mar 2026": "$39.69",
        "Not yet used": "$260.31",
    }


def campaign_form_errors(client, deal, budget: str) -> str:
    """Post the campaign form funded by Acme's agreement; return the page's text."""
    from tests.campaigns.helpers import form_data  # the campaign tests' own form data

    data = form_data(deal["heinz"].category, budget=budget, agreement=deal["agreement"].pk)
    response = client.post(reverse("campaigns:create"), data)
    assert response.status_code == 200  # refused: the form again
    return re.sub(r"\s+", " ", response.content.decode())


def test_the_campaign_form_and_the_statement_show_the_same_budget_not_yet_committed(
    client, budget_deal, marketing_user
):
    from apps.campaigns.models import Campaign

    march = make(budget_deal, marketing_user)
    client.force_login(marketing_user)
    statement = budget_figures(
        client.get(reverse("settlement:detail", args=[march.pk])).content.decode()
    )
    # A $60 campaign at 50 % needs $30.00; $25.00 is not yet committed.
    page = campaign_form_errors(client, budget_deal, "60.00")
    assert statement["Not yet committed"] == "$25.00"
    assert "($30.00)" in page and "$25.00" in page and "$300.00" in page
    assert Campaign.objects.count() == 3  # nothing saved


def test_the_campaign_form_labels_the_budget_as_the_statement_does(
    client, budget_deal, marketing_user
):
    client.force_login(marketing_user)
    page = campaign_form_errors(client, budget_deal, "60.00")
    assert "not yet committed: $25.00 of its $300.00 cap" in page
    assert "not yet used: $260.31" in page  # the statement's "Not yet used"


def test_agreement_budget_errors_words_both_figures(budget_deal):
    from apps.campaigns.models import Campaign

    agreement = budget_deal["agreement"]
    campaign = Campaign(agreement=agreement, budget=D("60.00"))
    assert selectors.agreement_budget_errors(agreement=agreement, campaign=campaign) == [
        "The manufacturer's share of this budget ($30.00) is more than the agreement's budget "
        "not yet committed: $25.00 of its $300.00 cap ($275.00 committed to campaigns). "
        "Used by redemptions so far: $39.69; not yet used: $260.31."
    ]
    campaign.budget = D("50.00")  # $25.00: exactly what is not yet committed
    assert selectors.agreement_budget_errors(agreement=agreement, campaign=campaign) == []
    # Editing the $400 campaign: its own budget is not counted as committed twice.
    heinz = budget_deal["heinz_campaign"][0]
    heinz.budget = D("450.00")  # $225.00 + $75.00 = $300.00
    assert selectors.agreement_budget_errors(agreement=agreement, campaign=heinz) == []
    heinz.budget = D("450.02")  # $225.01 + $75.00: one cent over
    assert selectors.agreement_budget_errors(agreement=agreement, campaign=heinz) != []

"""The privacy officer's access pages: search, the member page, the JSON and printable
exports, their figures, their audit rows and who may open them."""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from apps.audit.models import AuditEvent, AuditKind
from apps.members.models import Member
from tests.factories import BasketFactory, BasketLineFactory, MemberFactory
from tests.privacy.access_rows import BASKET_TOTAL, LINE_AMOUNTS, member_with_every_row

pytestmark = pytest.mark.django_db


@pytest.fixture
def officer(client, privacy_user):
    client.force_login(privacy_user)
    return client


@pytest.fixture
def rows():
    return member_with_every_row()


def _table(record: dict, model: str) -> dict:
    return next(t for s in record["sections"] for t in s["tables"] if t["model"] == model)


def test_search_by_card_or_list_barcode_opens_the_member_page(officer, rows):
    member, _, _ = rows
    page = reverse("privacy:member", args=[member.card_number])
    url = reverse("privacy:member_search")
    assert officer.get(url, {"number": f" {member.card_number} "})["Location"] == page
    assert officer.get(url, {"number": "992603020000999017"})["Location"] == page


@pytest.mark.parametrize(
    ("number", "message"),
    [
        ("400099999999", "No member has the card number or list barcode"),
        ("", "This field is required."),
        ("9" * 33, "at most 32 characters"),
    ],
)
def test_search_says_why_it_found_no_one(officer, rows, number, message):
    response = officer.get(reverse("privacy:member_search"), {"number": number})
    assert response.status_code == 200
    assert message in response.content.decode()


def test_the_member_page_counts_each_section_and_is_audited(officer, rows, privacy_user):
    member, _, made = rows
    response = officer.get(reverse("privacy:member", args=[member.card_number]))
    assert response.status_code == 200
    body = response.content.decode()
    assert "Quill" in body and "Basket lines" in body
    assert response.context["total_rows"] == sum(len(keys) for keys in made.values())
    counts = {t["model"]: t["count"] for s in response.context["sections"] for t in s["tables"]}
    assert counts["baskets.basketline"] == len(LINE_AMOUNTS)
    consent = {row["channel"]: row["given"] for row in response.context["consent"]}
    assert consent == {
        "Printed or mailed list": True,  # MemberFactory's default
        "E-mail": False,
        "SMS": False,
    }
    event = AuditEvent.objects.get(kind=AuditKind.MEMBER_VIEW)
    assert (event.actor_id, event.object_type, event.object_id) == (
        privacy_user.pk,
        "member",
        str(member.pk),
    )
    assert event.detail["rows"]["baskets.basketline"] == len(LINE_AMOUNTS)
    assert member.card_number not in event.path and member.card_number not in event.query


def test_the_json_export_holds_exact_figures_and_is_audited(officer, rows, privacy_user):
    member, _, _ = rows
    response = officer.get(reverse("privacy:export_json", args=[member.card_number]))
    assert response["Content-Type"].startswith("application/json")
    disposition = response["Content-Disposition"]
    assert disposition.startswith("attachment;") and f"member-{member.pk}-record" in disposition
    assert member.card_number not in disposition
    record = json.loads(response.content)

    basket = _table(record, "baskets.basket")["rows"][0]
    lines = _table(record, "baskets.basketline")["rows"]
    assert basket["total_amount"] == str(BASKET_TOTAL) == "4.75"  # a string, exact
    assert sorted(line["amount"] for line in lines) == sorted(str(a) for a in LINE_AMOUNTS)
    assert sum(Decimal(line["amount"]) for line in lines) == Decimal(basket["total_amount"])
    assert dt.datetime.fromisoformat(basket["purchased_at"]).tzinfo is not None
    profile = _table(record, "members.member")["rows"][0]
    assert profile["email"] == "ada@example.com" and profile["joined_on"] == "2024-01-01"
    assert _table(record, "rewards.pointsbalance")["rows"][0]["points"] == 6
    for event in _table(record, "audit.auditevent")["rows"]:
        assert "ip_address" not in event

    event = AuditEvent.objects.get(kind=AuditKind.ACCESS_EXPORT)
    assert (event.actor_id, event.object_id, event.detail["format"]) == (
        privacy_user.pk,
        str(member.pk),
        "json",
    )
    assert event.detail["rows"]["baskets.basketline"] == 2
    assert event.row_count == sum(len(t["rows"]) for s in record["sections"] for t in s["tables"])
    assert member.card_number not in event.path


def test_the_printable_export_shows_the_same_figures(officer, rows):
    member, _, _ = rows
    response = officer.get(reverse("privacy:export_html", args=[member.card_number]))
    assert response.status_code == 200
    assert "Content-Disposition" not in response
    body = response.content.decode()
    for text in ("4.75", "3.50", "1.25", "ada@example.com", "Quill", "Access test campaign"):
        assert text in body, text
    assert body.count('class="record-section"') == 7
    event = AuditEvent.objects.get(kind=AuditKind.ACCESS_EXPORT)
    assert event.detail["format"] == "html" and event.object_id == str(member.pk)


def test_an_erased_member_is_exported_with_what_is_left(officer, rows):
    member, _, _ = rows
    Member.objects.filter(pk=member.pk).update(
        status="erased", card_number="X0123456789abcdef", first_name="", last_name="", email=""
    )
    response = officer.get(reverse("privacy:export_json", args=["X0123456789abcdef"]))
    record = json.loads(response.content)
    assert record["status"] == "erased"
    assert len(_table(record, "baskets.basketline")["rows"]) == len(LINE_AMOUNTS)
    page = officer.get(reverse("privacy:member", args=["X0123456789abcdef"]))
    assert page.status_code == 200 and "Erased." in page.content.decode()


def test_the_export_costs_the_same_queries_however_many_rows(officer):
    member = MemberFactory()
    url = reverse("privacy:export_json", args=[member.card_number])
    BasketLineFactory(basket=BasketFactory(member=member))
    with CaptureQueriesContext(connection) as few:
        officer.get(url)
    for _ in range(20):
        BasketLineFactory.create_batch(3, basket=BasketFactory(member=member))
    with CaptureQueriesContext(connection) as many:
        record = json.loads(officer.get(url).content)
    assert len(_table(record, "baskets.basketline")["rows"]) == 61
    assert len(many) == len(few) <= 40


def test_an_unknown_card_is_a_404_page(officer):
    assert officer.get(reverse("privacy:member", args=["400099999999"])).status_code == 404


@pytest.mark.parametrize("name", ["member", "export_json", "export_html"])
def test_marketing_is_refused(client, marketing_user, rows, name):
    member, _, _ = rows
    client.force_login(marketing_user)
    assert client.get(reverse(f"privacy:{name}", args=[member.card_number])).status_code == 403
    assert client.get(reverse("privacy:member_search")).status_code == 403
    assert not AuditEvent.objects.filter(
        kind__in=[AuditKind.MEMBER_VIEW, AuditKind.ACCESS_EXPORT]
    ).exists()

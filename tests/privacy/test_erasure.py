"""erase_members: what goes, what stays, once, and nothing else touched."""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal

import pytest
from django.db import DatabaseError, connection, transaction
from django.utils import timezone

from apps.audit.models import AuditEvent, AuditKind
from apps.baskets.models import Basket, BasketLine
from apps.checkout.services.shopper import shopper_resolve
from apps.desk.selectors import member_lookup
from apps.lists.models import ShoppingList
from apps.members.models import ConsentChange, Member
from apps.rewards.ledger import Movement, entry_record
from apps.rewards.models import PointsBalance, PointsEntry, RebateCertificate, RebateRun
from apps.rewards.verify import ledger_problems
from apps.rights.erasure import erase_members
from apps.rights.models import Erasure
from tests.factories import BasketLineFactory, MemberFactory, UserFactory

PSEUDONYM = re.compile(r"^X[0-9a-f]{20}$")


@pytest.fixture
def anna(db):
    member = MemberFactory(
        card_number="400000000017",
        first_name="Anna",
        last_name="Lindqvist",
        email="anna.l@example.org",
        phone="(555) 0147-2233",
        postal_code="50312",
        birth_date=dt.date(1980, 5, 17),
        household_size=3,
        children=1,
        consent_list=True,
        consent_email=True,
        consent_sms=False,
    )
    BasketLineFactory.create_batch(3, basket__member=member)
    ShoppingList.objects.create(
        member=member, period_start=dt.date(2026, 3, 2), period_end=dt.date(2026, 3, 16),
        barcode="992603020000000017",
    )  # fmt: skip
    return member


def _points(member, *moves: tuple[str, int, str]) -> None:
    with transaction.atomic():
        for kind, points, key in moves:
            entry_record(Movement(member_id=member.pk, kind=kind, points=points, key=key))


@pytest.mark.django_db
def test_the_personal_fields_go_and_the_history_stays(anna):
    baskets = Basket.objects.filter(member=anna).count()
    lines = BasketLine.objects.filter(member=anna).count()
    officer = UserFactory(username="dpo", role="privacy")

    assert erase_members([anna.pk], reason="request", actor=officer, reference="DPO-7") == 1

    member = Member.objects.get(pk=anna.pk)
    assert PSEUDONYM.match(member.card_number)
    assert (member.first_name, member.last_name, member.email, member.phone) == ("",) * 4
    assert (member.postal_code, member.phone_digits) == ("", "")
    assert (member.birth_date, member.household_size, member.children) == (None,) * 3
    assert member.status == "erased"
    assert (member.consent_list, member.consent_email, member.consent_sms) == (False,) * 3
    # The baskets and lines are still the (anonymous) member's: the figures keep them.
    assert Basket.objects.filter(member=anna).count() == baskets == 3
    assert BasketLine.objects.filter(member=anna).count() == lines == 3
    erasure = Erasure.objects.get(member=anna)
    assert (erasure.reason, erasure.reference, erasure.actor_name) == ("request", "DPO-7", "dpo")
    # Consent withdrawn once per channel that had it, by the erasure.
    withdrawn = ConsentChange.objects.filter(member=anna, source="erasure")
    assert sorted(withdrawn.values_list("channel", "given")) == [
        ("email", False),
        ("list", False),
    ]


@pytest.mark.django_db
def test_old_card_and_list_barcode_find_nothing(anna):
    shopping_list = ShoppingList.objects.get(member=anna)
    erase_members([anna.pk], reason="request")

    shopping_list.refresh_from_db()
    assert PSEUDONYM.match(shopping_list.barcode)
    for scanned in ("400000000017", "992603020000000017"):
        shopper = shopper_resolve(scanned=scanned, day=dt.date(2026, 3, 5))
        assert shopper.member is None and shopper.shopping_list is None
        assert member_lookup(query=scanned).members == []
    assert member_lookup(query="Lindqvist").members == []


@pytest.mark.django_db
def test_the_pseudonyms_are_distinct_and_of_their_own_form(db):
    a, b = MemberFactory(card_number="400000000101"), MemberFactory(card_number="400000000102")
    erase_members([a.pk, b.pk], reason="request")
    cards = set(Member.objects.filter(pk__in=[a.pk, b.pk]).values_list("card_number", flat=True))
    assert len(cards) == 2 and all(PSEUDONYM.match(c) for c in cards)


@pytest.mark.django_db
def test_points_close_at_zero_with_a_consistent_ledger(anna):
    owing = MemberFactory(card_number="400000000018")
    _points(anna, ("earn", 300, "e1"), ("earn", 200, "e2"), ("redeem", -120, "r1"))
    _points(owing, ("earn", 100, "o1"), ("redeem", -100, "o2"), ("reverse", -40, "o3"))
    assert PointsBalance.objects.get(member=owing).points == -40

    erase_members([anna.pk, owing.pk], reason="request")

    for member in (anna, owing):
        assert PointsBalance.objects.get(member=member).points == 0
        total = sum(PointsEntry.objects.filter(member=member).values_list("points", flat=True))
        assert total == 0
    closes = PointsEntry.objects.filter(key__startswith="erasure")
    assert sorted(closes.values_list("key", "points")) == [
        (f"erasure-debt:{owing.pk}", 40),
        (f"erasure:{anna.pk}", -380),
    ]
    assert ledger_problems() == {}


@pytest.mark.django_db
def test_open_certificates_can_no_longer_be_spent(anna):
    run = RebateRun.objects.create(
        year=2025, points_per_certificate=500, certificate_value=Decimal("5.00"),
        remainder="carry", ran_at=timezone.now(),
    )  # fmt: skip
    cert = RebateCertificate.objects.create(
        member=anna, run=run, code="970000000001123456", value=Decimal("5.00"),
        issued_on=dt.date(2026, 1, 1), valid_until=dt.date(2099, 12, 31),
    )  # fmt: skip
    erase_members([anna.pk], reason="request")
    cert.refresh_from_db()
    assert cert.valid_until < timezone.localdate()
    assert cert.code != "970000000001123456" and cert.code.startswith("X")
    assert not RebateCertificate.objects.filter(code="970000000001123456").exists()


@pytest.mark.django_db
def test_a_second_call_erases_none_and_changes_nothing(anna):
    _points(anna, ("earn", 50, "e1"))
    assert erase_members([anna.pk], reason="request", reference="T-1") == 1
    snapshot = Member.objects.filter(pk=anna.pk).values().get()
    counts = (
        ConsentChange.objects.count(),
        PointsEntry.objects.count(),
        AuditEvent.objects.count(),
        Erasure.objects.count(),
    )
    assert erase_members([anna.pk, anna.pk], reason="request", reference="T-1") == 0
    assert Member.objects.filter(pk=anna.pk).values().get() == snapshot
    assert counts == (
        ConsentChange.objects.count(),
        PointsEntry.objects.count(),
        AuditEvent.objects.count(),
        Erasure.objects.count(),
    )
    assert erase_members([], reason="request") == 0


@pytest.mark.django_db
def test_one_audit_event_per_call_naming_no_one(db):
    members = MemberFactory.create_batch(3)
    cards = [m.card_number for m in members]
    erase_members([m.pk for m in members], reason="retention", reference="RET-2026-12-06")
    events = AuditEvent.objects.filter(kind=AuditKind.ERASURE)
    assert events.count() == 1
    event = events.get()
    assert event.row_count == 3
    assert event.detail["count"] == 3
    assert (event.detail["reason"], event.detail["reference"]) == ("retention", "RET-2026-12-06")
    text = f"{event.path} {event.query} {event.object_id} {event.detail}"
    assert not any(card in text for card in cards)


@pytest.mark.django_db
def test_a_new_card_for_the_same_person_starts_fresh(anna):
    old_card = anna.card_number
    _points(anna, ("earn", 50, "e1"))
    erase_members([anna.pk], reason="request")

    # The person joins again: same name, e-mail, even the same card number printed anew.
    again = Member.objects.create(
        card_number=old_card, first_name="Anna", last_name="Lindqvist",
        email="anna.l@example.org",
    )  # fmt: skip
    assert again.pk != anna.pk
    assert not Basket.objects.filter(member=again).exists()
    assert not ShoppingList.objects.filter(member=again).exists()
    assert not PointsEntry.objects.filter(member=again).exists()
    assert not ConsentChange.objects.filter(member=again).exists()
    assert not Erasure.objects.filter(member=again).exists()
    # Nothing on the erased row points at the new one, or holds a value they share.
    erased = Member.objects.get(pk=anna.pk)
    assert {erased.card_number, erased.email, erased.last_name}.isdisjoint(
        {again.card_number, again.email, again.last_name}
    )


@pytest.mark.django_db
def test_the_scrub_takes_exact_tokens_and_rows_that_are_the_members(anna):
    other = MemberFactory(card_number="4000000000171", last_name="Lindqvist")
    mine = AuditEvent.objects.create(
        kind=AuditKind.LOOKUP, path=f"/members/{anna.card_number}/", object_id=anna.card_number,
        detail={"cards": [anna.card_number], "text_digest": "abc", "name": "Anna Lindqvist"},
    )  # fmt: skip
    theirs = AuditEvent.objects.create(
        kind=AuditKind.LOOKUP, path=f"/members/{other.card_number}/", object_id=other.card_number,
        detail={"cards": [other.card_number], "text_digest": "def", "name": "Lindqvist"},
    )  # fmt: skip
    erase_members([anna.pk], reason="request")

    mine.refresh_from_db()
    new_card = Member.objects.get(pk=anna.pk).card_number
    assert mine.path == f"/members/{new_card}/" and mine.object_id == new_card
    assert mine.detail == {
        "cards": [new_card],
        "text_digest": "[erased]",
        "name": "[erased] [erased]",
    }
    # Another member's card that starts with the erased one, and a shared surname alone,
    # are not theirs: untouched.
    theirs.refresh_from_db()
    assert theirs.object_id == "4000000000171" and theirs.detail["name"] == "Lindqvist"
    assert theirs.detail["text_digest"] == "def"


@pytest.mark.django_db
def test_the_trail_still_refuses_every_other_change(anna):
    event = AuditEvent.objects.create(kind=AuditKind.LOGIN, actor_name="x", path="/p/")
    refused = [
        ("off", "UPDATE audit_auditevent SET path = '/q/' WHERE id = %s"),
        ("on", "UPDATE audit_auditevent SET kind = 'logout' WHERE id = %s"),
        ("on", "UPDATE audit_auditevent SET actor_name = 'y', path = '/q/' WHERE id = %s"),
        ("on", "UPDATE audit_auditevent SET at = now() - interval '1 day' WHERE id = %s"),
        ("on", "DELETE FROM audit_auditevent WHERE id = %s"),
    ]
    for setting, sql in refused:
        with (
            pytest.raises(DatabaseError, match="append-only"),
            transaction.atomic(),
            connection.cursor() as cursor,
        ):
            cursor.execute("SELECT set_config('crm.erasure', %s, true)", [setting])
            cursor.execute(sql, [event.pk])
    # The erasure's own redaction goes through, and the setting is off again after it.
    erase_members([anna.pk], reason="request")
    with connection.cursor() as cursor:
        cursor.execute("SELECT current_setting('crm.erasure', true)")
        assert cursor.fetchone()[0] == "off"
        with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
            cursor.execute("UPDATE audit_auditevent SET path = '/q/' WHERE id = %s", [event.pk])
    event.refresh_from_db()
    assert (event.kind, event.path, event.actor_name) == ("login", "/p/", "x")


@pytest.mark.django_db
def test_an_unknown_reason_is_refused(anna):
    with pytest.raises(ValueError, match="reason"):
        erase_members([anna.pk], reason="because")
    assert Member.objects.get(pk=anna.pk).status == "active"

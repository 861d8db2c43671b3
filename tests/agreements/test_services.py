"""Statements: what a draft claims, what sending freezes, credits for later returns, the trail."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal as D

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from apps.agreements import selectors, services
from apps.agreements.models import SettlementLine, SettlementStatement, StatementEvent
from tests.agreements.conftest import at, redeem, reverse_at

FEB = (dt.date(2026, 2, 1), dt.date(2026, 2, 28))
MARCH = (dt.date(2026, 3, 1), dt.date(2026, 3, 31))
APRIL = (dt.date(2026, 4, 1), dt.date(2026, 4, 30))


def create(deal, period, user, **kw) -> SettlementStatement:
    return services.statement_create(
        agreement=deal["agreement"], period_start=period[0], period_end=period[1], user=user, **kw
    )


def section(statement, name) -> tuple:
    s = selectors.statement_claim(statement=statement).sections[name]
    return s["redemptions"], s["discount"], s["share"], s["not_charged"], s["not_charged_discount"]


def test_a_first_statement_claims_earlier_unclaimed_redemptions_as_late(
    february_march, marketing_user
):
    march = create(february_march, MARCH, marketing_user)
    assert section(march, "period") == (6, D("22.00"), D("9.00"), 2, D("4.00"))
    assert section(march, "late") == (1, D("2.00"), D("1.00"), 0, D("0"))  # R1, February
    assert section(march, "credit") == (0, 0, 0, 0, 0)
    overview = selectors.statement_overview(statement=march)
    assert overview.amount_due == D("10.00")
    assert (overview.cap_used, overview.cap_left) == (D("10.00"), D("0.00"))
    assert (overview.reversed_count, overview.reversed_discount) == (1, D("2.00"))
    assert not overview.frozen


def test_sent_claims_are_frozen_and_later_returns_are_credited_next(february_march, marketing_user):
    r = february_march["r"]
    feb = create(february_march, FEB, marketing_user)
    feb = services.statement_send(statement_id=feb.pk, user=marketing_user)
    assert (feb.status, feb.amount_due, feb.cap_used, feb.budget_cap) == (
        "sent", D("1.00"), D("1.00"), D("10.00"),
    )  # fmt: skip
    assert list(feb.lines.values_list("redemption_id", "kind")) == [(r["R1"].pk, "charge")]

    march = create(february_march, MARCH, marketing_user)
    assert section(march, "late") == (0, 0, 0, 0, 0)  # R1 went out on February's
    # R3 (3.00 / 1.50) returned before March's is sent: not claimed, shown as reversed.
    reverse_at(r["R3"], at("2026-04-02"))
    assert section(march, "period") == (5, D("19.00"), D("7.50"), 2, D("4.00"))
    march = services.statement_send(statement_id=march.pk, user=marketing_user)
    assert march.amount_due == D("7.50")  # 2.00 + 3.00 + 2.50 + 0 + 0
    assert (march.reversed_count, march.reversed_discount) == (2, D("5.00"))  # R5, R3
    assert march.cap_used == D("8.50")  # R1 1.00 + 7.50

    # R2 (4.00 / 2.00), claimed in March, is returned after sending.
    reverse_at(r["R2"], at("2026-04-05"))
    march.refresh_from_db()
    assert march.amount_due == D("7.50")
    assert section(march, "period") == (5, D("19.00"), D("7.50"), 2, D("4.00"))
    since = selectors.statement_reversed_since_sent(statement=march)
    assert [(x["redemption_id"], x["share"], x["credited_on"]) for x in since] == [
        (r["R2"].pk, D("2.00"), None)
    ]
    # A new April redemption used the room the returns left under the cap.
    r10 = redeem(february_march, when=at("2026-04-10"), discount="2.00", share="1.00")
    # R1 (February's) returned in May: April's statement does not see it yet.
    reverse_at(r["R1"], at("2026-05-03"))

    april = create(february_march, APRIL, marketing_user)
    assert section(april, "period") == (2, D("5.00"), D("1.00"), 1, D("3.00"))  # R9, R10
    assert section(april, "credit") == (1, D("4.00"), D("2.00"), 0, D("0"))  # R2
    april = services.statement_send(statement_id=april.pk, user=marketing_user)
    assert april.amount_due == D("-1.00")  # 1.00 − 2.00: a credit to Acme
    assert set(april.lines.values_list("redemption_id", "kind")) == {
        (r["R9"].pk, "charge"), (r10.pk, "charge"), (r["R2"].pk, "credit"),
    }  # fmt: skip
    since = selectors.statement_reversed_since_sent(statement=march)
    assert [(x["redemption_id"], x["credited_on"]) for x in since] == [(r["R2"].pk, april.pk)]

    may = create(february_march, (dt.date(2026, 5, 1), dt.date(2026, 5, 31)), marketing_user)
    assert section(may, "credit") == (1, D("2.00"), D("1.00"), 0, D("0"))  # R1
    # Charged once and credited once each, whatever the number of statements.
    assert SettlementLine.objects.filter(redemption=r["R2"]).count() == 2


def test_statements_go_out_in_order(february_march, marketing_user):
    feb = create(february_march, FEB, marketing_user)
    march = create(february_march, MARCH, marketing_user)
    with pytest.raises(ValidationError, match=f"Send {feb.number} first"):
        services.statement_send(statement_id=march.pk, user=marketing_user)
    services.statement_send(statement_id=feb.pk, user=marketing_user)
    services.statement_send(statement_id=march.pk, user=marketing_user)


def test_no_new_statement_before_the_end_of_a_sent_one(february_march, marketing_user):
    march = create(february_march, MARCH, marketing_user)
    services.statement_send(statement_id=march.pk, user=marketing_user)
    with pytest.raises(ValidationError, match="must start after it"):
        create(february_march, FEB, marketing_user)


def test_a_period_outside_the_agreement_is_refused(february_march, marketing_user):
    with pytest.raises(ValidationError, match="must overlap it"):
        create(february_march, (dt.date(2027, 1, 1), dt.date(2027, 1, 31)), marketing_user)


def test_overlapping_statements_are_refused_by_the_service(february_march, marketing_user):
    march = create(february_march, MARCH, marketing_user)
    with pytest.raises(ValidationError, match=f"{march.number} \\(draft\\) already covers"):
        create(february_march, (dt.date(2026, 3, 31), dt.date(2026, 4, 30)), marketing_user)


def test_the_database_refuses_overlapping_periods_of_one_agreement(deal):
    def make(agreement, start, end):
        with transaction.atomic():
            return SettlementStatement.objects.create(
                agreement=agreement, period_start=start, period_end=end
            )

    make(deal["agreement"], dt.date(2026, 3, 1), dt.date(2026, 3, 31))
    # Adjacent periods and another agreement's same period are fine.
    make(deal["agreement"], dt.date(2026, 4, 1), dt.date(2026, 4, 30))
    make(deal["bolt_agreement"], dt.date(2026, 3, 1), dt.date(2026, 3, 31))
    # One shared day is one too many.
    with pytest.raises(IntegrityError, match="statement_no_overlap"):
        make(deal["agreement"], dt.date(2026, 2, 1), dt.date(2026, 3, 1))
    with pytest.raises(IntegrityError, match="statement_no_overlap"):
        make(deal["agreement"], dt.date(2026, 3, 10), dt.date(2026, 3, 12))
    with pytest.raises(IntegrityError, match="statement_period_order"):
        make(deal["agreement"], dt.date(2026, 6, 2), dt.date(2026, 6, 1))


def test_a_sent_statement_must_carry_its_frozen_totals(deal):
    with pytest.raises(IntegrityError, match="statement_sent_is_frozen"):
        SettlementStatement.objects.create(
            agreement=deal["agreement"], period_start=dt.date(2026, 3, 1),
            period_end=dt.date(2026, 3, 31), status="sent",
        )  # fmt: skip


def test_transitions_happen_once_and_in_order(february_march, marketing_user):
    march = create(february_march, MARCH, marketing_user)
    with pytest.raises(ValidationError, match="only a sent statement can be marked paid"):
        services.statement_mark_paid(statement_id=march.pk, user=marketing_user)
    services.statement_send(statement_id=march.pk, user=marketing_user)
    lines = SettlementLine.objects.filter(statement=march).count()
    with pytest.raises(ValidationError, match="already sent"):
        services.statement_send(statement_id=march.pk, user=marketing_user)
    assert SettlementLine.objects.filter(statement=march).count() == lines == 7
    services.statement_mark_paid(statement_id=march.pk, user=marketing_user, note="ACH 4471")
    with pytest.raises(ValidationError, match="is paid"):
        services.statement_mark_paid(statement_id=march.pk, user=marketing_user)
    with pytest.raises(ValidationError, match="only a draft can be edited"):
        services.statement_update(
            statement_id=march.pk, user=marketing_user, agreement=february_march["agreement"],
            period_start=MARCH[0], period_end=MARCH[1], note="",
        )  # fmt: skip
    assert StatementEvent.objects.filter(statement=march).count() == 3


def test_every_change_is_in_the_audit_trail(february_march, marketing_user, admin_user_):
    statement = create(february_march, FEB, marketing_user, note="first try")
    services.statement_update(
        statement_id=statement.pk, user=admin_user_, agreement=february_march["agreement"],
        period_start=MARCH[0], period_end=MARCH[1], note="first try",
    )  # fmt: skip
    services.statement_send(statement_id=statement.pk, user=marketing_user, note="by e-mail")
    services.statement_mark_paid(statement_id=statement.pk, user=admin_user_, note="ACH 4471")
    trail = [
        (e.user.username, e.action, e.from_status, e.to_status, e.note, e.changes)
        for e in statement.events.select_related("user")
    ]
    assert trail == [
        ("vp", "created", "", "draft", "first try", {}),
        ("admin", "edited", "", "draft", "", {
            "period_start": ["2026-02-01", "2026-03-01"],
            "period_end": ["2026-02-28", "2026-03-31"],
        }),
        ("vp", "sent", "draft", "sent", "by e-mail", {"amount_due": ["", "10.00"]}),
        ("admin", "paid", "sent", "paid", "ACH 4471", {}),
    ]  # fmt: skip
    statement.refresh_from_db()
    assert (statement.sent_by, statement.paid_by) == (marketing_user, admin_user_)


def test_an_edit_that_changes_nothing_leaves_no_event(february_march, marketing_user):
    statement = create(february_march, MARCH, marketing_user)
    services.statement_update(
        statement_id=statement.pk, user=marketing_user, agreement=february_march["agreement"],
        period_start=MARCH[0], period_end=MARCH[1], note="",
    )  # fmt: skip
    assert statement.events.count() == 1


def test_only_marketing_manages_statements(february_march, manufacturer_a_user, cashier_user):
    for user in (manufacturer_a_user, cashier_user):
        with pytest.raises(ValidationError, match="Only a marketing user"):
            create(february_march, MARCH, user)

"""Writes for settlement: create and edit a draft statement, send it (freezing it), mark it paid.

Every change is an event in the statement's audit trail, written in the same transaction.
Transitions claim the row by filtering on the old status in the UPDATE, so of two
concurrent requests only one moves it; the other gets a ValidationError.
"""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext

from apps.accounts.models import Role
from apps.agreements import selectors
from apps.agreements.models import (
    ManufacturerAgreement,
    SettlementStatement,
    StatementAction,
    StatementEvent,
    StatementStatus,
)
from apps.core.citus import violates


def day_text(day: dt.date) -> str:
    """Return a day as every page writes it (settings.DATE_FORMAT: "4 Dec 2026")."""
    return date_format(day, "DATE_FORMAT")


def _require_marketing(user) -> None:
    if not user.has_role(Role.MARKETING):
        raise ValidationError(gettext("Only a marketing user can manage settlement statements."))


def _lock_agreement_statements(agreement_id: int) -> list[SettlementStatement]:
    """Lock the agreement's statements, by id: creates, edits and sends of one agreement queue.

    Not the agreement row itself: the checkout locks that for every redemption it funds.
    """
    return list(
        SettlementStatement.objects.select_for_update()
        .filter(agreement_id=agreement_id)
        .order_by("pk")
    )


def _check_period(
    *,
    agreement: ManufacturerAgreement,
    period_start: dt.date,
    period_end: dt.date,
    others: list[SettlementStatement],
) -> None:
    """Raise unless the period is in order, free, and after every sent statement's period."""
    if period_end < period_start:
        raise ValidationError({"period_end": gettext("The period must end on or after its start.")})
    if period_end < agreement.valid_from or period_start > agreement.valid_until:
        raise ValidationError(
            gettext("The agreement runs from %(start)s to %(end)s: the period must overlap it.")
            % {"start": day_text(agreement.valid_from), "end": day_text(agreement.valid_until)}
        )
    for other in others:
        if other.period_start <= period_end and period_start <= other.period_end:
            raise ValidationError(
                gettext("%(number)s (%(status)s) already covers %(start)s to %(end)s.")
                % {
                    "number": other.number,
                    "status": other.get_status_display().lower(),
                    "start": day_text(other.period_start),
                    "end": day_text(other.period_end),
                }
            )
        # A sent statement claimed everything bought up to its end: an earlier period
        # would claim nothing, and its figures would not match its claim.
        if not other.is_draft and period_start <= other.period_end:
            raise ValidationError(
                gettext(
                    "%(number)s was sent for up to %(end)s: a new statement must start after it."
                )
                % {"number": other.number, "end": day_text(other.period_end)}
            )


def _record(statement, *, user, action, from_status="", note="", changes=None) -> None:
    StatementEvent.objects.create(
        statement=statement,
        user=user,
        action=action,
        from_status=from_status,
        to_status=statement.status,
        note=note,
        changes=changes or {},
    )


def _save_unique(statement: SettlementStatement) -> None:
    # The exclusion constraint is the backstop for a first statement created twice at once
    # (nothing to lock yet): its violation is a form error, not a 500.
    try:
        with transaction.atomic():
            statement.save()
    except IntegrityError as error:
        if violates(error, "statement_no_overlap"):
            raise ValidationError(
                gettext("Another statement of this agreement covers these days.")
            ) from None
        raise


@transaction.atomic
def statement_create(
    *,
    agreement: ManufacturerAgreement,
    period_start: dt.date,
    period_end: dt.date,
    user,
    note: str = "",
) -> SettlementStatement:
    """Create a draft statement for the agreement and period (dates inclusive)."""
    _require_marketing(user)
    others = _lock_agreement_statements(agreement.pk)
    _check_period(
        agreement=agreement, period_start=period_start, period_end=period_end, others=others
    )
    statement = SettlementStatement(
        agreement=agreement,
        period_start=period_start,
        period_end=period_end,
        note=note,
        created_by=user,
    )
    _save_unique(statement)
    _record(statement, user=user, action=StatementAction.CREATED, note=note)
    return statement


@transaction.atomic
def statement_update(
    *,
    statement_id: int,
    user,
    agreement: ManufacturerAgreement,
    period_start: dt.date,
    period_end: dt.date,
    note: str,
) -> SettlementStatement:
    """Change a draft's agreement, period or note; the trail keeps each old and new value."""
    _require_marketing(user)
    current = SettlementStatement.objects.get(pk=statement_id)
    agreement_ids = sorted({current.agreement_id, agreement.pk})
    others = [
        s
        for agreement_id in agreement_ids
        for s in _lock_agreement_statements(agreement_id)
        if s.agreement_id == agreement.pk and s.pk != statement_id
    ]
    statement = SettlementStatement.objects.select_for_update().get(pk=statement_id)
    if not statement.is_draft:
        raise ValidationError(
            gettext("%(number)s is %(status)s: only a draft can be edited.")
            % {"number": statement.number, "status": statement.get_status_display().lower()}
        )
    _check_period(
        agreement=agreement, period_start=period_start, period_end=period_end, others=others
    )
    new = {
        "agreement": agreement,
        "period_start": period_start,
        "period_end": period_end,
        "note": note,
    }
    changes = {
        name: [str(getattr(statement, name)), str(value)]
        for name, value in new.items()
        if getattr(statement, name) != value
    }
    if not changes:
        return statement
    for name, value in new.items():
        setattr(statement, name, value)
    _save_unique(statement)
    _record(statement, user=user, action=StatementAction.EDITED, changes=changes)
    return statement


@transaction.atomic
def statement_send(*, statement_id: int, user, note: str = "") -> SettlementStatement:
    """Send a draft: claim its lines and freeze its totals, once.

    The lines are what `selectors.statement_claim` shows for the draft, written by one
    INSERT … SELECT; the unique (redemption, kind) of the lines keeps a redemption from
    being charged or credited twice whatever happens.
    """
    _require_marketing(user)
    agreement_id = SettlementStatement.objects.values_list("agreement_id", flat=True).get(
        pk=statement_id
    )
    others = _lock_agreement_statements(agreement_id)
    statement = next(s for s in others if s.pk == statement_id)
    earlier = [s for s in others if s.is_draft and s.period_end < statement.period_start]
    if statement.is_draft and earlier:
        raise ValidationError(
            gettext("Send %(number)s first: statements of an agreement go out in order.")
            % {"number": earlier[0].number}
        )
    now = timezone.now()
    claimed = SettlementStatement.objects.filter(
        pk=statement_id, status=StatementStatus.DRAFT
    ).update(status=StatementStatus.SENT, sent_at=now, sent_by=user, **_frozen_placeholders())
    if not claimed:
        raise ValidationError(
            gettext("%(number)s is already %(status)s.")
            % {"number": statement.number, "status": statement.get_status_display().lower()}
        )
    statement.refresh_from_db()
    with connection.cursor() as cursor:
        cursor.execute(selectors.CLAIM_INSERT_SQL, selectors._claim_params(statement))
    claim = selectors.statement_claim(statement=statement)
    period = selectors.agreement_period_summary(
        agreement=statement.agreement,
        period_start=statement.period_start,
        period_end=statement.period_end,
    )
    # "Used by redemptions" up to the period's end: the figure the draft's page showed.
    budget = selectors.agreement_budget(
        agreement=statement.agreement, used_until=statement.period_end
    )
    SettlementStatement.objects.filter(pk=statement_id).update(
        amount_due=claim.amount_due,
        budget_cap=budget.cap,
        cap_used=budget.used,
        reversed_count=period.total["reversed"],
        reversed_discount=period.total["reversed_discount"],
    )
    statement.refresh_from_db()
    _record(
        statement,
        user=user,
        action=StatementAction.SENT,
        from_status=StatementStatus.DRAFT,
        note=note,
        changes={"amount_due": ["", str(statement.amount_due)]},
    )
    return statement


def _frozen_placeholders() -> dict:
    # The row is sent before its totals are computed (they read the lines inserted next);
    # zeros satisfy `statement_sent_is_frozen` until the real totals replace them below.
    return {
        "amount_due": 0,
        "budget_cap": 0,
        "cap_used": 0,
        "reversed_count": 0,
        "reversed_discount": 0,
    }


@transaction.atomic
def statement_mark_paid(*, statement_id: int, user, note: str = "") -> SettlementStatement:
    """Record that the manufacturer paid a sent statement, once."""
    _require_marketing(user)
    claimed = SettlementStatement.objects.filter(
        pk=statement_id, status=StatementStatus.SENT
    ).update(status=StatementStatus.PAID, paid_at=timezone.now(), paid_by=user)
    statement = SettlementStatement.objects.get(pk=statement_id)
    if not claimed:
        raise ValidationError(
            gettext("%(number)s is %(status)s: only a sent statement can be marked paid.")
            % {"number": statement.number, "status": statement.get_status_display().lower()}
        )
    _record(
        statement,
        user=user,
        action=StatementAction.PAID,
        from_status=StatementStatus.SENT,
        note=note,
    )
    return statement

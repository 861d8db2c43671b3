"""The demo's settlement: each funding agreement's statements, sent, paid or drafted."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from apps.agreements.models import (
    ManufacturerAgreement,
    SettlementStatement,
    StatementAction,
    StatementEvent,
)
from apps.agreements.services import statement_create, statement_mark_paid, statement_send
from apps.demo.plan import Dates


def statements_ensure(*, agreements: list[ManufacturerAgreement], dates: Dates, user) -> list[str]:
    """Settle each agreement up to the previous period's end; draft the current period.

    Maker 1 has paid its statement, maker 2's is sent and awaits payment: the settlement
    pages show every state. Made through the settlement services (claim lines frozen on
    sending), then dated when they would have been sent and paid.
    """
    numbers = []
    settled_until = dates.current - dt.timedelta(days=1)
    sent_at = timezone.make_aware(dt.datetime.combine(dates.current, dt.time(9, 0)))
    paid_at = sent_at + dt.timedelta(days=4, hours=5)
    for number, agreement in enumerate(agreements):
        if agreement.statements.exists():
            numbers += [s.number for s in agreement.statements.order_by("period_start")]
            continue
        settled = statement_create(
            agreement=agreement,
            period_start=agreement.valid_from,
            period_end=settled_until,
            user=user,
            note="Demo: the weeks up to the current list period.",
        )
        statement_send(statement_id=settled.pk, user=user)
        created_at = sent_at - dt.timedelta(minutes=30)
        times = {StatementAction.CREATED: created_at, StatementAction.SENT: sent_at}
        fields = {"created_at": created_at, "sent_at": sent_at}
        if number == 0:
            statement_mark_paid(statement_id=settled.pk, user=user, note="Paid by transfer.")
            times[StatementAction.PAID] = fields["paid_at"] = paid_at
        SettlementStatement.objects.filter(pk=settled.pk).update(**fields)
        for action, at in times.items():
            StatementEvent.objects.filter(statement=settled, action=action).update(at=at)
        draft = statement_create(
            agreement=agreement, period_start=dates.current, period_end=dates.end, user=user
        )
        numbers += [settled.number, draft.number]
    return numbers

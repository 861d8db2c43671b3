"""Statement lists: each statement's amount due now, and the statements a user may see."""

from __future__ import annotations

from django.conf import settings
from django.db.models import QuerySet
from django.db.models.expressions import RawSQL

from apps.accounts.models import Role
from apps.agreements.models import SettlementStatement, StatementStatus
from apps.agreements.selectors.claim import _draft_lines

# A statement's amount due in a list: the frozen amount once sent; for a draft, what its
# page shows, charges minus credits of the lines sending would write now. The period's end
# is the local midnight after `period_end` (local_midnight), here in SQL for each row.
_LIST_END_AT = '(("agreements_settlementstatement"."period_end" + 1)::timestamp AT TIME ZONE %s)'
AMOUNT_DUE_SQL = f"""
CASE WHEN "agreements_settlementstatement"."status" = 'draft' THEN (
    SELECT coalesce(sum(CASE WHEN l.kind = 'credit' THEN -l.share ELSE l.share END), 0)
    FROM ({_draft_lines(agreement='"agreements_settlementstatement"."agreement_id"',
                        start_at="NULL::timestamptz", end_at=_LIST_END_AT)}) l
) ELSE "agreements_settlementstatement"."amount_due" END
"""  # fmt: skip


def statements_with_amount_due(statements: QuerySet) -> QuerySet:
    """Annotate `amount_due_now`: sent ones' frozen amount, drafts' live one, as on their page.

    One correlated subquery per row of the page in the same statement: a list of 25 drafts
    costs no extra round trip. A "—" for drafts used to say nothing was due.
    """
    tz = settings.TIME_ZONE
    return statements.annotate(
        amount_due_now=RawSQL(AMOUNT_DUE_SQL, [tz] * AMOUNT_DUE_SQL.count("%s"))
    )


def statements_visible_to(user):
    """Return the statements the user may see: all for marketing; a maker's sent ones for it."""
    qs = SettlementStatement.objects.select_related("agreement__manufacturer")
    if user.has_role(Role.MARKETING):
        return qs
    if user.role == Role.MANUFACTURER and user.manufacturer_id is not None:
        return qs.filter(
            agreement__manufacturer_id=user.manufacturer_id,
            status__in=[StatementStatus.SENT, StatementStatus.PAID],
        )
    return qs.none()

"""Reads for settlement: an agreement's figures for a period, a statement's claim and lines.

Each figure comes from one SQL statement with bound parameters. A redemption belongs to
the day its basket was bought (the till's time, in the site's time zone), the day its
agreement's validity was judged on; a reversal to the day the return was recorded.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal

from django.conf import settings
from django.db import connection
from django.db.models import F, OuterRef, QuerySet, Subquery
from django.db.models.expressions import RawSQL

from apps.accounts.models import Role
from apps.agreements.models import (
    LineKind,
    ManufacturerAgreement,
    SettlementLine,
    SettlementStatement,
    StatementStatus,
)
from apps.core.clock import local_midnight

ZERO = Decimal("0.00")


def _period_params(agreement_id: int, start: dt.date, end: dt.date) -> dict:
    return {
        "agreement_id": agreement_id,
        "start_at": local_midnight(start),
        "end_at": local_midnight(end + dt.timedelta(days=1)),  # exclusive
    }


def _rows(sql: str, params: dict) -> list[dict]:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        names = [c.name for c in cursor.description]
        return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]


# --- An agreement's figures for a period --------------------------------------------------

# Per campaign and product, and a total row (is_total). Period figures count redemptions
# bought in the period; cap_used counts every live share bought up to the period's end,
# which is what the checkout measured the cap against.
PERIOD_SUMMARY_SQL = """
WITH r AS (
    SELECT r.campaign_id, r.product_id, r.discount, r.manufacturer_share AS share,
           r.reversed_at IS NULL AS live, b.purchased_at >= %(start_at)s AS in_period
    FROM checkout_redemption r
    JOIN baskets_basket b ON b.id = r.basket_id
    WHERE r.agreement_id = %(agreement_id)s AND b.purchased_at < %(end_at)s
), grouped AS (
    SELECT campaign_id, product_id, GROUPING(campaign_id, product_id) <> 0 AS is_total,
           count(*) FILTER (WHERE live AND in_period) AS redemptions,
           coalesce(sum(discount) FILTER (WHERE live AND in_period), 0) AS discount,
           coalesce(sum(share) FILTER (WHERE live AND in_period), 0) AS share,
           count(*) FILTER (WHERE live AND in_period AND share = 0) AS not_charged,
           coalesce(sum(discount) FILTER (WHERE live AND in_period AND share = 0), 0)
               AS not_charged_discount,
           count(*) FILTER (WHERE NOT live AND in_period) AS reversed,
           coalesce(sum(discount) FILTER (WHERE NOT live AND in_period), 0)
               AS reversed_discount,
           coalesce(sum(share) FILTER (WHERE live), 0) AS cap_used
    FROM r
    GROUP BY GROUPING SETS ((campaign_id, product_id), ())
)
SELECT g.*, c.name AS campaign, p.upc, p.name AS product, p.brand
FROM grouped g
LEFT JOIN campaigns_campaign c ON c.id = g.campaign_id
LEFT JOIN catalog_product p ON p.id = g.product_id
WHERE g.is_total OR g.redemptions + g.reversed > 0
ORDER BY g.is_total, c.name, p.brand, p.name, p.upc
"""


@dataclass
class PeriodSummary:
    """An agreement's redemptions bought in a period, and its cap at the period's end."""

    agreement: ManufacturerAgreement
    period_start: dt.date
    period_end: dt.date
    total: dict
    rows: list[dict] = field(default_factory=list)

    @property
    def cap_used(self) -> Decimal:
        return self.total["cap_used"]

    @property
    def cap_left(self) -> Decimal:
        return max(self.agreement.budget_cap - self.cap_used, ZERO)


def agreement_period_summary(
    *, agreement: ManufacturerAgreement, period_start: dt.date, period_end: dt.date
) -> PeriodSummary:
    """Return the period's redemptions (live and reversed), discount, share, cap used and left.

    A live redemption with share 0 was beyond the budget cap (or not covered by a share):
    it is counted as not charged, with its discount.
    """
    rows = _rows(PERIOD_SUMMARY_SQL, _period_params(agreement.pk, period_start, period_end))
    total = rows.pop()  # the () grouping set sorts last and exists even without rows
    return PeriodSummary(agreement, period_start, period_end, total, rows)


# --- An agreement's budget: committed to campaigns, used by redemptions -------------------

# Two figures, each with one definition and one label on every page (never a bare "left"):
# the campaign form checks what is not yet *committed* (the share of its campaigns' budgets:
# money promised, whether spent or not), a statement shows what is not yet *used* (live
# shares the tills charged, the cap the checkout enforces). A campaign's spend never exceeds
# its budget, so what is used never exceeds what is committed to the campaigns that used it.
BUDGET_LABELS = {
    "cap": "Budget cap",
    "committed": "Committed to campaigns",
    "uncommitted": "Not yet committed",
    "used": "Used by redemptions",
    "unused": "Not yet used",
}

# Committed: the agreement's campaigns' budgets (but the one being checked); used: the
# live shares of redemptions bought up to end_at (all of them without one), as cap_used.
BUDGET_SQL = """
SELECT (SELECT coalesce(sum(c.budget), 0) FROM campaigns_campaign c
        WHERE c.agreement_id = %(agreement_id)s
          AND (%(exclude_id)s::bigint IS NULL OR c.id <> %(exclude_id)s::bigint)) AS budgets,
       (SELECT coalesce(sum(r.manufacturer_share), 0)
        FROM checkout_redemption r
        JOIN baskets_basket b ON b.id = r.basket_id
        WHERE r.agreement_id = %(agreement_id)s AND r.reversed_at IS NULL
          AND (%(end_at)s::timestamptz IS NULL OR b.purchased_at < %(end_at)s::timestamptz))
           AS used
"""

CENT = Decimal("0.01")


@dataclass(frozen=True)
class AgreementBudget:
    """An agreement's budget cap, what its campaigns commit and what redemptions used."""

    cap: Decimal
    share_pct: Decimal
    committed: Decimal
    used: Decimal
    used_until: dt.date | None = None  # the last day counted; None: every redemption so far

    @property
    def uncommitted(self) -> Decimal:
        """Return the cap not yet promised to campaigns (never below 0)."""
        return max(self.cap - self.committed, ZERO)

    @property
    def unused(self) -> Decimal:
        """Return the cap the tills have not charged yet (never below 0)."""
        return max(self.cap - self.used, ZERO)

    def share_of(self, budget: Decimal) -> Decimal:
        """Return the manufacturer's share of a campaign budget, to the cent."""
        return (budget * self.share_pct / 100).quantize(CENT)


def agreement_budget(
    *,
    agreement: ManufacturerAgreement,
    used_until: dt.date | None = None,
    exclude_campaign_id: int | None = None,
) -> AgreementBudget:
    """Return the agreement's cap, committed share (its campaigns' budgets) and used share.

    `used_until` counts redemptions bought up to that day (a statement's period end);
    `exclude_campaign_id` leaves out the campaign being checked, as the campaign form needs.
    Committed is the share of the campaigns' summed budgets, rounded to the cent once.
    """
    end_at = local_midnight(used_until + dt.timedelta(days=1)) if used_until else None
    params = {"agreement_id": agreement.pk, "exclude_id": exclude_campaign_id, "end_at": end_at}
    (row,) = _rows(BUDGET_SQL, params)
    budgets, used = row["budgets"], row["used"]
    return AgreementBudget(
        cap=agreement.budget_cap,
        share_pct=agreement.manufacturer_share_pct,
        committed=(budgets * agreement.manufacturer_share_pct / 100).quantize(CENT),
        used=used,
        used_until=used_until,
    )


def agreement_budget_errors(*, agreement: ManufacturerAgreement, campaign) -> list[str]:
    """Return why the campaign's share of its budget does not fit in what is not yet committed.

    The campaign form's check (apps.campaigns.validation.campaign_funding_errors calls it),
    worded with the labels every page uses for the two figures.
    """
    if campaign.budget is None:
        return []
    budget = agreement_budget(agreement=agreement, exclude_campaign_id=campaign.pk)
    needed = budget.share_of(campaign.budget)
    if budget.committed + needed <= budget.cap:
        return []
    return [
        f"The manufacturer's share of this budget (${needed:,.2f}) is more than the "
        f"agreement's budget {BUDGET_LABELS['uncommitted'].lower()}: "
        f"${budget.uncommitted:,.2f} of its ${budget.cap:,.2f} cap "
        f"(${budget.committed:,.2f} {BUDGET_LABELS['committed'].lower()}). "
        f"{BUDGET_LABELS['used']} so far: ${budget.used:,.2f}; "
        f"{BUDGET_LABELS['unused'].lower()}: ${budget.unused:,.2f}."
    ]


# --- A statement's claim ------------------------------------------------------------------


# What a draft would claim if sent now: every live redemption bought up to the period's
# end that no sent statement has charged (`late` if bought before the period: a till that
# sent it late, or a gap between statements), and a credit for every charged redemption
# reversed up to the period's end that no statement has credited yet. Written once, for
# one statement's bound parameters (the page) and correlated to each row of a statement
# list (its amount due): one definition of what a draft claims.
def _draft_lines(*, agreement: str, start_at: str, end_at: str) -> str:
    return f"""
    SELECT r.id AS redemption_id, 'charge' AS kind, b.purchased_at < {start_at} AS late,
           r.discount, r.manufacturer_share AS share
    FROM checkout_redemption r
    JOIN baskets_basket b ON b.id = r.basket_id
    WHERE r.agreement_id = {agreement} AND r.reversed_at IS NULL
      AND b.purchased_at < {end_at}
      AND NOT EXISTS (SELECT 1 FROM agreements_settlementline l
                      WHERE l.redemption_id = r.id AND l.kind = 'charge')
    UNION ALL
    SELECT r.id, 'credit', false, r.discount, r.manufacturer_share
    FROM checkout_redemption r
    WHERE r.agreement_id = {agreement} AND r.reversed_at < {end_at}
      AND EXISTS (SELECT 1 FROM agreements_settlementline l
                  WHERE l.redemption_id = r.id AND l.kind = 'charge')
      AND NOT EXISTS (SELECT 1 FROM agreements_settlementline l
                      WHERE l.redemption_id = r.id AND l.kind = 'credit')
"""


DRAFT_LINES = _draft_lines(
    agreement="%(agreement_id)s", start_at="%(start_at)s", end_at="%(end_at)s"
)

# What a sent statement claimed: its frozen lines.
SENT_LINES = """
    SELECT redemption_id, kind, late, discount, share
    FROM agreements_settlementline WHERE statement_id = %(statement_id)s
"""

CLAIM_INSERT_SQL = f"""
INSERT INTO agreements_settlementline (statement_id, redemption_id, kind, late, discount, share)
SELECT %(statement_id)s, redemption_id, kind, late, discount, share FROM ({DRAFT_LINES}) lines
"""

# Sections: `period` (bought in the period), `late` (bought earlier, charged now), `credit`
# (charged earlier, since reversed). Rows per section, campaign and product, then one row
# per section (is_section).
CLAIM_SUMMARY_SQL = """
WITH lines AS ({lines}), tagged AS (
    SELECT CASE WHEN l.kind = 'credit' THEN 'credit' WHEN l.late THEN 'late' ELSE 'period' END
               AS section,
           r.campaign_id, r.product_id, l.discount, l.share
    FROM lines l JOIN checkout_redemption r ON r.id = l.redemption_id
), grouped AS (
    SELECT section, campaign_id, product_id,
           GROUPING(campaign_id, product_id) <> 0 AS is_section,
           count(*) AS redemptions, sum(discount) AS discount, sum(share) AS share,
           count(*) FILTER (WHERE share = 0) AS not_charged,
           coalesce(sum(discount) FILTER (WHERE share = 0), 0) AS not_charged_discount
    FROM tagged
    GROUP BY GROUPING SETS ((section, campaign_id, product_id), (section))
)
SELECT g.*, c.name AS campaign, p.upc, p.name AS product, p.brand
FROM grouped g
LEFT JOIN campaigns_campaign c ON c.id = g.campaign_id
LEFT JOIN catalog_product p ON p.id = g.product_id
ORDER BY g.section, g.is_section, c.name, p.brand, p.name, p.upc
"""

# One row per claimed redemption, for the CSV. Nothing about the member or the basket.
CLAIM_LINES_SQL = """
WITH lines AS ({lines})
SELECT CASE WHEN l.kind = 'credit' THEN 'credit' WHEN l.late THEN 'late' ELSE 'period' END
           AS section,
       r.id AS redemption_id, b.purchased_at, r.reversed_at, s.code AS store,
       c.name AS campaign, p.upc, p.brand, p.name AS product, r.quantity,
       l.discount, l.share
FROM lines l
JOIN checkout_redemption r ON r.id = l.redemption_id
JOIN baskets_basket b ON b.id = r.basket_id
JOIN baskets_store s ON s.id = b.store_id
JOIN campaigns_campaign c ON c.id = r.campaign_id
JOIN catalog_product p ON p.id = r.product_id
ORDER BY CASE WHEN l.kind = 'credit' THEN 3 WHEN l.late THEN 2 ELSE 1 END,
         b.purchased_at, r.id
"""

SECTIONS = ("period", "late", "credit")
SECTION_TITLES = {
    "period": "Redemptions in the period",
    "late": "Earlier redemptions not yet claimed",
    "credit": "Credits: claimed earlier, since reversed",
}


def _claim_params(statement: SettlementStatement) -> dict:
    params = _period_params(statement.agreement_id, statement.period_start, statement.period_end)
    params["statement_id"] = statement.pk
    return params


def _lines_source(statement: SettlementStatement) -> str:
    return DRAFT_LINES if statement.is_draft else SENT_LINES


@dataclass
class Claim:
    """A statement's claim by section, with rows per campaign and product."""

    sections: dict[str, dict]
    rows: dict[str, list[dict]]

    @property
    def amount_due(self) -> Decimal:
        s = self.sections
        return s["period"]["share"] + s["late"]["share"] - s["credit"]["share"]

    @property
    def is_empty(self) -> bool:
        return not any(self.rows.values())


def _empty_section() -> dict:
    return {
        "redemptions": 0,
        "discount": ZERO,
        "share": ZERO,
        "not_charged": 0,
        "not_charged_discount": ZERO,
    }


def statement_claim(*, statement: SettlementStatement) -> Claim:
    """Return what the statement claims: frozen lines once sent, else what sending would claim."""
    sql = CLAIM_SUMMARY_SQL.format(lines=_lines_source(statement))
    sections = {name: _empty_section() for name in SECTIONS}
    rows: dict[str, list[dict]] = {name: [] for name in SECTIONS}
    for row in _rows(sql, _claim_params(statement)):
        if row["is_section"]:
            sections[row["section"]] = row
        else:
            rows[row["section"]].append(row)
    return Claim(sections, rows)


@dataclass
class Overview:
    """A statement's figures, live for a draft and frozen for a sent one.

    `cap_used` and `cap_left` are the budget's "used by redemptions" and "not yet used" up
    to the period's end; a draft also has the live "committed to campaigns" figures (a sent
    statement froze only what it claimed, not the campaigns' plans).
    """

    claim: Claim
    amount_due: Decimal
    budget_cap: Decimal
    cap_used: Decimal
    cap_left: Decimal
    reversed_count: int
    reversed_discount: Decimal
    frozen: bool
    committed: Decimal | None = None
    uncommitted: Decimal | None = None


def statement_overview(*, statement: SettlementStatement) -> Overview:
    """Return the claim with the amount due, the budget at the period's end and the reversals."""
    claim = statement_claim(statement=statement)
    if not statement.is_draft:
        return Overview(
            claim=claim,
            amount_due=statement.amount_due,
            budget_cap=statement.budget_cap,
            cap_used=statement.cap_used,
            cap_left=statement.cap_left,
            reversed_count=statement.reversed_count,
            reversed_discount=statement.reversed_discount,
            frozen=True,
        )
    period = agreement_period_summary(
        agreement=statement.agreement,
        period_start=statement.period_start,
        period_end=statement.period_end,
    )
    budget = agreement_budget(agreement=statement.agreement, used_until=statement.period_end)
    return Overview(
        claim=claim,
        amount_due=claim.amount_due,
        budget_cap=budget.cap,
        cap_used=budget.used,
        cap_left=budget.unused,
        reversed_count=period.total["reversed"],
        reversed_discount=period.total["reversed_discount"],
        frozen=False,
        committed=budget.committed,
        uncommitted=budget.uncommitted,
    )


def statement_lines(*, statement: SettlementStatement) -> list[dict]:
    """Return one row per redemption the statement claims or credits, oldest first."""
    sql = CLAIM_LINES_SQL.format(lines=_lines_source(statement))
    return _rows(sql, _claim_params(statement))


def statement_reversed_since_sent(*, statement: SettlementStatement) -> list[dict]:
    """Return the sent statement's charged redemptions reversed since, and where credited."""
    if statement.is_draft:
        return []
    credited_on = SettlementLine.objects.filter(
        redemption_id=OuterRef("redemption_id"), kind=LineKind.CREDIT
    ).values("statement_id")[:1]
    rows = list(
        statement.lines.filter(kind=LineKind.CHARGE, redemption__reversed_at__isnull=False)
        .annotate(reversed_at=F("redemption__reversed_at"), credited_on=Subquery(credited_on))
        .order_by("reversed_at", "redemption_id")
        .values("redemption_id", "discount", "share", "reversed_at", "credited_on")
    )
    for row in rows:
        credited = row["credited_on"]
        row["credited_number"] = SettlementStatement(pk=credited).number if credited else None
    return rows


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

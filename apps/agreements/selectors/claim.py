"""A statement's claim: what a draft would claim if sent now, what a sent one froze.

Each figure comes from one SQL statement with bound parameters; the draft's lines are
written once (`_draft_lines`) and shared with the statement list's amount due.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from django.db.models import F, OuterRef, Subquery
from django.utils.translation import gettext_lazy as _

from apps.agreements.models import LineKind, SettlementLine, SettlementStatement
from apps.agreements.selectors.budget import agreement_budget
from apps.agreements.selectors.common import ZERO, _period_params, _rows
from apps.agreements.selectors.period import agreement_period_summary


# What a draft would claim if sent now: every live redemption bought up to the period's
# end that no sent statement has charged (`late` if bought before the period: a till that
# sent it late, or a gap between statements), and a credit for every charged redemption
# reversed up to the period's end that no statement has credited yet. Written once, for
# one statement's bound parameters (the page) and correlated to each row of a statement
# list (its amount due): one definition of what a draft claims.
def _draft_lines(*, agreement: str, start_at: str, end_at: str) -> str:
    return f"""
    SELECT r.id AS redemption_id, 'charge' AS kind, r.purchased_at < {start_at} AS late,
           r.discount, r.manufacturer_share AS share
    FROM checkout_redemption r
    WHERE r.agreement_id = {agreement} AND r.reversed_at IS NULL
      AND r.purchased_at < {end_at}
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
       r.id AS redemption_id, r.purchased_at, r.reversed_at, s.code AS store,
       c.name AS campaign, p.upc, p.brand, p.name AS product, r.quantity,
       l.discount, l.share
FROM lines l
JOIN checkout_redemption r ON r.id = l.redemption_id
JOIN baskets_store s ON s.id = r.store_id
JOIN campaigns_campaign c ON c.id = r.campaign_id
JOIN catalog_product p ON p.id = r.product_id
ORDER BY CASE WHEN l.kind = 'credit' THEN 3 WHEN l.late THEN 2 ELSE 1 END,
         r.purchased_at, r.id
"""

SECTIONS = ("period", "late", "credit")
SECTION_TITLES = {
    "period": _("Redemptions in the period"),
    "late": _("Earlier redemptions not yet claimed"),
    "credit": _("Credits: claimed earlier, since reversed"),
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

"""The allocation preview: a dry run of the allocation itself, rolled back.

What the campaign page says a campaign will do is what allocation then does, because it is
allocation: the campaign (if not live yet) is made live inside a savepoint, its audience
stored, the period's eligible members scored and the period decided, exactly as list
generation will; the figures are read and the savepoint rolled back. Nothing is kept.

The period is the earliest list period that has not ended and overlaps the campaign, if its
lists exist; otherwise the period the next lists would cover, from today (or the
campaign's start), with the members eligible then.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal

from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from apps.campaigns.allocation.decide import allocation_decide
from apps.campaigns.allocation.eligibility import ELIGIBLE_SQL, eligibility_params
from apps.campaigns.allocation.rules import AllocationRules, Eligibility
from apps.campaigns.allocation.scoring import PERIOD_DAYS, allocation_score
from apps.campaigns.models import (
    CELL_LABELS,
    Allocation,
    Campaign,
    CampaignAudience,
    CampaignStatus,
    EligibleMember,
    Outcome,
)

CENT = Decimal("0.01")
# What the preview counts, in the order the page shows them, with the words it uses.
REASONS = {
    "not_eligible": _("No list this period (spent under the list threshold, closed or no consent)"),
    "not_due": _("Not due in the category yet (their next purchase falls after this period)"),
    "no_offer": _("No offer for their usage tier, or no priced product it covers"),
    Outcome.LIMIT: _("Had it in an earlier period"),
    Outcome.OUTRANKED: _("Outranked by offers more likely to work for them"),
    Outcome.BUDGET: _("Over the campaign's budget"),
    Outcome.AGREEMENT: _("Over the agreement's budget cap"),
}


@dataclass
class CellFigures:
    cell: str
    label: str
    audience: int = 0
    eligible: int = 0
    given: int = 0
    holdout: int = 0
    outcomes: dict = field(default_factory=dict)


@dataclass
class AllocationPreview:
    """What allocation does with one campaign in one period."""

    period_start: dt.date
    lists_made: bool
    audience: int = 0
    eligible: int = 0
    given: int = 0
    holdout: int = 0
    reasons: dict = field(default_factory=dict)  # REASONS key -> members
    expected_redemptions: Decimal = Decimal(0)
    expected_cost: Decimal = Decimal(0)
    manufacturer_share: Decimal = Decimal(0)
    budget_left: Decimal = Decimal(0)
    cells: list[CellFigures] = field(default_factory=list)

    @property
    def last_day(self) -> dt.date:
        return self.period_start + dt.timedelta(days=PERIOD_DAYS - 1)

    @property
    def reason_rows(self) -> list[tuple[str, str, int]]:
        return [(key, text, self.reasons.get(key, 0)) for key, text in REASONS.items()]


def preview_period(*, campaign: Campaign, today: dt.date | None = None) -> tuple[dt.date, bool]:
    """Return the period the preview runs for, and whether its lists are made."""
    today = today or timezone.localdate()
    if max(today, campaign.valid_from) > campaign.valid_until:
        # Its dates are over: the last period it was allocated in, as stored.
        last = (
            Allocation.objects.filter(campaign=campaign)
            .order_by("-period_start")
            .values_list("period_start", flat=True)
            .first()
        )
        start = last or campaign.valid_from
        return start, EligibleMember.objects.filter(period_start=start).exists()
    made = open_periods(campaign=campaign, today=today)
    if made:
        return made[0], True
    return max(today, campaign.valid_from), False


def open_periods(*, campaign: Campaign, today: dt.date) -> list[dt.date]:
    """Periods whose lists are made, that have not ended (their last day is today or later)
    and overlap the campaign's dates: where an activated campaign must reach members now.

    A period's lists are made when list generation recorded its eligible members.
    """
    after = max(today, campaign.valid_from) - dt.timedelta(days=PERIOD_DAYS)
    return list(
        EligibleMember.objects.filter(
            period_start__gt=after, period_start__lte=campaign.valid_until
        )
        .order_by("period_start")
        .values_list("period_start", flat=True)
        .distinct()
    )


def _eligible_members(*, campaign: Campaign, period_start: dt.date, lists_made: bool) -> list[int]:
    """The members whose lists the period's allocation serves, with the campaign live.

    Those eligible now (as generating the period's lists again would find them: a win-back
    campaign brings its lapsed audience in), and those whose lists are made already.
    """
    params = {
        "lo": 0,
        "hi": 2**62,
        **eligibility_params(
            period_start=period_start, eligibility=Eligibility(), extra_campaign=campaign.pk
        ),
    }
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT member_id FROM ({ELIGIBLE_SQL}) e", params)
        members = {row[0] for row in cursor.fetchall()}
    if lists_made:
        members |= set(
            EligibleMember.objects.filter(period_start=period_start).values_list(
                "member_id", flat=True
            )
        )
    return sorted(members)


# The member's next purchase in the campaign's category, by its latest snapshot: scoring
# waits for the period that holds it (apps.campaigns.allocation.scoring).
DUE_JOIN = """
LEFT JOIN LATERAL (
    SELECT sm.next_purchase_on FROM segments_segmentmember sm
    WHERE sm.member_id = a.member_id AND sm.snapshot_id = (
        SELECT s.id FROM segments_segmentsnapshot s
        JOIN campaigns_campaign c ON c.id = a.campaign_id AND s.category_id = c.category_id
        ORDER BY s.window_end DESC, s.computed_at DESC, s.id DESC LIMIT 1
    )
) due ON TRUE"""
NOT_DUE = "coalesce(due.next_purchase_on >= %(end)s, false)"

# Each audience member with their eligibility (e), decision (x) and due date in the period:
# the preview's counts and the member lists behind them read the same rows. The decision is
# the lasting one (Allocation: given, held out) or else the working set's (a refusal).
AUDIENCE_IN_PERIOD = f"""
FROM campaigns_campaignaudience a
LEFT JOIN campaigns_eligiblemember e
    ON e.member_id = a.member_id AND e.period_start = %(start)s
LEFT JOIN campaigns_allocation g
    ON g.member_id = a.member_id AND g.campaign_id = a.campaign_id
   AND g.period_start = %(start)s
LEFT JOIN campaigns_candidate k
    ON g.member_id IS NULL AND k.member_id = a.member_id AND k.campaign_id = a.campaign_id
   AND k.period_start = %(start)s AND k.outcome NOT IN ('given', 'holdout')
CROSS JOIN LATERAL (
    SELECT coalesce(g.outcome, k.outcome) AS outcome,
           coalesce(g.probability, k.probability) AS probability,
           coalesce(g.value, k.value) AS value,
           coalesce(g.unit_cost, k.unit_cost) AS unit_cost,
           coalesce(g.manufacturer_cost, k.manufacturer_cost) AS manufacturer_cost,
           coalesce(g.bought_target, k.bought_target) AS bought_target,
           coalesce(g.discovery, k.discovery) AS discovery,
           coalesce(g.buy_probability, k.buy_probability) AS buy_probability
) x
{DUE_JOIN}"""

FIGURES_SQL = f"""
SELECT a.cell,
       count(*) AS audience,
       count(e.member_id) AS eligible,
       count(*) FILTER (WHERE x.outcome = 'given') AS given,
       count(*) FILTER (WHERE x.outcome = 'holdout') AS holdout,
       count(*) FILTER (WHERE x.outcome = 'limit') AS limit_,
       count(*) FILTER (WHERE x.outcome = 'outranked') AS outranked,
       count(*) FILTER (WHERE x.outcome = 'budget') AS budget,
       count(*) FILTER (WHERE x.outcome = 'agreement') AS agreement,
       count(e.member_id) FILTER (WHERE x.outcome IS NULL AND {NOT_DUE}) AS not_due,
       count(e.member_id) FILTER (WHERE x.outcome IS NULL AND NOT {NOT_DUE}) AS no_offer,
       coalesce(sum(x.probability) FILTER (WHERE x.outcome = 'given'), 0) AS redemptions,
       coalesce(sum(x.probability * x.unit_cost) FILTER (WHERE x.outcome = 'given'), 0) AS cost,
       coalesce(sum(x.probability * x.manufacturer_cost)
                FILTER (WHERE x.outcome = 'given'), 0) AS maker
{AUDIENCE_IN_PERIOD}
WHERE a.campaign_id = %(campaign_id)s
GROUP BY a.cell
"""


def _params(campaign: Campaign, period_start: dt.date) -> dict:
    end = period_start + dt.timedelta(days=PERIOD_DAYS)
    return {"start": period_start, "end": end, "campaign_id": campaign.pk}


def allocation_figures(*, campaign: Campaign, period_start: dt.date, lists_made: bool):
    """Read what allocation decided for the campaign in the period (stored or dry run)."""
    with connection.cursor() as cursor:
        cursor.execute(FIGURES_SQL, _params(campaign, period_start))
        columns = [c.name for c in cursor.description]
        rows = [dict(zip(columns, row, strict=True)) for row in cursor.fetchall()]
    preview = AllocationPreview(period_start=period_start, lists_made=lists_made)
    order = {cell: i for i, cell in enumerate(campaign.target_cells)}
    for row in sorted(rows, key=lambda r: order.get(r["cell"], 99)):
        cell = CellFigures(
            cell=row["cell"],
            label=CELL_LABELS.get(row["cell"], row["cell"]),
            audience=row["audience"],
            eligible=row["eligible"],
            given=row["given"],
            holdout=row["holdout"],
        )
        preview.cells.append(cell)
        preview.audience += row["audience"]
        preview.eligible += row["eligible"]
        preview.given += row["given"]
        preview.holdout += row["holdout"]
        for key, column in (
            ("not_eligible", None),
            ("not_due", "not_due"),
            ("no_offer", "no_offer"),
            (Outcome.LIMIT, "limit_"),
            (Outcome.OUTRANKED, "outranked"),
            (Outcome.BUDGET, "budget"),
            (Outcome.AGREEMENT, "agreement"),
        ):
            value = row["audience"] - row["eligible"] if column is None else row[column]
            preview.reasons[key] = preview.reasons.get(key, 0) + value
        preview.expected_redemptions += Decimal(str(row["redemptions"]))
        preview.expected_cost += Decimal(str(row["cost"]))
        preview.manufacturer_share += Decimal(str(row["maker"]))
    preview.expected_redemptions = preview.expected_redemptions.quantize(Decimal("0.1"))
    preview.expected_cost = preview.expected_cost.quantize(CENT)
    preview.manufacturer_share = preview.manufacturer_share.quantize(CENT)
    return preview


def _allocated(*, campaign: Campaign, period_start: dt.date, lists_made: bool, rules, read):
    """Return read() on the period's allocation with the campaign in it.

    An ended campaign is read as stored. Otherwise the campaign's audience is stored (if it
    has none yet), the
    period's eligible members scored and the period decided, as list generation would, in a
    savepoint that is rolled back once read() has run: for an active campaign whose
    candidates are all decided this adds nothing, for a draft it is the dry run.
    """
    from apps.campaigns.services import campaign_audience_persist

    if campaign.status == CampaignStatus.ENDED:
        return read()
    with transaction.atomic():
        savepoint = transaction.savepoint()
        try:
            if not CampaignAudience.objects.filter(campaign=campaign).exists():
                # A draft's audience as approval would store it; an approved or active
                # campaign keeps the audience it stored then.
                campaign_audience_persist(campaign=campaign)
            members = _eligible_members(
                campaign=campaign, period_start=period_start, lists_made=lists_made
            )
            allocation_score(period_start=period_start, members=members, extra_campaign=campaign.pk)
            allocation_decide(period_start=period_start, rules=rules)
            return read()
        finally:
            transaction.savepoint_rollback(savepoint)


def _period(campaign: Campaign, period_start: dt.date | None, today: dt.date | None):
    if period_start is None:
        return preview_period(campaign=campaign, today=today)
    return period_start, EligibleMember.objects.filter(period_start=period_start).exists()


def allocation_preview(
    *,
    campaign: Campaign,
    period_start: dt.date | None = None,
    rules: AllocationRules | None = None,
    today: dt.date | None = None,
) -> AllocationPreview:
    """Run the period's allocation with the campaign in it, read its figures, roll back."""
    period_start, lists_made = _period(campaign, period_start, today)
    return _allocated(
        campaign=campaign,
        period_start=period_start,
        lists_made=lists_made,
        rules=rules or AllocationRules.from_settings(),
        read=lambda: allocation_figures(
            campaign=campaign, period_start=period_start, lists_made=lists_made
        ),
    )


# Which audience members a preview count stands for (the page links each count here).
MEMBER_GROUPS = {
    "audience": (_("Audience"), "TRUE"),
    "eligible": (_("With a list"), "e.member_id IS NOT NULL"),
    "not_eligible": (REASONS["not_eligible"], "e.member_id IS NULL"),
    "not_due": (REASONS["not_due"], f"e.member_id IS NOT NULL AND x.outcome IS NULL AND {NOT_DUE}"),
    "no_offer": (
        REASONS["no_offer"],
        f"e.member_id IS NOT NULL AND x.outcome IS NULL AND NOT {NOT_DUE}",
    ),
    **{
        outcome.value: (outcome.label, f"x.outcome = '{outcome.value}'")
        for outcome in Outcome
        if outcome != Outcome.CANDIDATE
    },
}

MEMBERS_SQL = """
SELECT m.id AS member_id, m.card_number, m.first_name, m.last_name, a.cell,
       x.outcome, x.probability, x.value, x.probability * x.unit_cost AS expected_cost,
       x.bought_target, x.discovery, x.buy_probability
{audience_in_period}
JOIN members_member m ON m.id = a.member_id
WHERE a.campaign_id = %(campaign_id)s AND {condition}
ORDER BY x.value DESC NULLS LAST, m.card_number
"""


def allocation_members(
    *,
    campaign: Campaign,
    group: str,
    period_start: dt.date | None = None,
    rules: AllocationRules | None = None,
    today: dt.date | None = None,
) -> tuple[dt.date, list[dict]]:
    """Return the period and the audience members behind one of the preview's counts.

    The same run as the preview's (stored, or the dry run), so the rows are the count.
    """
    period_start, lists_made = _period(campaign, period_start, today)
    _label, condition = MEMBER_GROUPS[group]

    def read() -> list[dict]:
        with connection.cursor() as cursor:
            cursor.execute(
                MEMBERS_SQL.format(condition=condition, audience_in_period=AUDIENCE_IN_PERIOD),
                _params(campaign, period_start),
            )
            columns = [c.name for c in cursor.description]
            return [dict(zip(columns, row, strict=True)) for row in cursor.fetchall()]

    rows = _allocated(
        campaign=campaign,
        period_start=period_start,
        lists_made=lists_made,
        rules=rules or AllocationRules.from_settings(),
        read=read,
    )
    return period_start, rows


@dataclass(frozen=True)
class PeriodReach:
    """What allocation did with a campaign in one period: lists carrying it, and the rest."""

    period_start: dt.date
    given: int
    holdout: int
    not_given: int
    expected_redemptions: Decimal
    expected_cost: Decimal

    @property
    def last_day(self) -> dt.date:
        return self.period_start + dt.timedelta(days=PERIOD_DAYS - 1)


REACH_SQL = """
WITH decided AS (
    SELECT period_start, outcome, probability, unit_cost
    FROM campaigns_allocation WHERE campaign_id = %(campaign)s
    UNION ALL
    SELECT period_start, outcome, 0, 0
    FROM campaigns_candidate
    WHERE campaign_id = %(campaign)s AND outcome NOT IN ('given', 'holdout', 'candidate')
)
SELECT period_start,
       count(*) FILTER (WHERE outcome = 'given'),
       count(*) FILTER (WHERE outcome = 'holdout'),
       count(*) FILTER (WHERE outcome NOT IN ('given', 'holdout')),
       coalesce(sum(probability) FILTER (WHERE outcome = 'given'), 0),
       coalesce(sum(probability * unit_cost) FILTER (WHERE outcome = 'given'), 0)
FROM decided
GROUP BY period_start ORDER BY period_start
"""


def campaign_reach(*, campaign: Campaign) -> list[PeriodReach]:
    """Per period: the lists carrying the campaign's offer (given), held out, not given."""
    with connection.cursor() as cursor:
        cursor.execute(REACH_SQL, {"campaign": campaign.pk})
        return [
            PeriodReach(
                period_start=row[0],
                given=row[1],
                holdout=row[2],
                not_given=row[3],
                expected_redemptions=Decimal(str(row[4])).quantize(Decimal("0.1")),
                expected_cost=Decimal(str(row[5])).quantize(CENT),
            )
            for row in cursor.fetchall()
        ]

"""Reads of the dashboard: small sums over the pre-computed aggregates, never over baskets.

Every function takes the cleaned `ReportFilters`; a store filter means members whose home
store it is (see apps/reports/models.py).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

import numpy as np
from django.db import connection
from django.db.models import F, FloatField, Max, Q, Sum
from django.db.models.functions import Cast, NullIf
from django.utils import timezone
from django_celery_beat.models import PeriodicTask

from apps.campaigns.models import AT_RISK, CELL_LABELS, Campaign, Goal
from apps.core.labels import LAPSED, LOYALTY_LABELS, LOYALTY_ORDER, MOVE_LABELS, NEW, TIER_LABELS
from apps.jobs.models import Job, JobStatus
from apps.reports import stats
from apps.reports.forms import ReportFilters
from apps.reports.models import (
    CampaignCellAggregate,
    CellAggregate,
    CellTransition,
    LiftAggregate,
    ListReach,
    MemberBase,
    ParetoPoint,
    RedemptionMonth,
    ReportSnapshot,
    ValueAggregate,
    ValueHistogram,
)
from apps.reports.services import JOB_KIND
from apps.segments.selectors import pareto_top_share

ZERO = Decimal("0")


def _money(value) -> Decimal:
    # Sums of numeric(…, 2) columns: already in cents.
    return value or ZERO


def _ratio(numerator, denominator) -> float | None:
    return float(numerator) / float(denominator) if denominator else None


def _where(filters: ReportFilters, *, category: bool = True) -> Q:
    q = Q()
    if filters.store_id is not None:
        q &= Q(store_id=filters.store_id)
    if category and filters.category_id is not None:
        q &= Q(category_id=filters.category_id)
    return q


def _rolled_up(filters: ReportFilters) -> Q:
    """Cells and moves: the category's rows, or without a category filter the rows that
    already add up all categories (category NULL)."""
    q = _where(filters, category=False)
    if filters.category_id is None:
        return q & Q(category_id__isnull=True)
    return q & Q(category_id=filters.category_id)


# --- Refresh state ------------------------------------------------------------------------


@dataclass(frozen=True)
class RefreshState:
    last: Job | None  # the latest successful refresh
    current: Job | None  # a queued or running refresh, if any


def refresh_state() -> RefreshState:
    """Return the latest successful refresh and the one under way, if any."""
    jobs = list(Job.objects.filter(kind=JOB_KIND).order_by("-created_at")[:10])
    last = next((j for j in jobs if j.status == JobStatus.SUCCEEDED), None)
    current = next((j for j in jobs if j.status in (JobStatus.QUEUED, JobStatus.RUNNING)), None)
    return RefreshState(last=last, current=current)


def default_month() -> dt.date:
    """The latest month with snapshot figures, else the current month."""
    latest = ReportSnapshot.objects.aggregate(m=Max("month"))["m"]
    return latest or timezone.localdate().replace(day=1)


# --- Loyalty × usage cells --------------------------------------------------------------


def snapshot_month(filters: ReportFilters) -> dt.date | None:
    """The latest month up to the period's end that has a snapshot (of the category)."""
    rows = ReportSnapshot.objects.filter(month__lte=filters.month_to)
    if filters.category_id is not None:
        rows = rows.filter(category_id=filters.category_id)
    return rows.aggregate(m=Max("month"))["m"]


def previous_snapshot_month(filters: ReportFilters, month: dt.date) -> dt.date | None:
    """The most common month of the snapshots the month's moves compare with."""
    query = """
        SELECT date_trunc('month', s.window_end - 1)::date AS m
        FROM reports_reportsnapshot r JOIN segments_segmentsnapshot s ON s.id = r.previous_id
        WHERE r.month = %s AND (%s::bigint IS NULL OR r.category_id = %s)
        GROUP BY m ORDER BY count(*) DESC, m DESC LIMIT 1
    """
    with connection.cursor() as cursor:
        cursor.execute(query, [month, filters.category_id, filters.category_id])
        row = cursor.fetchone()
    return row[0] if row else None


# The nightly tasks' names (data migrations apps/segments/migrations/0002_nightly_schedule.py
# and apps/reports/migrations/0002_nightly_schedule.py; editable in the admin).
SEGMENTS_NIGHTLY = "Nightly segment refresh"
REPORTS_NIGHTLY = "Nightly report refresh"


@dataclass(frozen=True)
class NextSnapshot:
    """When a snapshot of a later month than the latest one will reach the dashboard."""

    day: dt.date | None  # the night it is made; None when the nightly segment run is off
    segments_at: str | None  # "02:30", the segment run's time (None: not a daily time)
    reports_at: str | None  # "04:00", the dashboard's refresh after it


def _daily_time(task) -> str | None:
    crontab = task.crontab if task is not None else None
    if crontab is None or not (crontab.hour.isdigit() and crontab.minute.isdigit()):
        return None
    return f"{int(crontab.hour):02d}:{int(crontab.minute):02d}"


def next_snapshot(month: dt.date | None, *, now: dt.datetime | None = None) -> NextSnapshot:
    """Return when the nightly runs first make a snapshot of a month after `month`.

    The nightly segment run of day D computes the 52 weeks up to D (exclusive), which the
    dashboard counts as the month of D − 1 (the month whose last days it covers): a month
    after M first appears on the 2nd of the month after M, or on the next run when that
    day has passed (M is an old month). The dashboard's own refresh follows that night.
    """
    tasks = {
        t.name: t
        for t in PeriodicTask.objects.filter(
            name__in=[SEGMENTS_NIGHTLY, REPORTS_NIGHTLY], enabled=True
        ).select_related("crontab")
    }
    segments = tasks.get(SEGMENTS_NIGHTLY)
    reports_at = _daily_time(tasks.get(REPORTS_NIGHTLY))
    if segments is None:
        return NextSnapshot(day=None, segments_at=None, reports_at=reports_at)
    segments_at = _daily_time(segments)
    now = timezone.localtime(now)
    next_run = now.date()
    if segments_at is None or now.strftime("%H:%M") >= segments_at:
        next_run += dt.timedelta(days=1)
    if month is None:
        return NextSnapshot(day=next_run, segments_at=segments_at, reports_at=reports_at)
    following = (month.replace(day=28) + dt.timedelta(days=4)).replace(day=1)
    day = max(next_run, following + dt.timedelta(days=1))
    return NextSnapshot(day=day, segments_at=segments_at, reports_at=reports_at)


def cell_totals(filters: ReportFilters, month: dt.date) -> list[dict]:
    """The 9 cells, national-brand loyal first and heavy usage first within each."""
    sums = {
        (r["loyalty"], r["usage_tier"]): r
        for r in CellAggregate.objects.filter(_rolled_up(filters), month=month)
        .values("loyalty", "usage_tier")
        .annotate(members=Sum("members"), sales=Sum("sales"), national=Sum("national_sales"))
        .order_by()
    }
    rows = []
    for loyalty in LOYALTY_ORDER:
        for tier in (3, 2, 1):
            found = sums.get((loyalty, tier), {})
            sales = found.get("sales") or ZERO
            rows.append(
                {
                    "loyalty": loyalty,
                    "loyalty_label": LOYALTY_LABELS[loyalty],
                    "usage_tier": tier,
                    "tier_name": TIER_LABELS[tier],
                    "members": found.get("members") or 0,
                    "sales": _money(sales),
                    "national_share": _ratio(found.get("national") or ZERO, sales),
                }
            )
    return rows


def cell_rows_by_category(filters: ReportFilters, month: dt.date):
    """Every category's cells of the month, as a queryset: the table pages it in SQL."""
    return (
        CellAggregate.objects.filter(_where(filters), month=month, category__isnull=False)
        .values("loyalty", "usage_tier", category_name=F("category__name"))
        .annotate(
            buyers=Sum("members"),
            total_sales=Sum("sales"),
            national_share=Cast(
                Sum("national_sales") / NullIf(Sum("sales"), 0), output_field=FloatField()
            ),
        )
        .order_by("category_name", "loyalty", "-usage_tier")
    )


def cell_label(cell: str) -> str:
    """'national-3' → 'National-brand loyal · high'; 'new' and 'lapsed' in words."""
    if cell in (NEW, LAPSED):
        return MOVE_LABELS[cell]
    loyalty, _, tier = cell.partition("-")
    return f"{LOYALTY_LABELS.get(loyalty, loyalty)} · {TIER_LABELS[int(tier)].lower()}"


def cell_loyalty(cell: str) -> str:
    """The loyalty part of a cell, or the cell itself for 'new' and 'lapsed'."""
    return cell.partition("-")[0]


def moves(filters: ReportFilters, month: dt.date) -> list[dict]:
    """Buyers per (previous cell → current cell), most members first."""
    rows = (
        CellTransition.objects.filter(_rolled_up(filters), month=month)
        .values("from_cell", "to_cell")
        .annotate(members=Sum("members"))
        .order_by("-members", "from_cell", "to_cell")
    )
    from_totals: dict[str, int] = {}
    for r in rows:
        from_totals[r["from_cell"]] = from_totals.get(r["from_cell"], 0) + r["members"]
    return [
        {
            "from_cell": r["from_cell"],
            "to_cell": r["to_cell"],
            "from_label": cell_label(r["from_cell"]),
            "to_label": cell_label(r["to_cell"]),
            "members": r["members"],
            "share_of_from": _ratio(r["members"], from_totals[r["from_cell"]]),
        }
        for r in rows
    ]


def loyalty_moves(move_rows: list[dict]) -> dict[tuple[str, str], int]:
    """Collapse cell moves to loyalty moves (usage tiers summed)."""
    totals: dict[tuple[str, str], int] = {}
    for r in move_rows:
        key = (cell_loyalty(r["from_cell"]), cell_loyalty(r["to_cell"]))
        totals[key] = totals.get(key, 0) + r["members"]
    return totals


# --- Member value -------------------------------------------------------------------------


def value_fit_id() -> int | None:
    """The fit the member-value aggregates belong to (the live one: they follow it)."""
    row = ValueAggregate.objects.values("fit_id").first()
    return row["fit_id"] if row else None


def value_summary(filters: ReportFilters) -> dict:
    """Members, likely active, at risk and their sales and CLV (store filter only)."""
    totals = ValueAggregate.objects.filter(_where(filters, category=False)).aggregate(
        members=Sum("members"),
        likely_active=Sum("likely_active"),
        at_risk=Sum("at_risk"),
        sales=Sum("sales"),
        clv=Sum("clv"),
        at_risk_sales=Sum("at_risk_sales"),
        at_risk_clv=Sum("at_risk_clv"),
    )
    totals = {k: v or 0 for k, v in totals.items()}
    totals["at_risk_share"] = _ratio(totals["at_risk"], totals["members"])
    totals["at_risk_clv_share"] = _ratio(totals["at_risk_clv"], totals["clv"])
    return totals


def value_by_store(filters: ReportFilters) -> list[dict]:
    """Member value and risk per home store."""
    rows = (
        ValueAggregate.objects.filter(_where(filters, category=False))
        .values("store__code", "store__name")
        .annotate(
            n=Sum("members"),
            active=Sum("likely_active"),
            risk=Sum("at_risk"),
            clv_sum=Sum("clv"),
            risk_clv=Sum("at_risk_clv"),
        )
        .order_by("store__code")
    )
    return [
        {
            "store": r["store__name"] or r["store__code"] or "No purchases",
            "members": r["n"],
            "likely_active": r["active"],
            "at_risk": r["risk"],
            "at_risk_share": _ratio(r["risk"], r["n"]),
            "clv": _money(r["clv_sum"]),
            "at_risk_clv": _money(r["risk_clv"]),
        }
        for r in rows
    ]


def histogram(filters: ReportFilters, measure: str) -> list[dict]:
    """Members per bin of the measure ('clv' or 'p_alive'), bins in order."""
    rows = (
        ValueHistogram.objects.filter(_where(filters, category=False), measure=measure)
        .values("bin", "lower", "upper")
        .annotate(n=Sum("members"))
        .order_by("bin")
    )
    return [
        {"measure": measure, "bin": r["bin"], "lower": r["lower"], "upper": r["upper"],
         "members": r["n"]}
        for r in rows
    ]  # fmt: skip


def pareto(filters: ReportFilters) -> list[dict]:
    """The Pareto curve of the store's members (or of all members)."""
    rows = ParetoPoint.objects.filter(all_stores=filters.store_id is None)
    if filters.store_id is not None:
        rows = rows.filter(store_id=filters.store_id)
    return list(rows.order_by("point").values("point", "members", "member_share", "sales_share"))


def top_share(points: list[dict]) -> float | None:
    """Sales share of the top 20 % of members: segments' one reading of a Pareto curve."""
    return pareto_top_share(points)


# --- Lists --------------------------------------------------------------------------------


def reachable_members(filters: ReportFilters) -> int:
    """Active members with marketing consent (by home store), at the last refresh."""
    rows = MemberBase.objects.filter(_where(filters, category=False))
    return rows.aggregate(n=Sum("reachable"))["n"] or 0


def list_reach(filters: ReportFilters) -> list[dict]:
    """Per list period in the months chosen: lists made, with offers, redeemed."""
    rows = (
        ListReach.objects.filter(
            _where(filters, category=False),
            period_start__gte=filters.month_from,
            period_start__lt=filters.end,
        )
        .values("period_start")
        .annotate(
            n=Sum("lists"),
            offered=Sum("with_offers"),
            offer_items=Sum("offers"),
            redeemed=Sum("redeemed_lists"),
            used=Sum("redemptions"),
        )
        .order_by("period_start")
    )
    reachable = reachable_members(filters)
    return [
        {
            "period_start": r["period_start"],
            "reachable": reachable,
            "lists": r["n"],
            "reach": _ratio(r["n"], reachable),
            "with_offers": r["offered"],
            "offers": r["offer_items"],
            "redeemed_lists": r["redeemed"],
            "redemptions": r["used"],
        }
        for r in rows
    ]


# --- Campaigns ----------------------------------------------------------------------------


def campaigns_in_period(filters: ReportFilters):
    """Campaigns of the category whose dates overlap the period, oldest first."""
    campaigns = Campaign.objects.filter(
        valid_from__lt=filters.end, valid_until__gte=filters.month_from
    ).exclude(status="draft")
    if filters.category_id is not None:
        campaigns = campaigns.filter(category_id=filters.category_id)
    return campaigns.select_related("category").order_by("valid_from", "pk")


def _campaign_cells(filters: ReportFilters, campaign_ids: list[int], *group) -> list[dict]:
    return list(
        CampaignCellAggregate.objects.filter(
            _where(filters, category=False), campaign_id__in=campaign_ids
        )
        .values("campaign_id", *group)
        .annotate(
            n=Sum("audience"),
            held=Sum("holdout"),
            got=Sum("reached"),
            used_by=Sum("redeemers"),
            used=Sum("redemptions"),
            disc=Sum("discount"),
            share=Sum("manufacturer_share"),
        )
        .order_by("campaign_id", *group)
    )


def _redemption_figures(r: dict) -> dict:
    treated = r["n"] - r["held"]
    discount, share = _money(r["disc"]), _money(r["share"])
    return {
        "audience": r["n"],
        "holdout": r["held"],
        "treated": treated,
        "reached": r["got"],
        "redeemers": r["used_by"],
        "redemptions": r["used"],
        "rate": _ratio(r["used_by"], r["got"]),
        "rate_of_treated": _ratio(r["used_by"], treated),
        "discount": discount,
        "manufacturer_share": share,
        "store_cost": discount - share,
    }


def campaign_cell_rows(filters: ReportFilters, campaigns: list[Campaign]) -> list[dict]:
    """Redemption per campaign × targeted cell × usage tier."""
    names = {c.pk: c.name for c in campaigns}
    rows = _campaign_cells(filters, list(names), "cell", "usage_tier")
    return [
        {
            "campaign": names[r["campaign_id"]],
            "campaign_id": r["campaign_id"],
            "cell": CELL_LABELS.get(r["cell"], r["cell"]),
            "usage": TIER_LABELS[r["usage_tier"]],
            "usage_tier": r["usage_tier"],
            **_redemption_figures(r),
        }
        for r in rows
    ]


@dataclass
class LiftResult:
    """Per campaign, arrays aligned with `campaign_ids`."""

    campaign_ids: list[int]
    treated: np.ndarray
    holdout: np.ndarray
    mean_treated: np.ndarray
    mean_holdout: np.ndarray
    spend: stats.Interval
    conversion_treated: np.ndarray
    conversion_holdout: np.ndarray
    conversion: stats.Interval
    returned_treated: np.ndarray
    returned_holdout: np.ndarray
    returned: stats.Interval
    # Whether the groups are large enough to trust each interval (stats.MIN_GROUP, MIN_COUNT).
    spend_enough: np.ndarray
    conversion_enough: np.ndarray
    returned_enough: np.ndarray
    # Total audience (treated + holdout, split as now) that would make each lift conclusive.
    spend_needed: np.ndarray
    conversion_needed: np.ndarray
    returned_needed: np.ndarray


def lift(filters: ReportFilters, campaign_ids: list[int]) -> LiftResult:
    """Lift of each campaign over its holdout, from the stored sufficient statistics."""
    sums = {
        (r["campaign_id"], r["holdout"]): r
        for r in LiftAggregate.objects.filter(
            _where(filters, category=False), campaign_id__in=campaign_ids
        )
        .values("campaign_id", "holdout")
        .annotate(
            n=Sum("members"),
            s=Sum("spend_sum"),
            q=Sum("spend_sq_sum"),
            conv=Sum("converted"),
            back=Sum("returned"),
        )
        .order_by()
    }

    def column(holdout: bool, key: str) -> np.ndarray:
        return np.array(
            [float((sums.get((c, holdout)) or {}).get(key) or 0) for c in campaign_ids],
            dtype=float,
        )

    n1, n0 = column(False, "n"), column(True, "n")
    mean1, var1 = stats.mean_and_variance(n1, column(False, "s"), column(False, "q"))
    mean0, var0 = stats.mean_and_variance(n0, column(True, "s"), column(True, "q"))
    conv1, conv0 = column(False, "conv"), column(True, "conv")
    back1, back0 = column(False, "back"), column(True, "back")
    with np.errstate(divide="ignore", invalid="ignore"):
        spend = stats.welch_interval(n1, mean1, var1, n0, mean0, var0)
        conversion = stats.two_proportion_interval(conv1, n1, conv0, n0)
        returned = stats.two_proportion_interval(back1, n1, back0, n0)
        p_conv1, p_conv0, p_back1, p_back0 = conv1 / n1, conv0 / n0, back1 / n1, back0 / n0
        return LiftResult(
            campaign_ids=campaign_ids,
            treated=n1,
            holdout=n0,
            mean_treated=mean1,
            mean_holdout=mean0,
            spend=spend,
            conversion_treated=p_conv1,
            conversion_holdout=p_conv0,
            conversion=conversion,
            returned_treated=p_back1,
            returned_holdout=p_back0,
            returned=returned,
            spend_enough=(n1 >= stats.MIN_GROUP) & (n0 >= stats.MIN_GROUP),
            conversion_enough=_enough_counts(conv1, n1, conv0, n0),
            returned_enough=_enough_counts(back1, n1, back0, n0),
            spend_needed=_at_least(
                stats.members_needed(n1, var1, n0, var0, spend.difference),
                stats.members_for_mean(n1, n0),
            ),
            # A share's variance per member is p(1 − p), as in the Wald interval.
            conversion_needed=_at_least(
                stats.members_needed(
                    n1, p_conv1 * (1 - p_conv1), n0, p_conv0 * (1 - p_conv0), conversion.difference
                ),
                stats.members_for_share(conv1, n1, conv0, n0),
            ),
            returned_needed=_at_least(
                stats.members_needed(
                    n1, p_back1 * (1 - p_back1), n0, p_back0 * (1 - p_back0), returned.difference
                ),
                stats.members_for_share(back1, n1, back0, n0),
            ),
        )


def _enough_counts(x1, n1, x0, n0) -> np.ndarray:
    return np.minimum.reduce([x1, n1 - x1, x0, n0 - x0]) >= stats.MIN_COUNT


def _at_least(power: np.ndarray, rule: np.ndarray) -> np.ndarray:
    """The power estimate, raised to the size its interval needs; NaN stays unknown."""
    return np.where(np.isnan(power), np.nan, np.fmax(power, rule))


def _num(value: float) -> float | None:
    return None if value is None or not np.isfinite(value) else float(value)


def _roi(incremental: float | None, cost: Decimal) -> float | None:
    if incremental is None or cost <= 0:
        return None
    return (incremental - float(cost)) / float(cost)


def _conclusive(
    prefix: str,
    low: float | None,
    high: float | None,
    needed: float,
    audience: int,
    enough: bool,
) -> dict:
    """Whether the result is significant and, when not, the audience a clear answer needs.

    Significant: the interval excludes zero and both groups are large enough to trust it
    (`enough`, stats.MIN_GROUP / MIN_COUNT); `<prefix>_too_few` says when size alone
    withholds the word. `<prefix>_needed` is the whole audience (treated + holdout, split
    as now) at which the test would find the difference seen so far 80 % of the time (and
    the groups reach those sizes); `<prefix>_more` what that adds to this campaign's
    audience. Both None when the answer is clear or cannot be sized (no interval, or no
    difference seen at all).
    """
    excludes_zero = stats.significant(low, high)
    verdict = None if excludes_zero is None else bool(excludes_zero and enough)
    total = _num(needed) if verdict is False else None
    return {
        f"{prefix}_significant": verdict,
        f"{prefix}_too_few": excludes_zero is not None and not enough,
        f"{prefix}_needed": None if total is None else int(total),
        f"{prefix}_more": None if total is None else max(0, int(total) - audience),
    }


def campaign_rows(filters: ReportFilters, campaigns: list[Campaign]) -> list[dict]:
    """One row per campaign: reach, redemption, cost split, lift with CIs and ROI.

    ROI = (incremental sales − store's net discount cost) ÷ store's net discount cost, where
    incremental sales = (mean category sales per treated member − per holdout member) ×
    treated members, sales at regular price, and the store's net cost = discounts −
    manufacturers' shares. The ROI interval maps the sales difference's interval.
    """
    ids = [c.pk for c in campaigns]
    figures = {r["campaign_id"]: _redemption_figures(r) for r in _campaign_cells(filters, ids)}
    result = lift(filters, ids)
    rows = []
    for i, campaign in enumerate(campaigns):
        fig = figures.get(campaign.pk) or _redemption_figures(
            {"n": 0, "held": 0, "got": 0, "used_by": 0, "used": 0, "disc": 0, "share": 0}
        )
        n1 = int(result.treated[i])
        diff, low, high = (
            _num(result.spend.difference[i]),
            _num(result.spend.low[i]),
            _num(result.spend.high[i]),
        )
        incremental = None if diff is None else diff * n1
        audience = n1 + int(result.holdout[i])
        roi_low = _roi(None if low is None else low * n1, fig["store_cost"])
        roi_high = _roi(None if high is None else high * n1, fig["store_cost"])
        conv_low, conv_high = _num(result.conversion.low[i]), _num(result.conversion.high[i])
        back_low, back_high = _num(result.returned.low[i]), _num(result.returned.high[i])
        rows.append(
            {
                "campaign": campaign,
                "name": campaign.name,
                "category": campaign.category.name,
                "goal": campaign.get_goal_display(),
                "valid_from": campaign.valid_from,
                "valid_until": campaign.valid_until,
                "status": campaign.get_status_display(),
                **fig,
                "lift_treated": n1,
                "lift_holdout": int(result.holdout[i]),
                "mean_treated": _num(result.mean_treated[i]),
                "mean_holdout": _num(result.mean_holdout[i]),
                "spend_diff": diff,
                "spend_low": low,
                "spend_high": high,
                "spend_df": _num(result.spend.df[i]),
                "spend_p": _num(result.spend.p_value[i]),
                "conv_treated": _num(result.conversion_treated[i]),
                "conv_holdout": _num(result.conversion_holdout[i]),
                "conv_diff": _num(result.conversion.difference[i]),
                "conv_low": conv_low,
                "conv_high": conv_high,
                "back_treated": _num(result.returned_treated[i]),
                "back_holdout": _num(result.returned_holdout[i]),
                "back_diff": _num(result.returned.difference[i]),
                "back_low": back_low,
                "back_high": back_high,
                "incremental_sales": incremental,
                "roi": _roi(incremental, fig["store_cost"]),
                "roi_low": roi_low,
                "roi_high": roi_high,
                # ROI maps the sales lift: it is judged with the sales lift's group sizes.
                **_conclusive(
                    "roi", roi_low, roi_high, np.nan, audience, bool(result.spend_enough[i])
                ),
                **_conclusive(
                    "spend",
                    low,
                    high,
                    result.spend_needed[i],
                    audience,
                    bool(result.spend_enough[i]),
                ),
                **_conclusive(
                    "conv",
                    conv_low,
                    conv_high,
                    result.conversion_needed[i],
                    audience,
                    bool(result.conversion_enough[i]),
                ),
                **_conclusive(
                    "back",
                    back_low,
                    back_high,
                    result.returned_needed[i],
                    audience,
                    bool(result.returned_enough[i]),
                ),
                "is_win_back": campaign.goal == Goal.WIN_BACK or AT_RISK in campaign.target_cells,
            }
        )
    return rows


def cost_by_month(filters: ReportFilters) -> list[dict]:
    """Discounts per purchase month in the period, split between the store and manufacturers."""
    rows = (
        RedemptionMonth.objects.filter(
            _where(filters), month__gte=filters.month_from, month__lte=filters.month_to
        )
        .values("month")
        .annotate(n=Sum("redemptions"), disc=Sum("discount"), share=Sum("manufacturer_share"))
        .order_by("month")
    )
    return [
        {
            "month": r["month"],
            "redemptions": r["n"],
            "discount": _money(r["disc"]),
            "manufacturer_share": _money(r["share"]),
            "store_cost": _money(r["disc"]) - _money(r["share"]),
        }
        for r in rows
    ]

"""Reads of baskets about one member: visits, spend, history and favourite categories.

The pages that show a member (the member page, the cashier's scan screen) take their
basket figures from here; a basket belongs to a member, so baskets reads members and
members never reads baskets.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal

from django.db import connection
from django.db.models import Count, Max, Min, Prefetch, QuerySet, Sum, Value
from django.db.models.functions import Coalesce, TruncWeek
from django.utils import timezone

from apps.baskets.models import Basket, BasketLine, Store
from apps.baskets.owners import owned_by
from apps.core import rows
from apps.core.clock import local_midnight
from apps.members.models import Member

SUMMARY_WEEKS = 8
SUMMARY_RECENT_VISITS = 5
SPEND_WEEKS = 52


# --- The cashier's view ---------------------------------------------------------------------


@dataclass(frozen=True)
class MemberSummary:
    member: Member
    weeks: int
    visits_recent: int
    spend_recent: Decimal
    last_visit: dt.datetime | None
    recent_visits: list[Basket] = field(default_factory=list)


# The cashier's read, written out (apps/core/rows.py: query building was most of its CPU):
# the 8-week figures, and the latest visits with their stores beside them (one row with NULL
# baskets when there are none), in one statement, so one round trip. Every basket read names
# the owner: on a cluster, the member's shard alone (apps.baskets.owners).
SUMMARY_SQL = f"""
SELECT f.visits, f.spend, r.*
FROM (
    SELECT count(id) AS visits, coalesce(sum(total_amount), 0) AS spend FROM baskets_basket
    WHERE member_id = %(member)s AND owner_id = %(member)s AND purchased_at >= %(since)s
) f
LEFT JOIN LATERAL (
    SELECT {rows.columns(Basket)}, {rows.columns(Store)},
           row_number() OVER (ORDER BY baskets_basket.purchased_at DESC) AS recent_rank
    FROM baskets_basket JOIN baskets_store ON baskets_basket.store_id = baskets_store.id
    WHERE baskets_basket.member_id = %(member)s AND baskets_basket.owner_id = %(member)s
    ORDER BY baskets_basket.purchased_at DESC LIMIT {SUMMARY_RECENT_VISITS}
) r ON TRUE
ORDER BY r.recent_rank
"""


def member_summary(*, member: Member, now: dt.datetime | None = None) -> MemberSummary:
    """Return the cashier's view of a member: visits and spend in the last 8 weeks (1 query)."""
    now = now or timezone.now()
    since = now - dt.timedelta(weeks=SUMMARY_WEEKS)
    with connection.cursor() as cursor:
        cursor.execute(SUMMARY_SQL, {"member": member.pk, "since": since})
        fetched = cursor.fetchall()
    visits, spend = fetched[0][:2]
    recent = []
    for row in fetched:
        if row[2] is None:  # no basket at all: the figures' row alone
            break
        basket = rows.instance(Basket, row, 2)
        basket.store = rows.instance(Store, row, 2 + rows.width(Basket))
        recent.append(basket)
    return MemberSummary(
        member=member,
        weeks=SUMMARY_WEEKS,
        visits_recent=visits,
        spend_recent=spend,
        last_visit=recent[0].purchased_at if recent else None,
        recent_visits=recent,
    )


# --- The member page ------------------------------------------------------------------------


@dataclass(frozen=True)
class MemberFigures:
    visits: int
    spend: Decimal
    average_basket: Decimal | None
    first_visit: dt.datetime | None
    last_visit: dt.datetime | None


def member_figures(*, member: Member) -> MemberFigures:
    """Return lifetime visits, spend, average basket, first and last visit (1 query)."""
    row = Basket.objects.filter(**owned_by(member.pk)).aggregate(
        visits=Count("id"),
        spend=Coalesce(Sum("total_amount"), Value(Decimal("0"))),
        first_visit=Min("purchased_at"),
        last_visit=Max("purchased_at"),
    )
    average = (row["spend"] / row["visits"]).quantize(Decimal("0.01")) if row["visits"] else None
    return MemberFigures(average_basket=average, **row)


def member_baskets(*, member: Member) -> QuerySet[Basket]:
    """Return the member's baskets, newest first, with each page's lines prefetched."""
    lines = BasketLine.objects.select_related("product").order_by("id")
    return (
        Basket.objects.filter(**owned_by(member.pk))
        .select_related("store")
        .prefetch_related(Prefetch("lines", queryset=lines))
        .order_by("-purchased_at")
    )


def member_weekly_spend(
    *, member: Member, weeks: int = SPEND_WEEKS, now: dt.datetime | None = None
) -> list[tuple[dt.date, Decimal]]:
    """Return (week start, spend) for the last `weeks` weeks, weeks without visits as 0."""
    now = timezone.localtime(now or timezone.now())
    this_monday = now.date() - dt.timedelta(days=now.weekday())
    first_monday = this_monday - dt.timedelta(weeks=weeks - 1)
    start = local_midnight(first_monday)
    rows = (
        Basket.objects.filter(**owned_by(member.pk), purchased_at__gte=start)
        .annotate(week=TruncWeek("purchased_at"))
        .values("week")
        .annotate(total=Sum("total_amount"))
        .order_by("week")
    )
    by_week = {timezone.localtime(r["week"]).date(): r["total"] for r in rows}
    mondays = [first_monday + dt.timedelta(weeks=i) for i in range(weeks)]
    return [(monday, by_week.get(monday, Decimal("0"))) for monday in mondays]


def member_top_categories(*, member: Member, limit: int = 8) -> list[dict]:
    """Return the member's categories by lifetime spend: name, spend, baskets, share."""
    rows = list(
        BasketLine.objects.filter(**owned_by(member.pk))
        .values("product__category__name")
        .annotate(spend=Sum("amount"), baskets=Count("basket", distinct=True))
        .order_by("-spend", "product__category__name")
    )
    total = sum((r["spend"] for r in rows), Decimal("0"))
    return [
        {
            "name": r["product__category__name"],
            "spend": r["spend"],
            "baskets": r["baskets"],
            "share": float(r["spend"] / total * 100) if total else 0.0,
        }
        for r in rows[:limit]
    ]

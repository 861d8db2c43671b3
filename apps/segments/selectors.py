"""Reads of segment snapshots."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from functools import cache

from django.conf import settings
from django.db import connection
from django.db.models import QuerySet

from apps.baskets.models import Store
from apps.core import rows
from apps.core.labels import LOYALTY_LABELS, LOYALTY_ORDER, TIER_LABELS
from apps.segments.models import SegmentMember, SegmentSnapshot

EXPORT_COLUMNS = [
    "card_number",
    "category_spend",
    "national_share",
    "loyalty",
    "usage_tier",
    "cycle_days",
    "next_purchase_on",
]
USAGE_TIER_NAMES = {tier: label.lower() for tier, label in TIER_LABELS.items()}


def snapshot_rows(*, snapshot: SegmentSnapshot) -> QuerySet[SegmentMember]:
    """Return the snapshot's buyers, by card number."""
    return (
        SegmentMember.objects.filter(snapshot=snapshot)
        .select_related("member")
        .order_by("member__card_number")
    )


def snapshot_export_rows(*, snapshot: SegmentSnapshot):
    """Yield CSV rows (EXPORT_COLUMNS order) for every buyer of the snapshot."""
    rows = snapshot_rows(snapshot=snapshot).values_list(
        "member__card_number",
        "category_spend",
        "national_share",
        "loyalty",
        "usage_tier",
        "cycle_days",
        "next_purchase_on",
    )
    for card, spend, share, loyalty, tier, cycle, next_on in rows.iterator(chunk_size=5000):
        yield [
            card,
            f"{spend:.2f}",
            f"{share:.4f}",
            loyalty,
            USAGE_TIER_NAMES[tier],
            "" if cycle is None else f"{cycle.normalize():f}",
            "" if next_on is None else next_on.isoformat(),
        ]


# LOYALTY_ORDER and LOYALTY_LABELS: apps.core.labels (one set of words on every page).

_MATRIX_SQL = """
SELECT loyalty, usage_tier, count(*) AS buyers, sum(category_spend) AS spend,
       avg(cycle_days) AS average_cycle, count(cycle_days) AS with_cycle
FROM segments_segmentmember
WHERE snapshot_id = %s
GROUP BY loyalty, usage_tier
"""


def snapshot_matrix(*, snapshot: SegmentSnapshot) -> list[dict]:
    """Return the 9 cells (loyalty rows × usage columns) with buyers, spend, average cycle."""
    with connection.cursor() as cursor:
        cursor.execute(_MATRIX_SQL, [snapshot.pk])
        found = {(row[0], row[1]): row[2:] for row in cursor.fetchall()}
    matrix = []
    for loyalty in LOYALTY_ORDER:
        cells = []
        for tier in (1, 2, 3):
            buyers, spend, average_cycle, with_cycle = found.get((loyalty, tier), (0, 0, None, 0))
            cells.append(
                {
                    "loyalty": loyalty,
                    "tier": tier,
                    "tier_name": USAGE_TIER_NAMES[tier],
                    "buyers": buyers,
                    "spend": spend,
                    "average_cycle": average_cycle,
                    "with_cycle": with_cycle,
                }
            )
        matrix.append({"loyalty": loyalty, "label": LOYALTY_LABELS[loyalty], "cells": cells})
    return matrix


def snapshots_latest_per_category() -> QuerySet[SegmentSnapshot]:
    """Return each category's most recently computed snapshot."""
    return (
        SegmentSnapshot.objects.select_related("category")
        .order_by("category__name", "category_id", "-window_end", "-computed_at")
        .distinct("category__name", "category_id")
    )


def snapshot_cell_rows(*, snapshot: SegmentSnapshot, loyalty: str, tier: int):
    """Return the buyers of one cell."""
    return snapshot_rows(snapshot=snapshot).filter(loyalty=loyalty, usage_tier=tier)


# The live fit: the one made live last. Every reader of member scores goes through it (the
# pages here, the dashboard's refresh, campaign audiences), so "live" means one thing.
LIVE_FIT_ID_SQL = """
SELECT id FROM segments_repeatmodelfit
WHERE live_since IS NOT NULL
ORDER BY live_since DESC, id DESC
LIMIT 1
"""


def _live_fits():
    from apps.segments.models import RepeatModelFit

    return RepeatModelFit.objects.filter(live_since__isnull=False).order_by("-live_since", "-id")


def repeat_model_fit_live():
    """Return the live member-value fit (the one made live last), or None."""
    return _live_fits().first()


def repeat_model_fits_recent(*, limit: int = 20) -> list:
    """Return the latest fits, newest first, each marked `is_live`, for the list of fits."""
    from apps.segments.models import RepeatModelFit

    live_id = _live_fits().values_list("pk", flat=True).first()
    fits = list(RepeatModelFit.objects.order_by("-fitted_at", "-id")[:limit])
    for fit in fits:
        fit.is_live = fit.pk == live_id
    return fits


# One store's first and last basket: each end one probe of the (store, purchased_at) index.
_STORE_ENDS_SQL = """
SELECT (SELECT min(purchased_at) FROM baskets_basket WHERE store_id = %s),
       (SELECT max(purchased_at) FROM baskets_basket WHERE store_id = %s)
"""


def basket_days() -> tuple[dt.date | None, dt.date | None]:
    """Return the local dates of the first and the last basket (None, None without any).

    Per store (a chain has a handful), each store's ends a subquery of their own in one
    statement: a subquery correlated with the stores, the obvious form, is refused by a
    cluster whose baskets are sharded (docs/scale.md).
    """
    stores = list(Store.objects.order_by("pk").values_list("pk", flat=True))
    if not stores:
        return None, None
    ends = " UNION ALL ".join([_STORE_ENDS_SQL] * len(stores))
    sql = (
        "SELECT (min(f) AT TIME ZONE %s)::date, (max(l) AT TIME ZONE %s)::date "
        f"FROM ({ends}) e(f, l)"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [settings.TIME_ZONE] * 2 + [pk for pk in stores for _ in (0, 1)])
        first, last = cursor.fetchone()
    return first, last


# --- Pareto -------------------------------------------------------------------------------

# "Top 20 % of members": the last point at or under 20, the same on every page.
TOP_MEMBERS_POINT = 20

# The one definition of the Pareto curve. Callers put a CTE pareto_members(curve, member_id,
# spend) in front (one row per member and curve: all members, or per home store) and read
# pareto_points. Members are ranked by spend to the calibration end, best first, ties by
# member id; member number rn falls on point ceil(100·rn/n), and each point keeps its last
# member: point k is the top floor(k·n/100) members, never more than k % of them. Under 100
# members some points are missing (6 members make points 17, 34, 50, 67, 84, 100).
PARETO_CURVE_CTES = """
pareto_ranked AS (
    SELECT curve,
           row_number() OVER w AS rn,
           count(*) OVER (PARTITION BY curve) AS n,
           sum(spend) OVER (w ROWS UNBOUNDED PRECEDING) AS cum,
           sum(spend) OVER (PARTITION BY curve) AS total
    FROM pareto_members
    WINDOW w AS (PARTITION BY curve ORDER BY spend DESC, member_id)
), pareto_points AS (
    SELECT DISTINCT ON (curve, point)
           curve, ceil(100.0 * rn / n)::int AS point, rn AS members,
           rn::float8 / n AS member_share,
           CASE WHEN total > 0 THEN (cum / total)::float8 ELSE 0 END AS sales_share
    FROM pareto_ranked
    ORDER BY curve, point, rn DESC
)
"""

_PARETO_SQL = (
    """
WITH pareto_members AS (
    SELECT 0 AS curve, member_id, total_spend AS spend
    FROM segments_memberscore
    WHERE fit_id = %(fit)s
), """
    + PARETO_CURVE_CTES
    + """
SELECT point, members, member_share, sales_share FROM pareto_points ORDER BY point
"""
)


def pareto_points(*, fit) -> list[dict]:
    """Return the fit's Pareto curve over all members: point, members, member and sales share."""
    with connection.cursor() as cursor:
        cursor.execute(_PARETO_SQL, {"fit": fit.pk})
        rows = cursor.fetchall()
    return [
        {"point": point, "members": members, "member_share": m_share, "sales_share": s_share}
        for point, members, m_share, s_share in rows
    ]


def pareto_top_share(points: Iterable[Mapping]) -> float | None:
    """Return the share of sales of the top 20 % of members: at the last point at or under
    20, the most members that are no more than a fifth of them (None under 5 members)."""
    within = [p for p in points if p["point"] <= TOP_MEMBERS_POINT]
    return max(within, key=lambda p: p["point"])["sales_share"] if within else None


def win_back_members(*, fit):
    """Return the churn-risk members of a fit, the most valuable customers first."""
    from apps.segments.models import MemberScore

    return (
        MemberScore.objects.filter(fit=fit, churn_risk=True)
        .select_related("member")
        .order_by("-total_spend")
    )


def member_segments(*, member) -> list[SegmentMember]:
    """Return the member's row in each category's latest snapshot, by category name."""
    return list(
        SegmentMember.objects.filter(member=member)
        .select_related("snapshot__category")
        .order_by("snapshot__category__name", "snapshot__category_id", "-snapshot__window_end")
        .distinct("snapshot__category__name", "snapshot__category_id")
    )


def member_score(*, member):
    """Return the member's scores under the live fit, or None (one query).

    Only the live fit: a member it does not include (joined since) shows as not scored,
    not with an older fit's figures that the rest of the pages no longer read. The SQL is
    the ORM's, written out (apps/core/rows.py): on the cashier's screen its building cost
    more CPU than its running.
    """
    from apps.segments.models import MemberScore, RepeatModelFit

    with connection.cursor() as cursor:
        cursor.execute(member_score_sql(), {"member": member.pk})
        row = cursor.fetchone()
    if row is None:
        return None
    score = rows.instance(MemberScore, row)
    score.fit = rows.instance(RepeatModelFit, row, rows.width(MemberScore))
    return score


@cache
def member_score_sql() -> str:
    """The SQL of `member_score` (parameter `member`), for reads that fold it into theirs."""
    from apps.segments.models import MemberScore, RepeatModelFit

    return f"""
SELECT {rows.columns(MemberScore)}, {rows.columns(RepeatModelFit)}
FROM segments_memberscore
JOIN segments_repeatmodelfit ON segments_memberscore.fit_id = segments_repeatmodelfit.id
WHERE segments_memberscore.fit_id = ({LIVE_FIT_ID_SQL})
  AND segments_memberscore.member_id = %(member)s
ORDER BY segments_memberscore.id LIMIT 1
"""

"""Reads of segment snapshots."""

from __future__ import annotations

from django.db.models import QuerySet

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
USAGE_TIER_NAMES = {1: "low", 2: "medium", 3: "high"}


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


LOYALTY_ORDER = ["national", "swinger", "store"]
LOYALTY_LABELS = {
    "national": "National-brand loyal",
    "swinger": "Swinger",
    "store": "Store-brand loyal",
}

_MATRIX_SQL = """
SELECT loyalty, usage_tier, count(*) AS buyers, sum(category_spend) AS spend,
       avg(cycle_days) AS average_cycle, count(cycle_days) AS with_cycle
FROM segments_segmentmember
WHERE snapshot_id = %s
GROUP BY loyalty, usage_tier
"""


def snapshot_matrix(*, snapshot: SegmentSnapshot) -> list[dict]:
    """Return the 9 cells (loyalty rows × usage columns) with buyers, spend, average cycle."""
    from django.db import connection

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


def repeat_model_fit_latest():
    """Return the most recent member-value fit, or None."""
    from apps.segments.models import RepeatModelFit

    return RepeatModelFit.objects.order_by("-fitted_at").first()


_PARETO_SQL = """
SELECT bucket, max(cumulative_share)
FROM (
    SELECT cumulative_share, ntile(%(points)s) OVER (ORDER BY cumulative_share) AS bucket
    FROM segments_memberscore
    WHERE fit_id = %(fit)s
) ranked
GROUP BY bucket
ORDER BY bucket
"""


def pareto_points(*, fit, points: int = 100) -> list[tuple[float, float]]:
    """Return (share of members, share of sales) of the top members, at `points` steps."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(_PARETO_SQL, {"fit": fit.pk, "points": points})
        rows = cursor.fetchall()
    n = len(rows)
    return [(0.0, 0.0)] + [(bucket / n, share) for bucket, share in rows]


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
    """Return the member's scores under the latest fit that includes them, or None."""
    from apps.segments.models import MemberScore

    return (
        MemberScore.objects.filter(member=member)
        .select_related("fit")
        .order_by("-fit__fitted_at")
        .first()
    )

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

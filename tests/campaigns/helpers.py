"""Small builders for campaign and list tests: snapshots written row by row."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from apps.campaigns.models import Campaign, Offer
from apps.segments.models import SegmentMember, SegmentSnapshot
from tests.factories import MemberFactory


def snapshot_with(category, cells: dict[str, int], window_end=dt.date(2026, 3, 1), **row):
    """Create a snapshot of the category with `n` new members in each 'loyalty-tier' cell."""
    snapshot = SegmentSnapshot.objects.create(
        category=category, window_start=window_end - dt.timedelta(days=364), window_end=window_end
    )
    members = {}
    for cell, n in cells.items():
        loyalty, tier = cell.split("-")
        members[cell] = []
        for _ in range(n):
            member = MemberFactory()
            segment_row(snapshot, member, loyalty, int(tier), **row)
            members[cell].append(member)
    return snapshot, members


def segment_row(snapshot, member, loyalty: str, tier: int, next_purchase_on=None, **extra):
    return SegmentMember.objects.create(
        snapshot=snapshot,
        member=member,
        category_spend=extra.get("category_spend", Decimal("50.00")),
        national_share=Decimal("0.9") if loyalty == "national" else Decimal("0.1"),
        loyalty=loyalty,
        usage_tier=tier,
        occasions=extra.get("occasions", 6),
        cycle_days=extra.get("cycle_days"),
        next_purchase_on=next_purchase_on,
    )


def campaign_for(category, cells, **fields) -> Campaign:
    defaults = {
        "name": "Switch to store ketchup",
        "goal": "convert",
        "valid_from": dt.date(2026, 3, 2),
        "valid_until": dt.date(2026, 4, 26),
        "budget": Decimal("5000"),
        "holdout_seed": 12345,
    }
    return Campaign.objects.create(category=category, target_cells=cells, **(defaults | fields))


def offer_for(campaign, tier: int, **fields) -> Offer:
    defaults = {
        "applies_to": "brand_type",
        "brand_type": "store",
        "discount_kind": "amount",
        "discount_value": Decimal("1.00"),
    }
    return Offer.objects.create(campaign=campaign, usage_tier=tier, **(defaults | fields))

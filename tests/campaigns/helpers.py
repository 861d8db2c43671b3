"""Small builders for campaign and list tests: snapshots written row by row."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.utils import timezone

from apps.campaigns.models import Campaign, Offer
from apps.segments.models import SegmentMember, SegmentSnapshot
from tests.factories import MemberFactory


def from_today(days: int) -> dt.date:
    """Return the local date `days` from today: campaigns and lists refuse dates that ended."""
    return timezone.localdate() + dt.timedelta(days=days)


def running_campaign_for(category, cells, **fields) -> Campaign:
    """A campaign whose dates run from a week ago to eight weeks from now."""
    dates = {"valid_from": from_today(-7), "valid_until": from_today(56)}
    return campaign_for(category, cells, **(dates | fields))


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
        "shopper_text": "$1.00 off our own brand",
    }
    return Offer.objects.create(campaign=campaign, usage_tier=tier, **(defaults | fields))


def form_data(category, **overrides) -> dict:
    data = {
        "name": "Heavy national buyers to Our Own",
        "goal": "convert",
        "category": category.pk,
        "target_cells": ["national-3", "national-2"],
        "valid_from": from_today(1).isoformat(),
        "valid_until": from_today(56).isoformat(),
        "redemptions_per_member": 2,
        "budget": "3000.00",
        "holdout_pct": "10",
        "agreement": "",
        "redemption_rate_pct": "15",
        "offers-TOTAL_FORMS": "2",
        "offers-INITIAL_FORMS": "0",
        "offers-MIN_NUM_FORMS": "0",
        "offers-MAX_NUM_FORMS": "3",
    }
    offers = [("3", "1.50", "amount"), ("2", "15", "percent")]
    for i, (tier, value, kind) in enumerate(offers):
        data |= {
            f"offers-{i}-usage_tier": tier,
            f"offers-{i}-applies_to": "brand_type",
            f"offers-{i}-brand_type": "store",
            f"offers-{i}-discount_kind": kind,
            f"offers-{i}-discount_value": value,
            f"offers-{i}-min_quantity": "1",
            f"offers-{i}-shopper_text": f"{value} off Our Own ketchup",
        }
    return data | overrides

"""The demo's points: a year of them, some expired and some spent, so every points screen
shows real figures.

The demo's history is imported from till files, which carry no points: the backfill writes
what each sale would have earned at the till (apps.rewards.backfill), the nightly expiry
then takes the lots past their last day, the year-end rebate and a few birthdays come
(apps.demo.rebate), and a sample of members spends some of theirs, as at the till. Last,
the tier recompute places every member by the year's spend, as the nightly job would (its
backfilled points keep multiplier 1: tiers came after). Idempotent:
every movement has its key, and the recompute changes nothing a second time.
"""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.utils import timezone

from apps.demo.plan import Dates
from apps.demo.rebate import demo_rebate_seed
from apps.rewards.backfill import points_earn_backfill
from apps.rewards.expiry import points_expire
from apps.rewards.models import PointsBalance
from apps.rewards.services import points_spend
from apps.rewards.tiers import tiers_recompute

SPEND = 500  # points a sampled member spends ($5 at a cent a point)
SAMPLE_EVERY = 5  # every fifth member holding at least SPEND points


def demo_points_seed(*, end: dt.date) -> str:
    """Earn the history's points, expire what lapsed by `end`, spend some; say what it did."""
    entries, earned = points_earn_backfill(lo=0, hi=2**62, today=end)
    # Expire as of today (the demo's history may end a few days before it): what lapsed is
    # expired, as the nightly job would have done.
    lots, expired = points_expire(today=max(end + dt.timedelta(days=1), timezone.localdate()))
    # The programme year closed before the demo's lists: certificates on them; birthdays.
    dates = Dates(end=end)
    rebate = demo_rebate_seed(previous=dates.previous, current=dates.current)
    holders = list(
        PointsBalance.objects.filter(points__gte=SPEND)
        .order_by("member_id")
        .values_list("member_id", flat=True)[::SAMPLE_EVERY]
    )
    at = timezone.make_aware(dt.datetime.combine(end, dt.time(17)))
    spent = 0
    for member_id in holders:  # a sample of a few hundred at most: each is a till request
        with transaction.atomic():
            entry_id, _ = points_spend(
                member_id=member_id, points=SPEND, key=f"demo-spend:{member_id}", at=at
            )
        spent += SPEND if entry_id is not None else 0
    # The night after the history's last day (or today): its window holds that last day.
    tiers = tiers_recompute(today=max(end + dt.timedelta(days=1), timezone.localdate()))
    return (
        f"Points: {earned:,} earned by {entries:,} past sales, {expired:,} expired "
        f"({lots:,} lots), {spent:,} spent by {len(holders):,} members; "
        f"{tiers['members']:,} members in tiers ({tiers['changes']:,} tier changes). "
        f"{rebate}"
    )

"""The demo's year-end rebate and birthdays, so that its lists show certificates and a gift.

The programme year of the setting (Dec 31) may have closed months before the demo's
lists, and its certificates (90 days) would have lapsed; the demo closes its programme
year on the day before its previous list period instead, as a chain whose year ends then
would: every member's points of that year become certificates (the rest carried, as set),
issued on the period's first day. A dozen holders of the current period's lists give
their birth date (with their consent, as the member import keeps it), each falling in
that period, and get the gift the list generation gives. Idempotent: the run is once per
year, a gift once per member and year.
"""

from __future__ import annotations

import datetime as dt

from django.db import transaction

from apps.core.clock import local_midnight
from apps.lists.models import ShoppingList
from apps.lists.services import PERIOD_DAYS
from apps.members.models import Member
from apps.rewards.birthday import birthday_points_grant
from apps.rewards.models import RebateRun
from apps.rewards.rebate import rebate_convert

BIRTHDAYS = 12  # demo members who give their birth date


def demo_rebate_seed(*, previous: dt.date, current: dt.date) -> str:
    """Convert the demo's closed programme year and give a few birthdays; say what it did."""
    closes_on = previous - dt.timedelta(days=1)
    if RebateRun.objects.filter(year=closes_on.year).exists():
        run = RebateRun.objects.get(year=closes_on.year)
        text = f"Rebate {run.year}: {run.certificates:,} certificates (made before)"
    else:
        at = local_midnight(previous) + dt.timedelta(hours=1)
        made = rebate_convert(closes_on.year, at=at, closes_on=closes_on)
        text = (
            f"Rebate {made['year']} (closed {closes_on}): {made['certificates']:,} "
            f"certificates for {made['members']:,} members"
        )
    holders = list(
        ShoppingList.objects.filter(period_start=current)
        .order_by("member_id")
        .values_list("member_id", flat=True)[:BIRTHDAYS]
    )
    with transaction.atomic():
        for n, member_id in enumerate(holders):  # a dozen rows, each its own birthday
            day = current + dt.timedelta(days=n % PERIOD_DAYS)
            born = dt.date(1960 + 3 * n, day.month, min(day.day, 28 if day.month == 2 else 31))
            Member.objects.filter(pk=member_id, birth_date__isnull=True).update(birth_date=born)
        gifts = birthday_points_grant(
            period_start=current,
            period_end=current + dt.timedelta(days=PERIOD_DAYS),
            members=holders,
            at=local_midnight(current) + dt.timedelta(hours=1),
        )
    return f"{text}; {gifts} birthday gifts on the current lists."

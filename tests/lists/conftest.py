"""A small chain for list tests: members around the $200 line, a snapshot, an active campaign."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest

from apps.campaigns.models import CampaignAudience, CampaignStatus
from apps.campaigns.services import campaign_audience_persist
from apps.segments.models import BuyProbability, SegmentSnapshot
from tests.campaigns.helpers import campaign_for, offer_for, segment_row
from tests.factories import (
    BasketFactory,
    BasketLineFactory,
    CategoryFactory,
    MemberFactory,
    ProductFactory,
)

CHICAGO = ZoneInfo("America/Chicago")
PERIOD = dt.date(2026, 3, 2)  # lists for [Mar 2, Mar 16); spend counted from Jan 5


def spend(member, amount: str, product, when=dt.datetime(2026, 2, 15, 10, tzinfo=CHICAGO), qty=1):
    basket = BasketFactory(member=member, purchased_at=when)
    BasketLineFactory(basket=basket, product=product, amount=Decimal(amount), quantity=qty)


@pytest.fixture
def before_period(monkeypatch):
    """Make today the day before PERIOD: generation refuses periods that have ended, and
    these tests' dates are fixed in 2026 (the SQL they check is dated by hand)."""
    eve = PERIOD - dt.timedelta(days=1)
    monkeypatch.setattr("django.utils.timezone.localdate", lambda *args, **kwargs: eve)
    return eve


@pytest.fixture
def chain(db):
    ketchup = CategoryFactory(name="Ketchup", department="Grocery")
    dog_food = CategoryFactory(name="Dog-Food", department="Pet")
    our_own = ProductFactory(
        upc="000000000011", name="Our Own Ketchup", category=ketchup, brand="Our Own",
        brand_type="store", price=Decimal("2.00"),
    )  # fmt: skip
    red = ProductFactory(
        upc="000000000022", name="Red Ketchup 20oz", category=ketchup, brand="Red",
        brand_type="national", price=Decimal("3.49"),
    )  # fmt: skip
    kibble = ProductFactory(upc="000000000033", name="Kibble", category=dog_food)

    m = {
        "exactly_200": MemberFactory(card_number="100000000001"),
        "short_1c": MemberFactory(card_number="100000000002"),
        "no_consent": MemberFactory(card_number="100000000003", consent_list=False),
        "closed": MemberFactory(card_number="100000000004", status="closed"),
        "best": MemberFactory(card_number="100000000005"),
        "no_cycle": MemberFactory(card_number="100000000006"),
        "held_out": MemberFactory(card_number="100000000007"),
    }
    spend(m["exactly_200"], "200.00", red)
    spend(m["short_1c"], "199.99", red)
    spend(m["no_consent"], "200.00", red)
    spend(m["closed"], "200.00", red)
    spend(m["best"], "700.00", red, qty=3)
    spend(m["best"], "100.00", our_own)
    spend(m["best"], "20.00", kibble)
    spend(m["no_cycle"], "300.00", red)
    spend(m["held_out"], "250.00", red)
    # Just before the 8 weeks: does not count.
    spend(m["short_1c"], "50.00", red, when=dt.datetime(2026, 1, 4, 23, 59, tzinfo=CHICAGO))

    snapshot = SegmentSnapshot.objects.create(
        category=ketchup, window_start=dt.date(2025, 3, 1), window_end=dt.date(2026, 3, 1)
    )
    segment_row(snapshot, m["exactly_200"], "national", 3, next_purchase_on=dt.date(2026, 3, 20))
    segment_row(snapshot, m["best"], "national", 1, next_purchase_on=dt.date(2026, 3, 5))
    segment_row(snapshot, m["no_cycle"], "national", 1)
    segment_row(snapshot, m["held_out"], "national", 3, next_purchase_on=dt.date(2026, 3, 5))
    # The timing model's chances of buying ketchup in the period, set by hand (generation
    # keeps stored ones): best and held_out are due (at least one half), the others not.
    BuyProbability.objects.bulk_create(
        BuyProbability(period_start=PERIOD, member=m[name], category=ketchup, probability=p)
        for name, p in (("best", 0.8), ("held_out", 0.5), ("exactly_200", 0.49), ("no_cycle", 0.3))
    )

    campaign = campaign_for(
        ketchup, ["national-3", "national-1"], holdout_pct=Decimal("0"),
        valid_from=dt.date(2026, 3, 1), valid_until=dt.date(2026, 4, 30),
    )  # fmt: skip
    offer_for(campaign, 3, discount_kind="amount", discount_value=Decimal("1.50"))
    offer_for(campaign, 1, discount_kind="percent", discount_value=Decimal("10"), min_quantity=2)
    campaign_audience_persist(campaign=campaign)
    CampaignAudience.objects.filter(member=m["held_out"]).update(holdout=True)
    campaign.status = CampaignStatus.ACTIVE
    campaign.save()
    return {"members": m, "campaign": campaign, "red": red, "our_own": our_own}

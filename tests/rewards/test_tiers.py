"""Status tiers: the nightly recompute, and the multiplier a tier gives at the till.

Tiers here are the migration's (Member $0 ×1, Silver $1,500 ×1.25, Gold $3,000 ×1.5), made
again in each test. Spend, tiers and points are worked out by hand from the baskets.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest

from apps.rewards.earning import points_earn_for_sale, points_reverse_for_return
from apps.rewards.models import EarningRule, MemberTier, PointsEntry, Tier, TierChange
from apps.rewards.tiers import tiers_recompute
from apps.rewards.verify import ledger_problems
from tests.factories import (
    BasketFactory,
    BasketLineFactory,
    CategoryFactory,
    MemberFactory,
    ProductFactory,
)

CHICAGO = ZoneInfo("America/Chicago")
TODAY = dt.date(2026, 3, 2)


def at(day: dt.date, hour: int = 12, minute: int = 0) -> dt.datetime:
    return dt.datetime(day.year, day.month, day.day, hour, minute, tzinfo=CHICAGO)


def days_ago(days: int) -> dt.date:
    return TODAY - dt.timedelta(days=days)


@pytest.fixture
def tiers(db):
    Tier.objects.all().delete()
    return {
        name: Tier.objects.create(name=name, min_spend=spend, multiplier=multiplier)
        for name, spend, multiplier in [
            ("Member", 0, "1.00"),
            ("Silver", 1500, "1.25"),
            ("Gold", 3000, "1.50"),
        ]
    }


def spent(member, day: dt.date, amount: str, hour: int = 12, minute: int = 0):
    """A basket of `amount` (negative: a return's refund) on `day`, local time."""
    return BasketFactory(
        member=member, purchased_at=at(day, hour, minute), total_amount=Decimal(amount)
    )


def held(member) -> tuple[str, Decimal, dt.date, dt.date]:
    row = MemberTier.objects.select_related("tier").get(member=member)
    return row.tier.name, row.spend, row.since, row.computed_on


def test_each_member_holds_the_highest_tier_their_trailing_year_reaches(tiers):
    gold, silver, netted, edges, outside, never = (MemberFactory() for _ in range(6))
    spent(gold, days_ago(10), "2000.00")
    spent(gold, days_ago(200), "1000.00")  # 3,000.00: exactly Gold's threshold
    spent(silver, days_ago(365), "1499.99", hour=0)  # the window's first minute, local
    spent(silver, days_ago(1), "0.01", hour=23, minute=59)  # its last: 1,500.00
    spent(netted, days_ago(30), "1600.00")
    spent(netted, days_ago(20), "-200.00")  # a return: 1,400.00, below Silver
    spent(edges, days_ago(366), "5000.00", hour=23, minute=59)  # a minute too early
    spent(edges, TODAY, "5000.00", hour=0)  # today is not in the window
    spent(edges, days_ago(3), "12.50")
    spent(outside, days_ago(400), "9000.00")  # no basket in the window, no tier: no row

    counts = tiers_recompute(TODAY)

    assert held(gold) == ("Gold", Decimal("3000.00"), TODAY, TODAY)
    assert held(silver) == ("Silver", Decimal("1500.00"), TODAY, TODAY)
    assert held(netted) == ("Member", Decimal("1400.00"), TODAY, TODAY)
    assert held(edges) == ("Member", Decimal("12.50"), TODAY, TODAY)
    assert not MemberTier.objects.filter(member__in=[outside, never]).exists()
    changes = {
        (c.member_id, c.previous_id, c.tier.name, c.day, c.spend)
        for c in TierChange.objects.select_related("tier")
    }
    assert changes == {
        (gold.pk, None, "Gold", TODAY, Decimal("3000.00")),
        (silver.pk, None, "Silver", TODAY, Decimal("1500.00")),
        (netted.pk, None, "Member", TODAY, Decimal("1400.00")),
        (edges.pk, None, "Member", TODAY, Decimal("12.50")),
    }
    assert counts == {
        "day": "2026-03-02", "members": 4, "written": 4, "changes": 4,
        "first": 4, "up": 0, "down": 0,
    }  # fmt: skip


def test_a_second_run_the_same_day_changes_nothing(tiers):
    member = MemberFactory()
    spent(member, days_ago(5), "1750.00")
    tiers_recompute(TODAY)
    before = list(MemberTier.objects.values()), list(TierChange.objects.values())
    again = tiers_recompute(TODAY)
    assert (again["members"], again["written"], again["changes"]) == (1, 0, 0)
    assert (list(MemberTier.objects.values()), list(TierChange.objects.values())) == before


def test_moving_up_keeps_history_and_dropping_to_nothing_drops_to_the_lowest(tiers):
    climber, steady, lapsed = MemberFactory(), MemberFactory(), MemberFactory()
    spent(climber, days_ago(100), "1600.00")
    spent(steady, days_ago(100), "200.00")
    spent(lapsed, days_ago(300), "3500.00")
    tiers_recompute(TODAY)
    assert [held(m)[0] for m in (climber, steady, lapsed)] == ["Silver", "Member", "Gold"]

    # 70 days on: the climber spent 1,500 more; the lapsed member's basket left the window.
    later = TODAY + dt.timedelta(days=70)
    spent(climber, later - dt.timedelta(days=2), "1500.00")
    spent(steady, later - dt.timedelta(days=2), "5.00")
    counts = tiers_recompute(later)

    assert held(climber) == ("Gold", Decimal("3100.00"), later, later)
    assert held(steady) == ("Member", Decimal("205.00"), TODAY, later)  # since: kept
    assert held(lapsed) == ("Member", Decimal("0.00"), later, later)
    moves = {
        (c.member_id, c.previous.name, c.tier.name, c.spend)
        for c in TierChange.objects.filter(day=later).select_related("tier", "previous")
    }
    assert moves == {
        (climber.pk, "Silver", "Gold", Decimal("3100.00")),
        (lapsed.pk, "Gold", "Member", Decimal("0.00")),
    }
    assert (counts["changes"], counts["up"], counts["down"], counts["first"]) == (2, 1, 1, 0)
    assert TierChange.objects.filter(member=steady).count() == 1  # its first tier only


def test_an_edited_threshold_moves_members_at_the_next_recompute(tiers):
    member = MemberFactory()
    spent(member, days_ago(9), "1200.00")
    tiers_recompute(TODAY)
    Tier.objects.filter(name="Silver").update(min_spend=1000)
    tomorrow = TODAY + dt.timedelta(days=1)
    tiers_recompute(tomorrow)
    assert held(member) == ("Silver", Decimal("1200.00"), tomorrow, tomorrow)


# ---------------------------------------------------------------------------------------------
# Earning at the till by the tier's multiplier


@pytest.fixture
def shop(tiers):
    EarningRule.objects.all().delete()
    rule = EarningRule.objects.create(points_per_dollar=Decimal("1"), starts_on=dt.date(2020, 1, 1))
    food, tobacco = CategoryFactory(name="Food"), CategoryFactory(name="Tobacco")
    rule.excluded_categories.add(tobacco)
    return {
        "member": MemberFactory(),
        "bread": ProductFactory(category=food),
        "cigars": ProductFactory(category=tobacco),
    }


def sale(shop, day: dt.date, lines: list[tuple[str, str]]):
    basket = BasketFactory(member=shop["member"], purchased_at=at(day))
    rows = []
    for key, amount in lines:
        BasketLineFactory(basket=basket, product=shop[key], amount=Decimal(amount))
        rows.append((shop[key].category_id, Decimal(amount)))
    answer = points_earn_for_sale(
        member_id=shop["member"].pk, basket_id=basket.pk, lines=rows, at=at(day), day=day
    )
    return basket, answer


def make_gold(shop):
    spent(shop["member"], days_ago(40), "3200.00")
    tiers_recompute(TODAY)
    assert held(shop["member"])[0] == "Gold"


def test_a_gold_member_earns_the_eligible_spend_times_one_and_a_half_rounded_once(shop):
    make_gold(shop)
    _, answer = sale(shop, TODAY, [("bread", "3.34"), ("bread", "3.33"), ("cigars", "9.00")])
    # Eligible 6.67 (the cigars earn nothing) × 1 point a dollar × 1.5 = 10.005: 10 points.
    # (Rounding before the multiplier would give floor(6.67) × 1.5 = 9.)
    assert answer.points == 10
    entry = PointsEntry.objects.get(kind="earn")
    assert (entry.points, entry.multiplier, entry.basis) == (10, Decimal("1.50"), Decimal("6.67"))


def test_a_member_without_a_tier_earns_at_one_and_a_silver_at_one_and_a_quarter(shop):
    _, plain = sale(shop, TODAY, [("bread", "3.33")])
    assert plain.points == 3  # no tier row: multiplier 1
    spent(shop["member"], days_ago(40), "1500.00")
    tiers_recompute(TODAY)
    _, silver = sale(shop, TODAY, [("bread", "3.33")])
    assert silver.points == 4  # 3.33 × 1.25 = 4.1625
    assert sorted(PointsEntry.objects.values_list("multiplier", flat=True)) == [
        Decimal("1.00"),
        Decimal("1.25"),
    ]


def test_a_return_takes_back_by_the_sales_multiplier_after_the_tier_changed(shop):
    make_gold(shop)
    basket, answer = sale(shop, TODAY, [("bread", "3.33"), ("bread", "3.33")])
    assert answer.points == 9  # 6.66 × 1.5 = 9.99
    # A year on, the member is back to Member (×1): the return still uses the sale's 1.5.
    later = TODAY + dt.timedelta(days=400)
    tiers_recompute(later)
    assert held(shop["member"])[0] == "Member"
    back = BasketFactory(member=shop["member"], purchased_at=at(TODAY + dt.timedelta(days=3)))
    BasketLineFactory(basket=back, product=shop["bread"], quantity=-1, amount=Decimal("-3.33"))
    reversed_ = points_reverse_for_return(
        sale_basket=basket, return_baskets=[back], at=at(TODAY + dt.timedelta(days=3))
    )
    # The kept bread, 3.33 × 1.5 = 4.995, still earns 4: 9 - 4 = 5 come back (by today's
    # ×1 the kept bread would earn 3 and 6 would come back).
    assert reversed_.points == 5
    entry = PointsEntry.objects.get(kind="reverse")
    assert (entry.points, entry.multiplier) == (-5, Decimal("1.50"))
    assert ledger_problems() == {}

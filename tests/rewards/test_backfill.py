"""The backfill: the points imported sales would have earned at the till, written once.

Every expected figure is worked out by hand in the test from the rules below (rule 1: a
point a dollar, tobacco excluded, from 2020; rule 2: two points a dollar, alcohol excluded,
from 2026-03-01 local time), the purchase times and the amounts, never read back from the
code under test; `ledger_problems` must come back empty after each run.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command

from apps.accounts.models import Role
from apps.rewards.backfill import points_earn_backfill
from apps.rewards.earning import points_earn_for_sale, points_reverse_for_return
from apps.rewards.expiry import points_expire
from apps.rewards.models import EarningRule, LotUse, PointsBalance, PointsEntry
from apps.rewards.services import points_adjust, points_spend
from apps.rewards.verify import ledger_problems
from tests.factories import (
    BasketFactory,
    BasketLineFactory,
    CategoryFactory,
    MemberFactory,
    ProductFactory,
    UserFactory,
)

CHICAGO = ZoneInfo("America/Chicago")  # settings.TIME_ZONE in tests (tests/env_defaults)
TODAY = dt.date(2026, 3, 10)


def local(y: int, m: int, d: int, hour: int = 12, minute: int = 0) -> dt.datetime:
    return dt.datetime(y, m, d, hour, minute, tzinfo=CHICAGO)


@pytest.fixture
def shop(db, settings):
    settings.TIME_ZONE = "America/Chicago"
    settings.CRM_POINTS_EXPIRY_MONTHS = 12
    EarningRule.objects.all().delete()
    food = CategoryFactory(name="Food")
    tobacco = CategoryFactory(name="Tobacco")
    alcohol = CategoryFactory(name="Alcohol")
    rule1 = EarningRule.objects.create(points_per_dollar=Decimal(1), starts_on=dt.date(2020, 1, 1))
    rule1.excluded_categories.add(tobacco)
    # Two rules start on 2026-03-01: the later one (higher id) is the one in force.
    EarningRule.objects.create(points_per_dollar=Decimal(5), starts_on=dt.date(2026, 3, 1))
    rule2 = EarningRule.objects.create(points_per_dollar=Decimal(2), starts_on=dt.date(2026, 3, 1))
    rule2.excluded_categories.add(alcohol)
    return {
        "rule1": rule1,
        "rule2": rule2,
        "bread": ProductFactory(category=food),
        "cigars": ProductFactory(category=tobacco),
        "wine": ProductFactory(category=alcohol),
    }


def basket(shop, member, when: dt.datetime, lines: list[tuple[str, str]]):
    """A recorded basket of (product key, amount paid) lines; negative amounts: a return."""
    amounts = [Decimal(amount) for _, amount in lines]
    made = BasketFactory(
        member=member, purchased_at=when, total_amount=sum(amounts), line_count=len(lines)
    )
    for (key, _), amount in zip(lines, amounts, strict=True):
        BasketLineFactory(
            basket=made, product=shop[key], amount=amount, quantity=1 if amount > 0 else -1
        )
    return made


def balance_of(member) -> int | None:
    row = PointsBalance.objects.filter(member=member).first()
    return None if row is None else row.points


def test_backfill_earns_each_sale_by_the_rule_of_its_local_day_once(shop):
    alice, bob, carol, dan = (MemberFactory() for _ in range(4))
    june = basket(shop, alice, local(2025, 6, 10), [("bread", "12.99"), ("cigars", "9.00")])
    # 23:30 on Feb 28 in Chicago is already Mar 1 in UTC: the local day (rule 1) counts.
    eve = basket(shop, alice, local(2026, 2, 28, 23, 30), [("wine", "10.00"), ("bread", "5.50")])
    # The first minutes of the day rule 2 starts: 2 a dollar, wine excluded, cigars earn.
    first = basket(
        shop,
        alice,
        local(2026, 3, 1, 0, 30),
        [("bread", "10.75"), ("wine", "20.00"), ("cigars", "3.00")],
    )
    leap = basket(shop, alice, local(2024, 2, 29), [("bread", "30.00")])
    basket(shop, alice, local(2026, 3, 2), [("bread", "-10.75")])  # a return: skipped
    # Money back overall (the cigars refunded exceed the bread): not a sale, though the
    # bread alone would earn 5.
    basket(shop, alice, local(2025, 8, 1), [("bread", "5.00"), ("cigars", "-9.00")])
    basket(shop, alice, local(2025, 7, 1), [("cigars", "9.00")])  # all excluded: 0 points
    basket(shop, alice, local(2025, 7, 2), [("bread", "0.99")])  # rounds down to 0
    basket(shop, alice, local(2019, 12, 31), [("bread", "50.00")])  # before any rule

    # Bob earned one sale at the till already; only his imported one is backfilled.
    till = basket(shop, bob, local(2026, 3, 5), [("bread", "8.00")])
    points_earn_for_sale(
        member_id=bob.pk, basket_id=till.pk, at=local(2026, 3, 5), day=dt.date(2026, 3, 5),
        lines=[(shop["bread"].category_id, Decimal("8.00"))],
    )  # fmt: skip
    imported = basket(shop, bob, local(2026, 1, 10), [("bread", "4.00")])
    basket(shop, dan, local(2025, 5, 5), [("bread", "10.00")])  # outside the range

    # Alice: 12 (12.99 of food) + 15 (15.50, wine earns under rule 1) + 27 (2 x 13.75 =
    # 27.5, down) + 30 = 84 in 4 entries; Bob: 4 more. Carol has no baskets.
    assert points_earn_backfill(lo=alice.pk, hi=dan.pk, today=TODAY) == (5, 88)

    entries = {
        e.basket_id: (e.member_id, e.points, e.basis, e.rule_id, e.valid_until, e.created_at)
        for e in PointsEntry.objects.filter(kind="earn").exclude(basket=till)
    }
    rule1, rule2 = shop["rule1"].pk, shop["rule2"].pk
    assert entries == {
        june.pk: (alice.pk, 12, Decimal("12.99"), rule1, dt.date(2026, 6, 9), local(2025, 6, 10)),
        eve.pk: (
            alice.pk, 15, Decimal("15.50"), rule1, dt.date(2027, 2, 27), local(2026, 2, 28, 23, 30)
        ),
        first.pk: (
            alice.pk, 27, Decimal("13.75"), rule2, dt.date(2027, 2, 28), local(2026, 3, 1, 0, 30)
        ),
        # Leap day + 12 months is 2025-02-28; spendable until the day before. Expired
        # already, still written: the nightly expiry takes it, as it would have.
        leap.pk: (alice.pk, 30, Decimal("30.00"), rule1, dt.date(2025, 2, 27), local(2024, 2, 29)),
        imported.pk: (bob.pk, 4, Decimal("4.00"), rule1, dt.date(2027, 1, 9), local(2026, 1, 10)),
    }  # fmt: skip
    assert set(PointsEntry.objects.values_list("key", flat=True)) == {
        f"earn:{pk}" for pk in (june.pk, eve.pk, first.pk, leap.pk, imported.pk, till.pk)
    }
    # Each member's lots are numbered in purchase order.
    alice_lots = PointsEntry.objects.filter(member=alice).order_by("id")
    assert [e.basket_id for e in alice_lots] == [leap.pk, june.pk, eve.pk, first.pk]
    assert (balance_of(alice), balance_of(bob), balance_of(carol), balance_of(dan)) == (
        84, 16 + 4, None, None
    )  # fmt: skip
    assert LotUse.objects.count() == 0
    assert ledger_problems() == {}

    # Again: every sale has its entry now.
    assert points_earn_backfill(lo=alice.pk, hi=dan.pk, today=TODAY) == (0, 0)
    assert (balance_of(alice), balance_of(bob)) == (84, 20)
    assert PointsEntry.objects.count() == 6
    # Then Dan alone: his 10.00 of bread on 2025-05-05 under rule 1.
    assert points_earn_backfill(lo=dan.pk, hi=dan.pk + 1, today=TODAY) == (1, 10)
    assert balance_of(dan) == 10
    assert ledger_problems() == {}

    # On 2026-06-09 the leap-day lot (last day 2025-02-27) and Dan's (2026-05-04) expire;
    # Alice's June lot has its last day still to go.
    assert points_expire(today=dt.date(2026, 6, 9)) == (2, 30 + 10)
    assert (balance_of(alice), balance_of(dan)) == (84 - 30, 0)
    assert ledger_problems() == {}


def test_month_ends_clip_like_the_till(shop, settings):
    """A month's validity from the 31st ends on the last day of the next month, less one."""
    settings.CRM_POINTS_EXPIRY_MONTHS = 1
    member = MemberFactory()
    days = {
        dt.date(2024, 1, 31): dt.date(2024, 2, 28),  # Feb 29, 2024, less a day
        dt.date(2024, 3, 31): dt.date(2024, 4, 29),  # Apr 30 less a day
        dt.date(2024, 12, 31): dt.date(2025, 1, 30),
        dt.date(2025, 1, 29): dt.date(2025, 2, 27),  # Feb 28, 2025 (no 29th), less a day
    }
    for day in days:
        basket(shop, member, local(day.year, day.month, day.day), [("bread", "5.00")])
    assert points_earn_backfill(lo=member.pk, hi=member.pk + 1, today=TODAY) == (4, 20)
    found = PointsEntry.objects.values_list("created_at", "valid_until")
    assert {at.astimezone(CHICAGO).date(): until for at, until in found} == days


def test_a_negative_balance_is_settled_by_the_new_lots_still_spendable(shop):
    """A return after spending left Erin owing 20, a staff correction 5 more (balance -25).
    The backfill's lots cover the debts oldest first from the earliest-expiring lot still
    spendable; an already expired lot covers nothing (it expires whole)."""
    erin = MemberFactory()
    marketing = UserFactory(role=Role.MARKETING)
    sale = basket(shop, erin, local(2026, 3, 2), [("bread", "10.00")])
    points_earn_for_sale(
        member_id=erin.pk, basket_id=sale.pk, at=local(2026, 3, 2), day=dt.date(2026, 3, 2),
        lines=[(shop["bread"].category_id, Decimal("10.00"))],
    )  # fmt: skip  # 2 a dollar: 20
    points_spend(member_id=erin.pk, points=20, key="till:E-1", at=local(2026, 3, 3))
    refund = basket(shop, erin, local(2026, 3, 4), [("bread", "-10.00")])
    points_reverse_for_return(sale_basket=sale, return_baskets=[refund], at=local(2026, 3, 4))
    points_adjust(member_id=erin.pk, points=-5, user=marketing, reason="Typo", key="e")
    assert balance_of(erin) == -25
    reverse = PointsEntry.objects.get(kind="reverse")
    adjust = PointsEntry.objects.get(kind="adjust")

    old = basket(shop, erin, local(2024, 6, 1), [("bread", "40.00")])  # until 2025-05-31
    sept = basket(shop, erin, local(2025, 9, 1), [("bread", "12.00")])  # until 2026-08-31
    jan = basket(shop, erin, local(2026, 1, 15), [("bread", "30.00")])  # until 2027-01-14
    assert points_earn_backfill(lo=erin.pk, hi=erin.pk + 1, today=TODAY) == (3, 82)

    lots = {e.basket_id: e.pk for e in PointsEntry.objects.filter(kind="earn")}
    # Debts: the reversal [0, 20), the adjustment [20, 25); spendable lots: September's 12
    # [0, 12), January's 30 [12, 42). Overlaps: 12, 8 and 5.
    assert set(LotUse.objects.filter(consumer__in=[reverse, adjust]).values_list(
        "consumer_id", "lot_id", "points"
    )) == {
        (reverse.pk, lots[sept.pk], 12),
        (reverse.pk, lots[jan.pk], 8),
        (adjust.pk, lots[jan.pk], 5),
    }  # fmt: skip
    assert not LotUse.objects.filter(lot_id=lots[old.pk]).exists()
    assert balance_of(erin) == -25 + 40 + 12 + 30
    assert ledger_problems() == {}

    # The expired lot goes whole; what is left is January's 30 - 8 - 5 = 17, all spendable.
    assert points_expire(today=TODAY) == (1, 40)
    assert balance_of(erin) == 17
    with pytest.raises(ValidationError):
        points_spend(member_id=erin.pk, points=18, key="till:E-2")
    points_spend(member_id=erin.pk, points=17, key="till:E-3", at=local(2026, 3, 11))
    spend = PointsEntry.objects.get(key="till:E-3")
    assert list(spend.uses.values_list("lot_id", "points")) == [(lots[jan.pk], 17)]
    assert balance_of(erin) == 0
    assert ledger_problems() == {}


def test_a_debt_larger_than_the_new_lots_stays_owed(shop):
    frank = MemberFactory()
    marketing = UserFactory(role=Role.MARKETING)
    points_adjust(member_id=frank.pk, points=-50, user=marketing, reason="Fraud", key="f")
    basket(shop, frank, local(2025, 12, 1), [("bread", "7.00")])
    assert points_earn_backfill(lo=frank.pk, hi=frank.pk + 1, today=TODAY) == (1, 7)
    owed = PointsEntry.objects.get(kind="adjust")
    assert list(owed.uses.values_list("points", flat=True)) == [7]
    assert balance_of(frank) == -43
    assert ledger_problems() == {}


def test_command_walks_the_members_in_chunks(shop, capsys):
    members = [MemberFactory() for _ in range(5)]
    for i, member in enumerate(members):
        basket(shop, member, local(2025, 10, 1 + i), [("bread", f"{10 * (i + 1)}.00")])
    call_command("backfill_points", chunk_size=2)
    out = capsys.readouterr().out
    # 10 + 20 + 30 + 40 + 50 points, one entry each, in chunks of 2, 2 and 1 member ids.
    assert "Backfilled 150 points in 5 entries" in out
    first = members[0].pk
    assert f"members [{first}, {first + 2}): 2 entries, 30 points" in out
    assert f"members [{first + 4}, {first + 5}): 1 entries, 50 points" in out
    assert [balance_of(m) for m in members] == [10, 20, 30, 40, 50]
    call_command("backfill_points", chunk_size=2)
    assert "Backfilled 0 points in 0 entries" in capsys.readouterr().out
    assert ledger_problems() == {}

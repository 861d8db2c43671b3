"""The points ledger: earning, reversing, spending, expiring, voiding; append-only.

Expected balances and lots are worked out by hand in each test from the rule (1 point a
dollar unless said otherwise), never read back from the code under test; the ledger's own
check (`ledger_problems`) must also come back empty.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.db import connection, transaction
from django.db.utils import DatabaseError

from apps.accounts.models import Role
from apps.rewards.earning import points_earn_for_sale, points_reverse_for_return
from apps.rewards.expiry import points_expire
from apps.rewards.models import EarningRule, LotUse, PointsBalance, PointsEntry
from apps.rewards.services import points_adjust, points_spend, points_void
from apps.rewards.verify import ledger_problems
from tests.factories import (
    BasketFactory,
    BasketLineFactory,
    CategoryFactory,
    MemberFactory,
    ProductFactory,
    UserFactory,
)

CHICAGO = ZoneInfo("America/Chicago")


def at(day: dt.date) -> dt.datetime:
    return dt.datetime(day.year, day.month, day.day, 12, tzinfo=CHICAGO)


@pytest.fixture
def shop(db):
    EarningRule.objects.all().delete()
    rule = EarningRule.objects.create(points_per_dollar=Decimal("1"), starts_on=dt.date(2020, 1, 1))
    food, tobacco = CategoryFactory(name="Food"), CategoryFactory(name="Tobacco")
    rule.excluded_categories.add(tobacco)
    return {
        "member": MemberFactory(),
        "bread": ProductFactory(category=food, price=Decimal("3.00")),
        "cigars": ProductFactory(category=tobacco, price=Decimal("9.00")),
        "rule": rule,
    }


def sale(shop, day: dt.date, lines: list[tuple[str, str]]):
    """A recorded sale of (product key, amount paid) lines, earning its points."""
    basket = BasketFactory(member=shop["member"], purchased_at=at(day))
    rows = []
    for key, amount in lines:
        product = shop[key]
        BasketLineFactory(basket=basket, product=product, amount=Decimal(amount))
        rows.append((product.category_id, Decimal(amount)))
    answer = points_earn_for_sale(
        member_id=shop["member"].pk, basket_id=basket.pk, lines=rows, at=at(day), day=day
    )
    return basket, answer


def give_back(shop, sale_basket, day: dt.date, lines: list[tuple[str, str]], earlier=()):
    """A return of (product key, refund) lines of `sale_basket`; reverses its points."""
    basket = BasketFactory(member=shop["member"], purchased_at=at(day))
    for key, refund in lines:
        BasketLineFactory(basket=basket, product=shop[key], quantity=-1, amount=-Decimal(refund))
    return points_reverse_for_return(
        sale_basket=sale_basket, return_baskets=[*earlier, basket], at=at(day)
    ), basket


def balance(shop) -> int:
    return PointsBalance.objects.get(member=shop["member"]).points


def test_a_sale_earns_its_eligible_spend_rounded_down_once(shop):
    day = dt.date(2026, 3, 2)
    basket, answer = sale(shop, day, [("bread", "12.99"), ("cigars", "9.00")])
    # 12.99 eligible (tobacco earns nothing) at 1 point a dollar: 12.
    assert (answer.points, answer.balance) == (12, 12)
    again = points_earn_for_sale(
        member_id=shop["member"].pk, basket_id=basket.pk,
        lines=[(shop["bread"].category_id, Decimal("12.99"))], at=at(day), day=day,
    )  # fmt: skip
    assert (again.points, again.balance) == (0, 12)
    lot = PointsEntry.objects.get()
    assert (lot.kind, lot.points, lot.basis) == ("earn", 12, Decimal("12.99"))
    assert lot.valid_until == dt.date(2027, 3, 1)  # 12 months: spendable until the day before
    assert ledger_problems() == {}


def test_returning_everything_takes_back_every_point_and_no_more(shop):
    """Odoo 257854/238806, ERPNext 32951: points earned on an order were kept after it was
    refunded."""
    day = dt.date(2026, 3, 2)
    basket, _ = sale(shop, day, [("bread", "6.50"), ("bread", "6.50")])  # 13.00: 13 points
    first, first_basket = give_back(shop, basket, day, [("bread", "6.50")])
    assert (first.points, first.balance) == (7, 6)  # kept 6.50 earns 6: 13 - 6 = 7 back
    second, _ = give_back(shop, basket, day, [("bread", "6.50")], earlier=[first_basket])
    assert (second.points, second.balance) == (6, 0)
    assert sum(PointsEntry.objects.values_list("points", flat=True)) == 0
    assert ledger_problems() == {}


def test_a_return_after_spending_leaves_a_debt_the_next_points_settle(shop):
    day = dt.date(2026, 3, 2)
    basket, _ = sale(shop, day, [("bread", "10.00")])
    points_spend(member_id=shop["member"].pk, points=10, key="till:T-9", at=at(day))
    answer, _ = give_back(shop, basket, day, [("bread", "10.00")])
    assert (answer.points, answer.balance) == (10, -10)
    _, later = sale(shop, day + dt.timedelta(days=3), [("bread", "15.00")])
    assert later.balance == 5
    reverse = PointsEntry.objects.get(kind="reverse")
    # The reversal found its lot spent; the new lot covered it.
    assert sum(reverse.uses.values_list("points", flat=True)) == 10
    assert ledger_problems() == {}


def test_spending_is_refused_beyond_the_balance_and_happens_once(shop):
    day = dt.date(2026, 3, 2)
    sale(shop, day, [("bread", "20.00")])
    with pytest.raises(ValidationError):
        points_spend(member_id=shop["member"].pk, points=21, key="till:T-1")
    assert points_spend(member_id=shop["member"].pk, points=5, key="till:T-2")[1] == 15
    assert points_spend(member_id=shop["member"].pk, points=5, key="till:T-2") == (None, 15)
    assert balance(shop) == 15


def test_a_key_happens_once_per_member_and_two_members_may_share_one(shop):
    """The key is unique per member (docs/rewards.md): a replay for the same member writes
    nothing, while the same text for another member is another event."""
    day = dt.date(2026, 3, 2)
    sale(shop, day, [("bread", "20.00")])
    other = MemberFactory()
    PointsEntry.objects.create(
        member=other,
        kind="adjust",
        points=30,
        key="till:T-9",
        created_at=at(day),
        valid_until=day.replace(year=2028),
    )
    assert points_spend(member_id=shop["member"].pk, points=5, key="till:T-9")[1] == 15
    assert points_spend(member_id=shop["member"].pk, points=5, key="till:T-9") == (None, 15)
    assert sorted(PointsEntry.objects.filter(key="till:T-9").values_list("points", flat=True)) == [
        -5,
        30,
    ]
    with pytest.raises(DatabaseError, match="points_entry_member_key"), transaction.atomic():
        PointsEntry.objects.create(
            member=other,
            kind="adjust",
            points=1,
            key="till:T-9",
            created_at=at(day),
            valid_until=day,
        )


def test_expiry_takes_only_what_is_left_of_each_lot(shop):
    """FloCafe 78: a balance collapsed when old points expired because spending had never
    been matched to the lots it consumed."""
    jan, jun = dt.date(2025, 1, 10), dt.date(2025, 6, 10)
    sale(shop, jan, [("bread", "100.00")])  # lot A: 100, spendable until 2026-01-09
    sale(shop, jun, [("bread", "50.00")])  # lot B: 50, until 2026-06-09
    points_spend(member_id=shop["member"].pk, points=120, key="till:S", at=at(jun))
    # Spending took A's 100 first, then 20 of B: A has nothing left to expire.
    assert points_expire(today=dt.date(2026, 1, 10)) == (0, 0)
    assert balance(shop) == 30
    # B's last day passes: its 30 left expire, once.
    assert points_expire(today=dt.date(2026, 6, 9)) == (0, 0)
    assert points_expire(today=dt.date(2026, 6, 10)) == (1, 30)
    assert points_expire(today=dt.date(2026, 6, 11)) == (0, 0)
    assert balance(shop) == 0
    assert ledger_problems() == {}


def test_expired_points_cannot_be_spent_even_before_the_nightly_job(shop):
    sale(shop, dt.date(2025, 1, 10), [("bread", "40.00")])
    sale(shop, dt.date(2026, 1, 5), [("bread", "10.00")])
    points_spend(member_id=shop["member"].pk, points=10, key="till:X", at=at(dt.date(2026, 1, 20)))
    spent = PointsEntry.objects.get(kind="redeem")
    # The old lot's last day was 2026-01-09: the spend took the new lot.
    assert list(spent.uses.values_list("lot__basis", "points")) == [(Decimal("10.00"), 10)]


def test_staff_void_points_granted_by_mistake_with_a_reason_once(shop):
    """RepairDesk 1047: no way to void points granted by mistake."""
    marketing = UserFactory(role=Role.MARKETING)
    cashier = UserFactory(role=Role.CASHIER)
    entry_id, _ = points_adjust(
        member_id=shop["member"].pk, points=500, user=marketing, reason="Goodwill", key="k1"
    )
    with pytest.raises(ValidationError):
        points_void(entry_id=entry_id, user=cashier, reason="Typo")
    with pytest.raises(ValidationError):
        points_void(entry_id=entry_id, user=marketing, reason=" ")
    points_spend(member_id=shop["member"].pk, points=100, key="till:V")
    _, after = points_void(entry_id=entry_id, user=marketing, reason="Meant 50")
    assert after == 0  # the 400 left of the grant go; the 100 spent stay spent
    assert points_void(entry_id=entry_id, user=marketing, reason="Again") == (None, 0)
    void = PointsEntry.objects.get(key=f"void:{entry_id}")
    assert (void.points, void.user, void.reason) == (-400, marketing, "Void: Meant 50")
    assert ledger_problems() == {}


def test_the_ledger_refuses_updates_and_deletes(shop):
    sale(shop, dt.date(2026, 3, 2), [("bread", "10.00")])
    entry = PointsEntry.objects.get()
    for statement in (
        f"UPDATE rewards_pointsentry SET points = 1000 WHERE id = {entry.pk}",
        f"DELETE FROM rewards_pointsentry WHERE id = {entry.pk}",
        "TRUNCATE rewards_pointsentry CASCADE",
    ):
        with (
            pytest.raises(DatabaseError, match="append-only"),
            transaction.atomic(),
            connection.cursor() as cursor,
        ):
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")  # no pending checks in the way
            cursor.execute(statement)
    assert PointsEntry.objects.get().points == 10


def test_verify_command_finds_a_balance_that_differs(shop, capsys):
    sale(shop, dt.date(2026, 3, 2), [("bread", "10.00")])
    call_command("rewards_verify")
    assert "adds up" in capsys.readouterr().out
    PointsBalance.objects.filter(member=shop["member"]).update(points=11)
    with pytest.raises(Exception, match="does not add up"):
        call_command("rewards_verify")
    assert LotUse.objects.count() == 0


def test_verify_finds_a_lot_use_of_a_missing_entry(shop):
    """Lot uses carry no foreign keys (speed): the check stands in for them."""
    sale(shop, dt.date(2026, 3, 2), [("bread", "10.00")])
    lot = PointsEntry.objects.get()
    assert ledger_problems() == {}
    LotUse.objects.create(consumer_id=lot.pk + 1000, lot=lot, points=1, member=shop["member"])
    # 10 points, 1 of them taken by a consumer that is not in the ledger.
    assert list(ledger_problems()) == ["lot use of an entry the member does not have"]


def test_verify_finds_a_lot_use_that_names_another_member(shop):
    """A use repeats its entries' member (the key a cluster places it by)."""
    day = dt.date(2026, 3, 2)
    sale(shop, day, [("bread", "10.00")])
    sale(shop, day, [("bread", "10.00")])
    points_spend(member_id=shop["member"].pk, points=5, key="till:T-1")
    spend = PointsEntry.objects.get(kind="redeem")
    assert LotUse.objects.get(consumer=spend).member_id == shop["member"].pk
    assert ledger_problems() == {}
    used = LotUse.objects.filter(member_id=spend.member_id, consumer=spend).values("lot_id")
    mine = PointsEntry.objects.filter(member_id=spend.member_id, points__gt=0)
    untouched = mine.exclude(pk__in=used).get()
    LotUse.objects.create(consumer=spend, lot=untouched, points=1, member=MemberFactory())
    assert "lot use of an entry the member does not have" in ledger_problems()

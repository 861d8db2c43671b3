"""Property test of the points ledger: random histories against an independent model.

Hypothesis plays histories of one to three members over about two years, days moving
forward: sales (some lines in excluded categories), returns of part or all of what an
earlier sale has left, spending (any amount), the nightly expiry on the current day, new
versions of the earning rule, and replays of earlier operations with the same key. Beside
the database, a small pure-Python model applies the documented rules, written here from the
docs (models.py, ledger.py, earning.py, services.py, expiry.py), not from the code:

- a basket earns floor(eligible paid × rate), eligible = its lines outside the excluded
  categories of the rule in force that day; a return takes back earned − already reversed −
  floor(kept eligible × rate), by the rule the sale earned under;
- a lot earned on day D is spendable until the day before the same date 12 months later
  (CRM_POINTS_EXPIRY_MONTHS = 12); negative movements take lots earliest last day first,
  a reversal its own sale's lot before any other;
- spending needs the points: beyond what the member's spendable lots hold it is refused and
  nothing changes; a return is never refused, and what it cannot take is owed and settled by
  the next points earned, so only a return takes a balance below zero;
- expiry takes what is left of each lot whose last day is before the day it runs;
- the same key again changes nothing.

After every step: each member's kept balance equals the sum of their entries and the model's
balance; `ledger_problems()` is empty; what is left of each lot, what each member still owes
and what expired of each lot equal the model's; no expiry took a lot whose last day had not
passed. Every example runs in a savepoint that is rolled back: the ledger refuses DELETE.

It found a bug, now fixed and pinned by the two tests at the end: a lot past its last day
counted in the balance until the nightly expiry took it, yet no movement could use it, so a
spend of such points was accepted and a debt beside them was not settled by the next
points. The ledger now lapses a member's past-due lots before each of their movements.
"""

from __future__ import annotations

import calendar
import datetime as dt
import itertools
from collections import Counter
from dataclasses import dataclass, field
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.db.models import Sum
from django.utils import timezone
from hypothesis import HealthCheck, example, given, note, settings
from hypothesis import strategies as st

from apps.baskets.models import Basket, BasketLine, BasketSource
from apps.rewards.earning import PointsAnswer, points_earn_for_sale, points_reverse_for_return
from apps.rewards.expiry import points_expire
from apps.rewards.models import EarningRule, LotUse, PointsBalance, PointsEntry
from apps.rewards.services import points_spend
from apps.rewards.verify import ledger_problems
from tests.factories import CategoryFactory, MemberFactory, ProductFactory, StoreFactory
from tests.fuzz.profiles import PROFILE

# The model's last_day() is written for 12 months, whatever the environment says.
pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("twelve_months")]

# From mid-2027, so that the two years hold a 29 February (2028) and its lot.
START = dt.date(2027, 6, 1)
END = START + dt.timedelta(days=760)
CATEGORIES = ("food", "drink", "tobacco")
RATES = (100, 150, 200, 25, 10, 333)  # points per dollar, in hundredths
SEEN: Counter[str] = Counter()  # what the examples went through: the test checks the coverage


@pytest.fixture
def twelve_months(settings):  # pytest-django's settings fixture
    settings.CRM_POINTS_EXPIRY_MONTHS = 12


def noon(day: dt.date) -> dt.datetime:
    """Midday of `day` in the shop's time zone (the ledger's day is the local date)."""
    return timezone.make_aware(dt.datetime(day.year, day.month, day.day, 12))


def last_day(earned_on: dt.date) -> dt.date:
    """The day before the same date 12 months later (from 29 Feb: the day before 28 Feb)."""
    year = earned_on.year + 1
    month = earned_on.month
    same = dt.date(year, month, min(earned_on.day, calendar.monthrange(year, month)[1]))
    return same - dt.timedelta(days=1)


def points_for(cents: int, rate: int) -> int:
    """Whole points for `cents` of eligible spend at `rate` hundredths of a point a dollar."""
    return cents * rate // 10_000


# -- the operations hypothesis draws ----------------------------------------------------------


@dataclass(frozen=True)
class Sale:
    member: int
    lines: tuple[tuple[str, int], ...]  # (category, cents paid)
    days: int  # days moved forward first


@dataclass(frozen=True)
class Return:
    sale: int  # which earlier sale (modulo their number)
    shares: tuple[int, ...]  # per line, % of what it has left (100: all of it)
    days: int


@dataclass(frozen=True)
class Spend:
    member: int
    how: str  # a fixed amount, or relative to the model's balance or spendable points
    amount: int
    days: int


@dataclass(frozen=True)
class Expire:
    days: int


@dataclass(frozen=True)
class Replay:
    which: int  # which earlier operation (modulo their number)


@dataclass(frozen=True)
class NewRule:
    rate: int
    excluded: tuple[str, ...]
    days: int


@dataclass(frozen=True)
class Wait:
    days: int


DAYS = st.sampled_from([0, 0, 1, 2, 7, 14, 30, 45])  # mostly the same day or a few weeks on
SALES = st.builds(
    Sale,
    member=st.integers(0, 2),
    lines=st.lists(
        st.tuples(
            st.sampled_from(CATEGORIES),
            st.one_of(
                st.integers(100, 15_000), st.integers(100, 15_000), st.sampled_from([0, 1, 99, 650])
            ),
        ),
        min_size=1,
        max_size=4,
    ).map(tuple),
    days=DAYS,
)
RETURNS = st.builds(
    Return,
    sale=st.integers(0, 40),
    shares=st.lists(st.sampled_from([0, 10, 33, 50, 99, 100, 100]), min_size=4, max_size=4).map(
        tuple
    ),
    days=DAYS,
)
SPENDS = st.builds(
    Spend,
    member=st.integers(0, 2),
    how=st.sampled_from(
        ["amount", "half", "half", "spendable", "spendable", "spendable+1", "balance", "balance+1"]
    ),
    amount=st.integers(1, 300),
    days=DAYS,
)
OPERATIONS = st.one_of(
    SALES,
    SALES,
    SALES,
    RETURNS,
    RETURNS,
    SPENDS,
    SPENDS,
    SPENDS,
    st.builds(Expire, days=DAYS),
    st.builds(Expire, days=DAYS),
    st.builds(Replay, which=st.integers(0, 100)),
    st.builds(Wait, days=st.sampled_from([60, 120, 200, 365])),
    st.builds(
        NewRule,
        rate=st.sampled_from(RATES),
        excluded=st.sets(st.sampled_from(CATEGORIES[1:])).map(lambda s: tuple(sorted(s))),
        days=DAYS,
    ),
)


# -- the model ---------------------------------------------------------------------------


@dataclass(eq=False)
class Lot:
    member: int
    points: int
    last_day: dt.date
    remaining: int
    entry_id: int  # only to compare with the database
    expired: int = 0


@dataclass(eq=False)
class Sold:
    member: int
    basket: Basket
    rate: int
    excluded: frozenset[str]
    lines: list[list]  # [category, cents paid, cents refunded so far]
    earned: int = 0
    lot: Lot | None = None
    reversed: int = 0
    returns: list[Basket] = field(default_factory=list)

    def eligible(self, column: int) -> int:
        return sum(line[column] for line in self.lines if line[0] not in self.excluded)


class Model:
    """The documented rules, in memory: lots, what each member owes, balances."""

    def __init__(self, members: int):
        self.lots: list[Lot] = []
        self.owed = [0] * members
        self.balance = [0] * members

    def spendable(self, member: int, day: dt.date) -> int:
        """Points of the member's lots whose last day has not passed, less what is owed."""
        held = (lot.remaining for lot in self.lots if lot.member == member and lot.last_day >= day)
        return sum(held) - self.owed[member]

    def earn(self, member: int, points: int, day: dt.date, entry_id: int) -> Lot:
        lot = Lot(member, points, last_day(day), points, entry_id)
        settled = min(self.owed[member], points)  # the next points earned settle a debt
        if settled:
            SEEN["new points settle a debt"] += 1
        lot.remaining -= settled
        self.owed[member] -= settled
        self.balance[member] += points
        self.lots.append(lot)
        return lot

    def sources(self, member: int, day: dt.date, own: Lot | None = None) -> list[Lot]:
        """The lots a negative movement takes, in order: `own` first, then the unexpired
        ones, earliest last day first (the sort is stable: on the same day, the older)."""
        others = [
            lot
            for lot in self.lots
            if lot.member == member and lot is not own and lot.last_day >= day
        ]
        return ([own] if own else []) + sorted(others, key=lambda lot: lot.last_day)

    def shortfall(self, member: int, points: int, day: dt.date, own: Lot | None = None) -> int:
        return max(0, points - sum(lot.remaining for lot in self.sources(member, day, own)))

    def stale(self, member: int, day: dt.date, besides: Lot | None = None) -> int:
        """Points left in lots past their last day that no expiry has taken yet."""
        return sum(
            lot.remaining
            for lot in self.lots
            if lot.member == member and lot.last_day < day and lot is not besides
        )

    def take(self, member: int, points: int, day: dt.date, own: Lot | None = None) -> None:
        needed = points
        for lot in self.sources(member, day, own):
            taken = min(needed, lot.remaining)
            lot.remaining -= taken
            needed -= taken
        if needed:
            SEEN["a return leaves a debt"] += 1
        self.owed[member] += needed
        self.balance[member] -= points

    def lapse(self, member: int, day: dt.date) -> None:
        """Before any movement of a member, their lots past their last day expire."""
        self.expire(day, member=member)

    def expire(self, today: dt.date, member: int | None = None) -> tuple[int, int]:
        lots = points = 0
        for lot in self.lots:
            if member is not None and lot.member != member:
                continue
            if lot.last_day < today and lot.remaining > 0:
                lots, points = lots + 1, points + lot.remaining
                lot.expired += lot.remaining
                self.balance[lot.member] -= lot.remaining
                lot.remaining = 0
        return lots, points


# -- the database side -------------------------------------------------------------------

LOTS_LEFT = """
SELECT e.id, e.points - coalesce(sum(u.points), 0) FROM rewards_pointsentry e
LEFT JOIN rewards_lotuse u ON u.member_id = e.member_id AND u.lot_id = e.id
WHERE e.points > 0 GROUP BY e.member_id, e.id, e.points
"""
OWED = """
SELECT e.member_id, sum(-e.points - coalesce(u.covered, 0)) FROM rewards_pointsentry e
LEFT JOIN (SELECT member_id, consumer_id, sum(points) AS covered FROM rewards_lotuse
           GROUP BY member_id, consumer_id)
    u ON u.member_id = e.member_id AND u.consumer_id = e.id
WHERE e.points < 0 GROUP BY e.member_id
"""


def rows(sql: str) -> dict:
    with connection.cursor() as cursor:
        cursor.execute(sql)
        return dict(cursor.fetchall())


def ledger_state() -> tuple:
    """Everything a movement can change: entries, lot uses and balances."""
    return (
        PointsEntry.objects.count(),
        LotUse.objects.count(),
        sorted(PointsBalance.objects.values_list("member_id", "points")),
    )


class Shop:
    """Drives the rewards services and the model side by side, one operation at a time."""

    def __init__(self, members: int, rate: int):
        self.counter = itertools.count(1)
        self.day = START
        self.sales: list[Sold] = []
        self.replays: list[tuple] = []  # (call again, the answer it must give)
        self.rules: list[tuple[dt.date, int, frozenset[str]]] = []
        self.store = StoreFactory()
        self.products = {name: ProductFactory(category=CategoryFactory()) for name in CATEGORIES}
        self.members = [MemberFactory().pk for _ in range(members)]
        self.model = Model(members)
        self.rule_record(rate, ("tobacco",), START - dt.timedelta(days=400))

    def apply(self, operation) -> None:
        if not isinstance(operation, Replay):
            self.day = min(self.day + dt.timedelta(days=operation.days), END)
        note(f"{self.day}: {operation}")
        handler = {
            Sale: self.sale,
            Return: self.give_back,
            Spend: self.spend,
            Expire: self.expire,
            Replay: self.replay,
            NewRule: self.new_rule,
            Wait: lambda operation: None,
        }[type(operation)]
        handler(operation)

    # -- rules, baskets --------------------------------------------------------------------

    def rule_record(self, rate: int, excluded: tuple[str, ...], starts_on: dt.date) -> None:
        rule = EarningRule.objects.create(
            points_per_dollar=Decimal(rate) / 100, starts_on=starts_on
        )
        rule.excluded_categories.set([self.products[name].category_id for name in excluded])
        self.rules.append((starts_on, rate, frozenset(excluded)))

    def rule_on(self, day: dt.date) -> tuple[int, frozenset[str]]:
        """The rule in force on `day`: the last version recorded whose start has come."""
        _starts_on, rate, excluded = [rule for rule in self.rules if rule[0] <= day][-1]
        return rate, excluded

    def new_rule(self, operation: NewRule) -> None:
        """A new version of the rule from tomorrow: later sales earn by it, returns by theirs.

        Not from today: a version starting today covers the whole day, so a replay of a sale
        of earlier today that earned nothing (and so recorded no key) would earn by it.
        """
        self.rule_record(operation.rate, operation.excluded, self.day + dt.timedelta(days=1))

    def basket_record(self, member_pk: int, lines: list[tuple[str, int]], sign: int) -> Basket:
        basket = Basket.objects.create(
            basket_id=f"P{next(self.counter):06d}",
            member_id=member_pk,
            store=self.store,
            purchased_at=noon(self.day),
            source=BasketSource.POS,
        )
        BasketLine.objects.bulk_create(
            BasketLine(
                basket=basket,
                product=self.products[category],
                member_id=member_pk,
                purchased_at=basket.purchased_at,
                quantity=Decimal(sign),
                amount=Decimal(sign * cents) / 100,
            )
            for category, cents in lines
        )
        return basket

    # -- movements -------------------------------------------------------------------------

    def sale(self, operation: Sale) -> None:
        index = operation.member % len(self.members)
        basket = self.basket_record(self.members[index], list(operation.lines), 1)
        args = {
            "member_id": self.members[index],
            "basket_id": basket.pk,
            "lines": [
                (self.products[category].category_id, Decimal(cents) / 100)
                for category, cents in operation.lines
            ],
            "at": noon(self.day),
            "day": self.day,
        }
        answer = points_earn_for_sale(**args)
        self.model.lapse(index, self.day)

        sold = Sold(
            index, basket, *self.rule_on(self.day), [[*line, 0] for line in operation.lines]
        )
        sold.earned = points_for(sold.eligible(1), sold.rate)
        if sold.earned:
            entry = PointsEntry.objects.get(key=f"earn:{basket.pk}")
            basis = Decimal(sold.eligible(1)) / 100
            assert (entry.kind, entry.points, entry.basis) == ("earn", sold.earned, basis)
            sold.lot = self.model.earn(index, sold.earned, self.day, entry.pk)
            assert entry.valid_until == sold.lot.last_day
        else:
            assert not PointsEntry.objects.filter(basket=basket).exists()
        assert answer == PointsAnswer(sold.earned, self.model.balance[index])
        self.sales.append(sold)
        SEEN["a sale earns points" if sold.earned else "a sale earns nothing"] += 1
        self.replays.append(
            (
                lambda: points_earn_for_sale(**args),
                lambda: PointsAnswer(0, self.model.balance[index]),
            )
        )

    def give_back(self, operation: Return) -> None:
        """Return a share (100: all) of what each line of an earlier sale has left."""
        if not self.sales:
            return
        sold = self.sales[operation.sale % len(self.sales)]
        refunds = [
            (paid - refunded) * share // 100
            for (_category, paid, refunded), share in zip(
                sold.lines, operation.shares, strict=False
            )
        ]
        if not any(refunds):
            return
        returned = [(line[0], cents) for line, cents in zip(sold.lines, refunds, strict=True)]
        refunded = sum(cents for category, cents in returned if category not in sold.excluded)
        kept = sold.eligible(1) - sold.eligible(2) - refunded
        back = max(0, sold.earned - sold.reversed - points_for(kept, sold.rate))
        basket = self.basket_record(
            self.members[sold.member], [line for line in returned if line[1]], -1
        )
        sold.returns.append(basket)
        args = {
            "sale_basket": sold.basket,
            "return_baskets": list(sold.returns),
            "at": noon(self.day),
        }
        answer = points_reverse_for_return(**args)
        self.model.lapse(sold.member, self.day)

        for line, cents in zip(sold.lines, refunds, strict=True):
            line[2] += cents
            assert line[2] <= line[1]  # never more than was bought
        SEEN["a return takes points back" if back else "a return takes nothing"] += 1
        if back:
            sold.reversed += back
            self.model.take(sold.member, back, self.day, own=sold.lot)
        if kept == 0:  # everything eligible came back: every point earned is gone
            assert sold.reversed == sold.earned
        assert answer == PointsAnswer(back, self.model.balance[sold.member])
        self.replays.append(
            (
                lambda: points_reverse_for_return(**args),
                lambda: PointsAnswer(0, self.model.balance[sold.member]),
            )
        )

    def spend(self, operation: Spend) -> None:
        index = operation.member % len(self.members)
        spendable = self.model.spendable(index, self.day)
        points = {
            "amount": operation.amount,
            "half": spendable // 2,
            "spendable": spendable,
            "spendable+1": spendable + 1,
            "balance": self.model.balance[index],
            "balance+1": self.model.balance[index] + 1,
        }[operation.how]
        if points <= 0:
            return
        args = {
            "member_id": self.members[index],
            "points": points,
            "key": f"till:{next(self.counter)}",
            "at": noon(self.day),
        }
        refused = points > spendable
        stale = self.model.stale(index, self.day) > 0
        SEEN[f"a spend {'refused' if refused else 'accepted'}{' (stale lot)' * stale}"] += 1
        if refused:
            before = ledger_state()
            with pytest.raises(ValidationError):
                points_spend(**args)
            assert ledger_state() == before, f"a refused spend of {points} changed the ledger"
            return
        entry_id, balance = points_spend(**args)
        self.model.lapse(index, self.day)
        self.model.take(index, points, self.day)
        assert entry_id is not None
        assert balance == self.model.balance[index]
        self.replays.append(
            (lambda: points_spend(**args), lambda: (None, self.model.balance[index]))
        )

    def expire(self, operation: Expire) -> None:
        """The nightly job, run on the current day."""
        today = self.day
        newest = PointsEntry.objects.order_by("-id").values_list("id", flat=True).first() or 0
        answer = points_expire(today=today)
        expected = self.model.expire(today)
        SEEN["an expiry takes points" if expected[1] else "an expiry takes nothing"] += 1
        taken = PointsEntry.objects.filter(kind="expire", id__gt=newest).values_list("key")
        lots = PointsEntry.objects.filter(id__in=[int(key[7:]) for (key,) in taken])
        assert not lots.filter(valid_until__gte=today).exists(), "a lot expired before its time"
        assert answer == expected
        self.replays.append((lambda: points_expire(today=today), lambda: (0, 0)))

    def replay(self, operation: Replay) -> None:
        """The same request again (same key, same arguments): nothing changes."""
        if not self.replays:
            return
        call, expected = self.replays[operation.which % len(self.replays)]
        before = ledger_state()
        assert call() == expected()
        assert ledger_state() == before
        SEEN["a replay"] += 1

    # -- what must hold after every step ---------------------------------------------------

    def check(self) -> None:
        kept = dict(PointsBalance.objects.values_list("member_id", "points"))
        sums = dict(
            PointsEntry.objects.values("member_id")
            .annotate(total=Sum("points"))
            .values_list("member_id", "total")
        )
        for index, member in enumerate(self.members):
            expected = self.model.balance[index]
            got = (kept.get(member, 0), sums.get(member, 0))
            assert got == (expected, expected), f"member {index}: kept, ledger vs model"
        assert ledger_problems() == {}
        assert rows(LOTS_LEFT) == {lot.entry_id: lot.remaining for lot in self.model.lots}
        owed = {member: points for member, points in rows(OWED).items() if points}
        expected = {self.members[i]: p for i, p in enumerate(self.model.owed) if p}
        assert owed == expected, "points owed per member"
        expired = PointsEntry.objects.filter(kind="expire").values_list("key", "points")
        expected = {lot.entry_id: lot.expired for lot in self.model.lots if lot.expired}
        assert {int(key[7:]): -points for key, points in expired} == expected


@pytest.mark.timeout(240 * PROFILE["scale"])
def test_the_ledger_follows_its_rules():
    """Random histories keep the ledger equal to the model at every step."""
    SEEN.clear()

    @settings(
        max_examples=100 * PROFILE["scale"],
        deadline=None,
        derandomize=PROFILE["derandomize"],
        phases=PROFILE["phases"],
        database=None,
        print_blob=True,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
    )
    # A tour of every rule: a debt from a return after spending, settled by the next sale,
    # a replay, a refusal, an expiry on the day after a lot's last day (not on it).
    @example(
        members=2,
        rate=100,
        operations=[
            Sale(0, (("food", 2000), ("tobacco", 900)), days=0),
            Spend(0, "amount", 21, days=1),
            Spend(0, "spendable", 0, days=0),
            Return(0, (50, 100, 0, 0), days=1),
            Sale(0, (("food", 1500),), days=2),
            Replay(0),
            Wait(365),
            Expire(days=0),
            Expire(days=1),
        ],
    )
    # The two histories of the tests below (the bug the property test found, fixed).
    @example(
        members=1,
        rate=100,
        operations=[
            Sale(0, (("food", 100),), days=0),
            Wait(365),
            Spend(0, "amount", 1, days=1),
            Expire(days=0),
        ],
    )
    @example(
        members=1,
        rate=100,
        operations=[
            Sale(0, (("food", 5000),), days=0),
            Wait(366),
            Sale(0, (("food", 1000),), days=0),
            Spend(0, "amount", 10, days=0),
            Return(1, (100, 100, 100, 100), days=0),
            Sale(0, (("food", 2000),), days=1),
            Expire(days=0),
            Spend(0, "amount", 10, days=0),
            Wait(365),
            Expire(days=0),
        ],
    )
    # 29 February 2028: its lot's last day is 27 February 2029 (the day before 28 February).
    @example(
        members=1,
        rate=100,
        operations=[
            Sale(0, (("food", 1000), ("tobacco", 900)), days=273),
            Spend(0, "amount", 3, days=364),
            Expire(days=0),
            Spend(0, "amount", 8, days=0),
            Expire(days=1),
            Replay(2),
        ],
    )
    @given(
        members=st.integers(1, 3),
        rate=st.sampled_from(RATES),
        operations=st.lists(OPERATIONS, min_size=15, max_size=40),
    )
    def histories(members, rate, operations):
        SEEN["examples"] += 1
        with transaction.atomic():
            shop = Shop(members, rate)
            note(f"{members} member(s), rate {rate / 100} from {START}")
            for operation in operations:
                SEEN["operations"] += 1
                shop.apply(operation)
                shop.check()
            transaction.set_rollback(True)

    histories()
    print(sorted(SEEN.items()))
    # The examples reached every rule (the tour above does; a change that stops it would
    # leave the property saying little).
    for what in (
        "a return leaves a debt",
        "new points settle a debt",
        "an expiry takes points",
        "a spend refused",
        "a spend accepted",
        "a return takes points back",
        "a replay",
    ):
        assert SEEN[what], f"no example went through: {what}"


# -- the known bug, found by the property test ---------------------------------------------


def bought(shop: Shop, day: dt.date, cents: int) -> Basket:
    """A sale of food (eligible) to the shop's member, earning its points."""
    shop.day = day
    basket = shop.basket_record(shop.members[0], [("food", cents)], 1)
    food = shop.products["food"].category_id
    points_earn_for_sale(
        member_id=shop.members[0], basket_id=basket.pk, lines=[(food, Decimal(cents) / 100)],
        at=noon(day), day=day,
    )  # fmt: skip
    return basket


def kept_balance(shop: Shop) -> int:
    return PointsBalance.objects.get(member_id=shop.members[0]).points


# Two histories the property test found (a lot past its last day counted in the balance
# until the nightly expiry took it, though no movement could use it). Fixed: the ledger now
# lapses a member's past-due lots inside the member's lock before each movement
# (apps.rewards.ledger.balance_locked). These pin the fixed behaviour.


def test_points_past_their_last_day_cannot_be_spent_before_the_expiry_runs():
    """1 point earned 2027-06-01 (last day 2028-05-31); on 2028-06-01, before any nightly
    expiry, a spend of 1 point is refused (and changes nothing); the expiry then takes the
    point: balance 0. (It was accepted against the stale balance, leaving -1.)"""
    shop = Shop(1, 100)
    bought(shop, dt.date(2027, 6, 1), 100)
    try:
        points_spend(
            member_id=shop.members[0], points=1, key="till:1", at=noon(dt.date(2028, 6, 1))
        )
        refused = False
    except ValidationError:
        refused = True
    expired = points_expire(today=dt.date(2028, 6, 1))
    assert (refused, expired, kept_balance(shop)) == (True, (1, 1), 0)


def test_a_debt_is_never_hidden_behind_points_past_their_last_day():
    """50 points earned 2027-06-01 (last day 2028-05-31). On 2028-06-01, before any nightly
    expiry, a sale earns 10: its movement first lapses the 50 (balance 10); 10 are spent; the
    sale is returned, its lot spent: 10 owed, balance -10. On 2028-06-02 a sale earns 20,
    which settle the 10 owed first (balance 10); the nightly expiry finds nothing left to
    take; the last 10 are spent and the new lot has nothing left to expire a year on.
    (Before the fix the stale 50 kept the balance at 40, the debt was never settled and the
    member ended at -10.)"""
    shop = Shop(1, 100)
    bought(shop, dt.date(2027, 6, 1), 5000)
    june = dt.date(2028, 6, 1)
    sale = bought(shop, june, 1000)
    assert kept_balance(shop) == 10
    points_spend(member_id=shop.members[0], points=10, key="till:1", at=noon(june))
    back = shop.basket_record(shop.members[0], [("food", 1000)], -1)
    answer = points_reverse_for_return(sale_basket=sale, return_baskets=[back], at=noon(june))
    assert (answer.points, answer.balance) == (10, -10)
    later = bought(shop, june + dt.timedelta(days=1), 2000)
    assert kept_balance(shop) == 10
    assert points_expire(today=june + dt.timedelta(days=1)) == (0, 0)
    points_spend(
        member_id=shop.members[0], points=10, key="till:2", at=noon(june + dt.timedelta(days=1))
    )
    lot = PointsEntry.objects.get(key=f"earn:{later.pk}")
    covered = sum(
        LotUse.objects.filter(lot=lot, consumer__kind="reverse").values_list("points", flat=True)
    )
    expired = points_expire(today=dt.date(2029, 6, 2))
    assert (covered, expired, kept_balance(shop)) == (10, (0, 0), 0)
    assert ledger_problems() == {}

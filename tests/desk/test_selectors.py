import datetime as dt
from decimal import Decimal

import pytest
from django.utils import timezone

from apps.baskets.selectors import (
    member_figures,
    member_summary,
    member_top_categories,
    member_weekly_spend,
)
from apps.desk.selectors import _by_digits, member_lookup
from apps.lists.models import ShoppingList
from apps.members.models import MemberStatus
from tests.factories import (
    BasketFactory,
    BasketLineFactory,
    CategoryFactory,
    MemberFactory,
    ProductFactory,
)
from tests.plans import plans_without

pytestmark = pytest.mark.django_db

NOW = timezone.make_aware(dt.datetime(2026, 3, 11, 12, 0))  # a Wednesday


@pytest.fixture
def people():
    return {
        "anna": MemberFactory(
            card_number="400000000017", first_name="Anna", last_name="Smith",
            phone="(515) 555-0123",
        ),
        "anne": MemberFactory(
            card_number="400000000025", first_name="Anne", last_name="Smithers",
            phone="+1 515-555-0199",
        ),
        "bob": MemberFactory(
            card_number="400000000033", first_name="Bob", last_name="Smith", phone="515 555 0150",
        ),
        "olga": MemberFactory(
            card_number="400000000041", first_name="Olga", last_name="O'Brien", phone="",
            status=MemberStatus.CLOSED,
        ),
    }  # fmt: skip


def names(result):
    return [m.card_number for m in result.members]


def test_lookup_by_exact_card_number(people):
    result = member_lookup(query=" 400000000017 ")
    assert (result.kind, names(result)) == ("card", ["400000000017"])
    assert result.single == people["anna"]


def test_card_number_must_match_exactly():
    MemberFactory(card_number="400000000017")
    result = member_lookup(query="40000000001")
    assert result.members == []


def test_lookup_by_phone_in_any_formatting(people):
    for typed in ("515-555-0123", "5155550123", "(515) 555 0123", "+1 515 555 0123"):
        result = member_lookup(query=typed)
        assert (result.kind, names(result)) == ("phone", ["400000000017"]), typed


def test_phone_stored_with_country_code_is_found_without_it(people):
    result = member_lookup(query="515.555.0199")
    assert names(result) == ["400000000025"]


def test_lookup_by_last_name_prefix_is_case_insensitive_and_sorted(people):
    result = member_lookup(query="smith")
    # Smith, Anna; Smith, Bob; Smithers, Anne
    assert (result.kind, names(result)) == (
        "name",
        ["400000000017", "400000000033", "400000000025"],
    )
    assert result.single is None
    assert not result.truncated


def test_lookup_by_first_and_last_name_prefix(people):
    assert names(member_lookup(query="Ann Smi")) == ["400000000017", "400000000025"]
    assert names(member_lookup(query="anne smith")) == ["400000000025"]
    assert names(member_lookup(query="Smith, Bob")) == ["400000000033"]


def test_name_with_apostrophe(people):
    result = member_lookup(query="o'bri")
    assert result.single == people["olga"]


def test_like_wildcards_are_literal(people):
    assert member_lookup(query="S%").members == []
    assert member_lookup(query="_mith").members == []


def test_more_than_twenty_matches_are_cut_to_twenty():
    for i in range(23):
        MemberFactory(last_name="Nguyen", first_name=f"P{i:02d}")
    result = member_lookup(query="nguy")
    assert len(result.members) == 20
    assert result.truncated
    assert [m.first_name for m in result.members] == sorted(m.first_name for m in result.members)


def test_empty_query_finds_nothing():
    assert member_lookup(query="   ").kind == "none"


def test_lookup_by_shopping_list_barcode_names_the_list(people):
    anna = people["anna"]
    first = ShoppingList.objects.create(
        member=anna, period_start=dt.date(2026, 3, 2), period_end=dt.date(2026, 3, 16),
        barcode="992603020000000001",
    )  # fmt: skip
    ShoppingList.objects.create(
        member=anna, period_start=dt.date(2026, 3, 16), period_end=dt.date(2026, 3, 30),
        barcode="992603160000000001",
    )  # fmt: skip
    result = member_lookup(query=" 992603020000000001 ")
    assert (result.kind, names(result), result.list_id) == ("list", ["400000000017"], first.pk)
    assert result.single == anna
    # A card scan names no list: the screen shows the member's current one.
    assert member_lookup(query="400000000017").list_id is None
    # Barcodes match exactly, like cards.
    assert member_lookup(query="99260302000000000").members == []


def test_list_barcode_wins_over_a_card_with_the_same_number(people):
    """As at the checkout API: a list barcode is tried before a card number."""
    MemberFactory(card_number="992603020000000001", last_name="Card")
    ShoppingList.objects.create(
        member=people["bob"], period_start=dt.date(2026, 3, 2), period_end=dt.date(2026, 3, 16),
        barcode="992603020000000001",
    )  # fmt: skip
    result = member_lookup(query="992603020000000001")
    assert (result.kind, names(result)) == ("list", ["400000000033"])


def test_lookup_runs_one_query(people, django_assert_num_queries):
    for typed in ("400000000017", "515-555-0123", "Smith", "Ann Smi", "AB123", "99260302000017"):
        with django_assert_num_queries(1):
            member_lookup(query=typed)


def test_lookup_queries_use_the_indexes(people):
    """The planner would seq-scan a 4-row table; forbid that to see which index fits.

    Plain index scans are forbidden too: on a table whose row estimate is 1 (statistics an
    earlier test left) the planner walked the whole card-number index and filtered the
    names, a plan no real table gets. A bitmap scan needs an index condition, so only an
    index that fits the lookup can appear.
    """
    from apps.members.models import Member

    plans_without("seqscan", "indexscan", "indexonlyscan")
    from django.db.models import Q
    from django.db.models.functions import Upper

    qs = Member.objects.annotate(lu=Upper("last_name"), fu=Upper("first_name"))
    assert "member_last_name_prefix" in qs.filter(lu__startswith="SMI").explain()
    assert "member_first_name_prefix" in qs.filter(fu__startswith="ANN").explain()
    plan = Member.objects.filter(Q(card_number="1") | Q(phone_digits__in=["5155550123"])).explain()
    assert "member_phone_digits" in plan
    # The digits lookup: list barcode (unique index), card (unique index), phone digits.
    plan = _by_digits("5155550123").explain()
    assert "lists_shoppinglist_barcode" in plan and "members_member_card_number" in plan
    assert "member_phone_digits" in plan


def test_summary_counts_last_eight_weeks(people, django_assert_num_queries):
    anna = people["anna"]
    BasketFactory(
        member=anna, purchased_at=NOW - dt.timedelta(days=1), total_amount=Decimal("10.50")
    )
    BasketFactory(
        member=anna, purchased_at=NOW - dt.timedelta(days=55), total_amount=Decimal("4.25")
    )
    # 57 days ago: outside the 8 weeks (56 days), yet still a recent visit
    BasketFactory(member=anna, purchased_at=NOW - dt.timedelta(days=57), total_amount=Decimal("99"))
    BasketFactory(member=people["bob"], purchased_at=NOW, total_amount=Decimal("7"))
    with django_assert_num_queries(1):  # the figures and the recent visits together
        summary = member_summary(member=anna, now=NOW)
    assert summary.visits_recent == 2
    assert summary.spend_recent == Decimal("14.75")
    assert summary.last_visit == NOW - dt.timedelta(days=1)
    assert [b.total_amount for b in summary.recent_visits] == [
        Decimal("10.50"), Decimal("4.25"), Decimal("99.00"),
    ]  # fmt: skip


def test_summary_of_a_member_without_visits(people):
    summary = member_summary(member=people["olga"], now=NOW)
    assert (summary.visits_recent, summary.spend_recent, summary.last_visit) == (0, 0, None)


def test_figures_by_hand(people):
    anna = people["anna"]
    first = NOW - dt.timedelta(days=300)
    BasketFactory(member=anna, purchased_at=first, total_amount=Decimal("20.00"))
    BasketFactory(
        member=anna, purchased_at=NOW - dt.timedelta(days=3), total_amount=Decimal("5.00")
    )
    BasketFactory(member=anna, purchased_at=NOW, total_amount=Decimal("0.01"))
    f = member_figures(member=anna)
    assert f.visits == 3
    assert f.spend == Decimal("25.01")
    assert f.average_basket == Decimal("8.34")  # 25.01 / 3 = 8.3367
    assert (f.first_visit, f.last_visit) == (first, NOW)


def test_figures_without_visits(people):
    f = member_figures(member=people["bob"])
    assert (f.visits, f.spend, f.average_basket, f.first_visit) == (0, 0, None, None)


def test_weekly_spend_fills_empty_weeks(people):
    anna = people["anna"]
    # NOW is Wednesday 2026-03-11: this week starts Monday 2026-03-09.
    BasketFactory(member=anna, purchased_at=NOW, total_amount=Decimal("3.00"))
    BasketFactory(
        member=anna, purchased_at=NOW - dt.timedelta(days=1), total_amount=Decimal("2.00")
    )
    BasketFactory(
        member=anna, purchased_at=NOW - dt.timedelta(days=7), total_amount=Decimal("1.50")
    )
    BasketFactory(member=anna, purchased_at=NOW - dt.timedelta(weeks=5), total_amount=Decimal("9"))
    weeks = member_weekly_spend(member=anna, weeks=4, now=NOW)
    assert weeks == [
        (dt.date(2026, 2, 16), Decimal("0")),
        (dt.date(2026, 2, 23), Decimal("0")),
        (dt.date(2026, 3, 2), Decimal("1.50")),
        (dt.date(2026, 3, 9), Decimal("5.00")),
    ]


def test_top_categories_by_spend(people):
    anna = people["anna"]
    milk = ProductFactory(category=CategoryFactory(name="Milk"))
    coffee = ProductFactory(category=CategoryFactory(name="Coffee"))
    b1 = BasketFactory(member=anna)
    b2 = BasketFactory(member=anna)
    BasketLineFactory(basket=b1, product=milk, amount=Decimal("1.00"))
    BasketLineFactory(basket=b2, product=milk, amount=Decimal("2.00"))
    BasketLineFactory(basket=b2, product=coffee, amount=Decimal("7.00"))
    BasketLineFactory(
        basket=BasketFactory(member=people["bob"]), product=milk, amount=Decimal("50")
    )
    assert member_top_categories(member=anna) == [
        {"name": "Coffee", "spend": Decimal("7.00"), "baskets": 1, "share": 70.0},
        {"name": "Milk", "spend": Decimal("3.00"), "baskets": 2, "share": 30.0},
    ]

"""List generation rules, run in-process against PostgreSQL (the worker test is separate)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from apps.lists.models import ListItem, ShoppingList
from apps.lists.services import ListRules, lists_generate_for_range, lists_print_offers
from tests.lists.conftest import PERIOD

EVERYONE = (0, 10**12)


def generate(period=PERIOD, rules=None) -> int:
    """Every chunk at once, then the period's offers, as a generation job does."""
    created = lists_generate_for_range(
        period_start=period, lo=EVERYONE[0], hi=EVERYONE[1], rules=rules or ListRules()
    )
    lists_print_offers(period_start=period)
    return created


def items_of(card: str, period=PERIOD) -> set[tuple]:
    rows = ListItem.objects.filter(
        member__card_number=card, shopping_list__period_start=period
    ).values_list("kind", "description", "regular_price", "discount", "discount_pct")
    return {row for row in rows if row[0] != "content"}


def cards(period=PERIOD) -> list[str]:
    return sorted(
        ShoppingList.objects.filter(period_start=period).values_list(
            "member__card_number", flat=True
        )
    )


def test_eligibility_at_exactly_200_consent_and_closed_cards(chain):
    assert generate() == 4
    # exactly_200, best, no_cycle, held_out; not $199.99, no consent, or closed.
    assert cards() == ["100000000001", "100000000005", "100000000006", "100000000007"]


def test_threshold_and_weeks_are_settable(chain):
    generate(rules=ListRules(min_spend=Decimal("199.99"), weeks=9))
    # $199.99 plus $50 on Jan 4 (inside 9 weeks) qualifies; the others did already.
    assert "100000000002" in cards()
    assert len(cards()) == 5


def test_items_timed_by_cycle_tier_specific_and_none_for_holdout(chain):
    generate()
    store = ("offer", "Ketchup: our own brand", None)
    # Next purchase Mar 20, after this period: no offer yet; $200 × 5% = $10 reward.
    assert items_of("100000000001") == {
        ("reward", "Thank you: $10 off your shopping", None, Decimal("10.00"), None)
    }
    # Low-usage tier: 10% off; due Mar 5: their most-bought ketchup; $800 × 5% capped at $40.
    assert items_of("100000000005") == {
        (*store, None, Decimal("10.00")),
        ("due", "Red Ketchup 20oz", Decimal("3.49"), None, None),
        ("reward", "Thank you: $40 off your shopping", None, Decimal("40.00"), None),
    }
    # No known cycle: the offer comes in the campaign's first list; $300 → $15.
    assert items_of("100000000006") == {
        (*store, None, Decimal("10.00")),
        ("reward", "Thank you: $15 off your shopping", None, Decimal("15.00"), None),
    }
    # Held out: due item and reward, never the offer; $250 → $12.50 → two $5 coupons.
    assert items_of("100000000007") == {
        ("due", "Red Ketchup 20oz", Decimal("3.49"), None, None),
        ("reward", "Thank you: $10 off your shopping", None, Decimal("10.00"), None),
    }
    # Content follows what they buy: the best member bought dog food (Pet).
    content = ListItem.objects.filter(kind="content", member__card_number="100000000005")
    assert sorted(content.values_list("content__department", flat=True)) == ["Pet", "Pet"]
    assert not ListItem.objects.filter(kind="content", member__card_number="100000000001").exists()
    # Every item of every kind repeats its list's member (apps/core/placement.py).
    kinds = {"offer", "due", "reward", "content"}
    assert set(ListItem.objects.values_list("kind", flat=True)) == kinds
    assert [
        (item.kind, item.member_id)
        for item in ListItem.objects.select_related("shopping_list")
        if item.member_id != item.shopping_list.member_id
    ] == []


def test_next_list_brings_the_offer_once_and_heavy_buyers_get_theirs(chain):
    generate()
    second = PERIOD + dt.timedelta(days=14)
    generate(period=second)
    # Mar 20 falls in [Mar 16, Mar 30): the high-usage offer, $1.50 off, arrives now.
    assert ("offer", "Ketchup: our own brand", None, Decimal("1.50"), None) in items_of(
        "100000000001", second
    )
    # Those who had their offer in the first list do not get it again.
    assert not {i for i in items_of("100000000005", second) if i[0] == "offer"}
    assert not {i for i in items_of("100000000006", second) if i[0] == "offer"}


def test_regenerating_changes_nothing_and_closed_cards_stop(chain):
    generate()
    before = list(ListItem.objects.order_by("id").values_list("id", "kind", "description"))
    barcodes = sorted(ShoppingList.objects.values_list("barcode", flat=True))
    assert generate() == 0
    assert list(ListItem.objects.order_by("id").values_list("id", "kind", "description")) == before
    assert sorted(ShoppingList.objects.values_list("barcode", flat=True)) == barcodes
    assert "992603020" in barcodes[0]

    best = chain["members"]["best"]
    best.status = "closed"
    best.save()
    generate(period=PERIOD + dt.timedelta(days=14))
    assert "100000000005" not in cards(PERIOD + dt.timedelta(days=14))
    assert "100000000005" in cards()  # the old list stays


def test_a_chunk_only_touches_its_member_id_range(chain):
    best = chain["members"]["best"]
    created = lists_generate_for_range(
        period_start=PERIOD, lo=best.pk, hi=best.pk + 1, rules=ListRules()
    )
    assert created == 1 and cards() == ["100000000005"]

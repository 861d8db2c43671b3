"""Campaign.redemptions_per_member: slots per list item, held by the database."""

from __future__ import annotations

import time
from collections import Counter

import pytest
from django.db import IntegrityError, transaction

from apps.checkout.models import Redemption
from apps.checkout.services import offers as services
from tests.checkout.conftest import HEINZ, OWN, body, post
from tests.checkout.test_concurrency import N, fire
from tests.checkout.test_returns import give_back, ret


def heinz_slots() -> list[tuple[str, int, bool]]:
    """(sale, slot, live) of every Heinz redemption, in sale order."""
    rows = Redemption.objects.filter(product__upc=HEINZ).order_by("pos_transaction_id")
    return [(r.pos_transaction.transaction_id, r.slot, r.reversed_at is None) for r in rows]


@pytest.fixture
def twice(chain):
    """The Heinz trial allows 2 redemptions per member; the own-brand campaign 1."""
    chain["trial"].redemptions_per_member = 2
    chain["trial"].save()
    return chain


def redeemed_upcs(response) -> list[str]:
    assert response.status_code == 200, response.content
    return [r["upc"] for r in response.json()["redemptions"]]


def test_an_offer_is_redeemed_up_to_the_campaigns_limit(twice):
    assert redeemed_upcs(post(twice["secret"], body())) == [HEINZ, OWN]
    assert redeemed_upcs(post(twice["secret"], body(transaction_id="T-2"))) == [HEINZ]
    third = post(twice["secret"], body(transaction_id="T-3"))
    assert redeemed_upcs(third) == []
    assert third.json()["discount_total"] == "0.00"
    assert heinz_slots() == [("T-1", 1, True), ("T-2", 2, True)]


def test_an_offer_applies_once_per_transaction(twice):
    # Two separate Heinz lines, each of 2: only the first gets the offer.
    data = body(lines=[
        {"upc": HEINZ, "quantity": 2, "unit_price": "3.49"},
        {"upc": HEINZ, "quantity": 2, "unit_price": "3.49"},
    ])  # fmt: skip
    answer = post(twice["secret"], data).json()
    assert [line["discount"] for line in answer["lines"]] == ["0.75", "0.00"]
    assert heinz_slots() == [("T-1", 1, True)]


def test_a_return_frees_a_slot(twice):
    post(twice["secret"], body())
    post(twice["secret"], body(transaction_id="T-2"))
    # Back 1 of T-1's 2 Heinz: its offer (minimum 2) is reversed, freeing slot 1.
    assert give_back(twice["secret"], ret()).status_code == 200
    assert redeemed_upcs(post(twice["secret"], body(transaction_id="T-3"))) == [HEINZ]
    assert heinz_slots() == [("T-1", 1, False), ("T-2", 2, True), ("T-3", 1, True)]


def test_a_lowered_limit_counts_the_live_redemptions(twice):
    post(twice["secret"], body())
    post(twice["secret"], body(transaction_id="T-2"))
    twice["trial"].redemptions_per_member = 1
    twice["trial"].save()
    give_back(twice["secret"], ret())  # frees slot 1, but slot 2 is still live
    assert redeemed_upcs(post(twice["secret"], body(transaction_id="T-3"))) == []


def _clone(redemption: Redemption, **changes) -> None:
    redemption.pk = None
    for name, value in changes.items():
        setattr(redemption, name, value)
    with transaction.atomic():
        redemption.save()


def test_the_database_holds_the_limit(twice):
    post(twice["secret"], body())
    heinz = Redemption.objects.get(product__upc=HEINZ)
    with pytest.raises(IntegrityError, match="redemption_once_per_list_item"):
        _clone(heinz, slot=1)  # a second live redemption in a taken slot
    with pytest.raises(IntegrityError, match="redemption slot 3 is beyond"):
        _clone(heinz, slot=3)  # the campaign allows 2
    with pytest.raises(IntegrityError, match="redemption_slot_from_1"):
        _clone(heinz, slot=0)
    _clone(heinz, slot=2)
    assert Redemption.objects.filter(product__upc=HEINZ).count() == 2


@pytest.mark.django_db(transaction=True)
def test_the_limit_holds_across_concurrent_transactions(chain, monkeypatch):
    chain["trial"].redemptions_per_member = 3
    chain["trial"].save()
    # Widen the window between reading the taken slots and inserting the redemption, so
    # that without the row lock the requests would reliably all read before any commits.
    match = services._offer_matches

    def slow_match(item, product):
        time.sleep(0.01)
        return match(item, product)

    monkeypatch.setattr(services, "_offer_matches", slow_match)
    results = fire(chain["secret"], [body(transaction_id=f"T-{i}") for i in range(N)])
    assert [getattr(r, "status_code", r) for r in results] == [200] * N
    assert sorted(Redemption.objects.filter(product__upc=HEINZ).values_list("slot", flat=True)) == [
        1,
        2,
        3,
    ]
    assert Redemption.objects.filter(product__upc=OWN).count() == 1
    answered = Counter(upc for r in results for upc in redeemed_upcs(r))
    assert answered == {HEINZ: 3, OWN: 1}

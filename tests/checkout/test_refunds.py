"""Partial returns never refund more than was paid; a whole return refunds exactly that.

Each return refunds the sale's cumulative refund (everything returned so far) rounded to the
cent, less what the earlier returns refunded — not its own share rounded on its own, which
can give back more than was paid (1.5 at 1.99 in three halves: 1.00 each, 3.00 for 2.99).
"""

from __future__ import annotations

import json
from decimal import ROUND_HALF_UP, Decimal

import pytest
from django.db import transaction
from django.test import Client
from hypothesis import HealthCheck, event, example, given, settings
from hypothesis import strategies as st

from apps.baskets.models import Basket
from apps.checkout.models import Redemption
from tests.checkout.conftest import BARCODE, HEINZ, MILK, OWN, body, post

RETURN_URL = "/api/pos/return"
CENT = Decimal("0.01")


def give_back(secret: str, transaction_id: str, upc: str, quantity: str) -> dict:
    back = {
        "transaction_id": transaction_id,
        "store": "S01",
        "original_transaction_id": "T-1",
        "returned_at": "2026-03-06T11:00:00-06:00",
        "lines": [{"upc": upc, "quantity": quantity}],
    }
    response = Client().post(
        RETURN_URL,
        data=json.dumps(back),
        content_type="application/json",
        headers={"Authorization": f"Bearer {secret}"},
    )
    assert response.status_code == 200, response.content
    return response.json()


def sell(chain, upc: str, quantity: str, price: str, *, offers: bool) -> dict:
    sale = body(
        scanned=BARCODE if offers else "",
        lines=[{"upc": upc, "quantity": quantity, "unit_price": price}],
    )
    response = post(chain["secret"], sale)
    assert response.status_code == 200, response.content
    return response.json()


def refunds_of(chain, upc: str, steps: list[str]) -> list[str]:
    return [
        give_back(chain["secret"], f"R-{n}", upc, quantity)["lines"][0]["refund"]
        for n, quantity in enumerate(steps, start=1)
    ]


def test_one_and_a_half_at_1_99_back_in_three_halves_refunds_2_99(chain):
    # 1.5 × 1.99 = 2.985, charged 2.99. Refunded so far, exactly and rounded:
    # 0.5: 2.99 / 3 = 0.99667 → 1.00, refund 1.00
    # 1.0: 2.99 × 2/3 = 1.99333 → 1.99, refund 1.99 − 1.00 = 0.99
    # 1.5: 2.99 → 2.99, refund 2.99 − 1.99 = 1.00          (each rounded alone: 3.00)
    assert sell(chain, MILK, "1.5", "1.99", offers=False)["total"] == "2.99"

    assert refunds_of(chain, MILK, ["0.5", "0.5", "0.5"]) == ["1.00", "0.99", "1.00"]

    history = Basket.objects.filter(basket_id__startswith="POS:S01:R-").order_by("basket_id")
    assert [b.total_amount for b in history] == [
        Decimal("-1.00"), Decimal("-0.99"), Decimal("-1.00"),
    ]  # fmt: skip


def test_one_unit_back_in_thirds_refunds_all_of_it(chain):
    # 1 at 1.00 back as 0.333, 0.333, 0.334: so far 0.333 → 0.33, 0.666 → 0.67, 1.00.
    # Refunds 0.33, 0.34, 0.33 (each rounded alone: 0.33 three times, a cent short).
    sell(chain, MILK, "1", "1.00", offers=False)

    assert refunds_of(chain, MILK, ["0.333", "0.333", "0.334"]) == ["0.33", "0.34", "0.33"]


def test_halves_of_an_offer_line_refund_what_was_paid_and_reverse_the_offer(chain):
    # Own brand 1.5 × 1.99 = 2.99 less 20 % (0.598 → 0.60): paid 2.39. The offer needs 1
    # unit kept. Refunded so far: (returned × 2.99 + live discount × kept) / 1.5 − 0.60:
    # 0.5 back, 1.0 kept, offer live:   (1.495 + 0.60) / 1.5 − 0.60 = 0.79667 → 0.80
    # 1.0 back, 0.5 kept, offer undone: 2.99 / 1.5 × 1.0 − 0.60     = 1.39333 → 1.39
    # 1.5 back:                         2.99 − 0.60                  = 2.39
    # Refunds 0.80, 0.59, 1.00 = 2.39 (each rounded alone: 0.80, 0.60, 1.00 = 2.40).
    answer = sell(chain, OWN, "1.5", "1.99", offers=True)
    assert (answer["total"], answer["discount_total"]) == ("2.39", "0.60")

    refunds = [give_back(chain["secret"], f"R-{n}", OWN, "0.5") for n in (1, 2, 3)]

    assert [r["lines"][0]["refund"] for r in refunds] == ["0.80", "0.59", "1.00"]
    assert [len(r["reversed"]) for r in refunds] == [0, 1, 0]
    assert not Redemption.objects.filter(reversed_at__isnull=True).exists()


def test_three_heinz_back_one_by_one_lose_the_offer_at_the_second(chain):
    # 3 × 3.49 = 10.47 less $0.75 for two: paid 9.72. Refunded so far:
    # 1 back, 2 kept, offer live:   (10.47 + 0.75 × 2) / 3 − 0.75 = 3.24
    # 2 back, 1 kept, offer undone: 10.47 × 2/3 − 0.75            = 6.23
    # 3 back:                       10.47 − 0.75                  = 9.72
    sell(chain, HEINZ, "3", "3.49", offers=True)

    assert refunds_of(chain, HEINZ, ["1", "1", "1"]) == ["3.24", "2.99", "3.49"]


def money(value: Decimal) -> Decimal:
    return value.quantize(CENT, rounding=ROUND_HALF_UP)


def paid_for(upc: str, quantity: Decimal, price: Decimal, *, offers: bool) -> Decimal:
    """What build_chain's offers charge, by their rules: own brand 20 % off from 1 unit;
    Heinz $0.75 off (at most the line's price) from 2 units; milk has no offer."""
    gross = money(quantity * price)
    if offers and upc == OWN and quantity >= 1:
        return gross - money(gross * Decimal("0.2"))
    if offers and upc == HEINZ and quantity >= 2:
        return gross - min(Decimal("0.75"), gross)
    return gross


@st.composite
def sales_and_returns(draw):
    """A one-line sale and returns of it in 1 to 6 parts, in thousandths, maybe not all.

    Prices up to 500.00 and quantities up to 6: the own-brand offer (20 %) stays within
    its campaign's budget of 1000."""
    upc = draw(st.sampled_from([MILK, OWN, OWN, HEINZ, HEINZ]))
    thousandths = draw(
        st.one_of(
            st.sampled_from([1000, 1500, 2000, 2500, 3000, 4500]),
            st.integers(500, 6000),
            st.integers(1, 6000),
        )
    )
    price = Decimal(
        draw(
            st.one_of(
                st.sampled_from([199, 349, 99, 1999, 1]),
                st.integers(50, 50000),
                st.integers(0, 50000),
            )
        )
    )
    cuts = draw(st.lists(st.integers(1, thousandths), min_size=1, max_size=6, unique=True))
    if draw(st.booleans()):
        cuts.append(thousandths)  # everything back
    cuts = sorted(set(cuts))
    steps = [b - a for a, b in zip([0, *cuts], cuts, strict=False)]
    return {
        "upc": upc,
        "quantity": Decimal(thousandths) / 1000,
        "price": price / 100,
        "offers": draw(st.sampled_from([True, True, True, False])),
        "steps": [Decimal(s) / 1000 for s in steps],
    }


class Rollback(Exception):
    """Raised at the end of an example to undo its writes."""


@settings(
    max_examples=40,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(case=sales_and_returns())
@example(
    case={"upc": MILK, "quantity": Decimal("1.5"), "price": Decimal("1.99"), "offers": False,
          "steps": [Decimal("0.5")] * 3}
)  # fmt: skip
@example(
    case={"upc": OWN, "quantity": Decimal("1.5"), "price": Decimal("1.99"), "offers": True,
          "steps": [Decimal("0.5")] * 3}
)  # fmt: skip
@pytest.mark.django_db
def test_refunds_never_exceed_what_was_paid_and_all_back_is_all_of_it(chain, case):
    paid = paid_for(case["upc"], case["quantity"], case["price"], offers=case["offers"])
    try:
        with transaction.atomic():
            answer = sell(
                chain, case["upc"], f"{case['quantity']:f}", f"{case['price']:.2f}",
                offers=case["offers"],
            )  # fmt: skip
            assert Decimal(answer["total"]) == paid
            event("with an offer" if answer["redemptions"] else "no offer")
            refunded = Decimal("0.00")
            for n, quantity in enumerate(case["steps"], start=1):
                back = give_back(chain["secret"], f"R-{n}", case["upc"], f"{quantity:f}")
                refunded += Decimal(back["refund_total"])
                assert refunded <= paid, (n, refunded, paid)
                if back["reversed"]:
                    event("an offer reversed")
            if sum(case["steps"]) == case["quantity"]:
                event(f"all back in {len(case['steps'])} steps")
                assert refunded == paid
            raise Rollback
    except Rollback:
        pass

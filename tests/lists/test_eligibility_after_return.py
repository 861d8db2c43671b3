"""A return at the till counts against the list threshold: it can take a member's list away.

The rule (apps/lists/sql.py, INSERT_LISTS; docs/lists.md): an active, consenting member gets
a list when their basket-line spend in the 8 weeks before the period start is at least
$200.00 ($25 a week); exactly $200.00 qualifies. A return is a basket of negative lines, so
it lowers that spend.
"""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal

from django.db import transaction
from django.db.models import Sum
from django.test import Client
from django.utils import timezone

from apps.baskets.models import BasketLine
from apps.lists.models import ShoppingList
from apps.lists.services import ListRules, lists_generate_for_range
from tests.checkout.conftest import CARD, MILK, build_chain, post
from tests.factories import BasketFactory, BasketLineFactory, ProductFactory

PERIOD = dt.date(2026, 3, 16)  # its 8 weeks: Jan 19 to Mar 15, local time
RETURN_URL = "/api/pos/return"


class _Undo(Exception):
    """Raised to roll back a trial generation, carrying what it found."""


def list_spend(member) -> Decimal | None:
    """Return the spend a list of PERIOD would carry for the member, or None when they get
    none: the real generation for their id alone, rolled back, so it can be asked again."""
    try:
        with transaction.atomic():
            lists_generate_for_range(
                period_start=PERIOD, lo=member.pk, hi=member.pk + 1, rules=ListRules()
            )
            made = ShoppingList.objects.filter(member=member, period_start=PERIOD).first()
            raise _Undo(None if made is None else made.spend)
    except _Undo as undo:
        return undo.args[0]


def window_spend(member) -> Decimal:
    """The member's basket-line spend in PERIOD's 8 weeks, summed here independently."""
    start = timezone.make_aware(dt.datetime(2026, 1, 19))
    end = timezone.make_aware(dt.datetime(2026, 3, 16))
    lines = BasketLine.objects.filter(member=member, purchased_at__gte=start, purchased_at__lt=end)
    return lines.aggregate(total=Sum("amount"))["total"]


def give_back(secret: str, **changes):
    data = {
        "transaction_id": "R-1",
        "store": "S01",
        "original_transaction_id": "T-1",
        "returned_at": "2026-03-06T11:00:00-06:00",
        "lines": [{"upc": MILK, "quantity": 1}],
        **changes,
    }
    return Client().post(
        RETURN_URL,
        data=json.dumps(data),
        content_type="application/json",
        headers={"Authorization": f"Bearer {secret}"},
    )


def test_a_return_that_takes_the_8_week_spend_under_200_takes_the_list_away(db):
    chain = build_chain()
    member = chain["member"]
    # Before: $190.00 of groceries on Feb 2, inside the window: under $200, no list.
    earlier = BasketFactory(
        member=member, purchased_at=timezone.make_aware(dt.datetime(2026, 2, 2, 12)),
        total_amount=Decimal("190.00"),
    )  # fmt: skip
    BasketLineFactory(basket=earlier, product=ProductFactory(), amount=Decimal("190.00"))
    assert list_spend(member) is None

    # A sale on Mar 5, card scanned: 6 milk at $2.00 (no offer on milk) = $12.00.
    # 190.00 + 12.00 = 202.00: a list.
    sale = {
        "transaction_id": "T-1",
        "store": "S01",
        "scanned": CARD,
        "purchased_at": "2026-03-05T10:00:00-06:00",
        "lines": [{"upc": MILK, "quantity": 6, "unit_price": "2.00"}],
    }
    response = post(chain["secret"], sale)
    assert response.status_code == 200, response.content
    assert response.json()["total"] == "12.00"
    assert window_spend(member) == Decimal("202.00")
    assert list_spend(member) == Decimal("202.00")

    # Mar 6: 1 milk back, refunded $2.00: 200.00, exactly the threshold, still a list.
    response = give_back(chain["secret"])
    assert response.status_code == 200, response.content
    assert response.json()["refund_total"] == "2.00"
    assert window_spend(member) == Decimal("200.00")
    assert list_spend(member) == Decimal("200.00")

    # Half a milk more, refunded $1.00: 199.00, under the threshold: no list any more.
    response = give_back(
        chain["secret"], transaction_id="R-2", lines=[{"upc": MILK, "quantity": 0.5}]
    )
    assert response.status_code == 200, response.content
    assert response.json()["refund_total"] == "1.00"
    assert window_spend(member) == Decimal("199.00")
    assert list_spend(member) is None

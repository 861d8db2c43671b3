"""Over real HTTP: requests fired at once at a live server (one thread and database
connection per request, as under gunicorn), against real PostgreSQL, every exchange checked
against the OpenAPI schema."""

from __future__ import annotations

import datetime as dt
import json
import threading
import time
import urllib.error
import urllib.request
from collections import Counter
from decimal import Decimal

import pytest

from apps.baskets.models import Basket, BasketLine
from apps.checkout.models import PosTransaction, Redemption
from apps.checkout.services import offers as services
from apps.lists.models import ListItem, ShoppingList
from tests.checkout.conftest import HEINZ, body
from tests.checkout.schema_check import Exchange, check_exchange
from tests.factories import MemberFactory

N = 20
pytestmark = pytest.mark.django_db(transaction=True)


def http_post(base: str, path: str, secret: str, data: dict) -> tuple[int, bytes]:
    """POST JSON over HTTP; check the exchange against the schema; return (status, body)."""
    payload = json.dumps(data).encode()
    headers = {"Authorization": f"Bearer {secret}", "Content-Type": "application/json"}
    request = urllib.request.Request(base + path, data=payload, headers=headers, method="POST")
    try:
        with urllib.request.urlopen(request, timeout=60) as response:
            status, answer, answer_headers = response.status, response.read(), response.headers
    except urllib.error.HTTPError as error:
        status, answer, answer_headers = error.code, error.read(), error.headers
    check_exchange(
        Exchange(
            method="POST",
            path=path,
            body=payload,
            content_type=headers["Content-Type"],
            headers=headers,
            status_code=status,
            data=answer,
            response_headers=dict(answer_headers.items()),
            host_url=base,
        )
    )
    return status, answer


def fire(base: str, secret: str, bodies: list[dict]) -> list:
    """POST every body from its own thread, all released at once."""
    barrier = threading.Barrier(len(bodies))
    results: list = [None] * len(bodies)

    def run(i: int) -> None:
        try:
            barrier.wait(timeout=30)
            results[i] = http_post(base, "/api/pos/checkout", secret, bodies[i])
        except Exception as exc:  # reported by the assertions
            results[i] = exc

    threads = [threading.Thread(target=run, args=(i,)) for i in range(len(bodies))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=90)
    return results


def test_20_identical_requests_over_http_record_once(live_server, chain):
    results = fire(live_server.url, chain["secret"], [body() for _ in range(N)])
    assert [r[0] if isinstance(r, tuple) else r for r in results] == [200] * N
    assert len({answer for _, answer in results}) == 1  # byte-identical answers
    answer = json.loads(results[0][1])
    assert [(r["upc"], r["discount"]) for r in answer["redemptions"]] == [
        (HEINZ, "0.75"),
        ("000000000022", "0.40"),
    ]
    assert PosTransaction.objects.count() == 1
    assert Basket.objects.count() == 1
    assert BasketLine.objects.count() == 3
    assert Redemption.objects.count() == 2


def test_the_campaign_budget_and_agreement_cap_hold_under_concurrent_members(
    live_server, chain, monkeypatch
):
    # 20 members, each with the Heinz offer on their own list, check out at the same moment.
    # The budget covers 3 discounts of 0.75 (2.25); the agreement's cap of 1.00 covers two
    # shares of 0.38 and 0.24 of the third.
    chain["trial"].budget = Decimal("2.25")
    chain["trial"].save()
    chain["agreement"].budget_cap = Decimal("1.00")
    chain["agreement"].save()
    bodies = []
    for i in range(N):
        member = MemberFactory(card_number=f"5000000000{i:02d}")
        shopping_list = ShoppingList.objects.create(
            member=member,
            period_start=dt.date(2026, 3, 2),
            period_end=dt.date(2026, 3, 16),
            barcode=f"88260302000000{i:04d}",
        )
        ListItem.objects.create(
            shopping_list=shopping_list, kind="offer", campaign=chain["trial"],
            offer=chain["heinz_offer"], description="Ketchup: Heinz", discount=Decimal("0.75"),
            min_quantity=2, valid_until=dt.date(2026, 3, 15),
        )  # fmt: skip
        bodies.append(
            body(
                transaction_id=f"T-{i}",
                scanned=shopping_list.barcode,
                lines=[{"upc": HEINZ, "quantity": 2, "unit_price": "3.49"}],
            )
        )
    # Without the campaign's row lock, every request would read the budget as unspent.
    match = services._offer_matches

    def slow_match(item, product):
        time.sleep(0.01)
        return match(item, product)

    monkeypatch.setattr(services, "_offer_matches", slow_match)
    results = fire(live_server.url, chain["secret"], bodies)
    assert [r[0] if isinstance(r, tuple) else r for r in results] == [200] * N
    answers = [json.loads(answer) for _, answer in results]
    assert sorted(r["manufacturer_share"] for a in answers for r in a["redemptions"]) == [
        "0.24",
        "0.38",
        "0.38",
    ]
    budget_warnings = Counter(w for a in answers for w in a["warnings"] if "budget" in w)
    assert budget_warnings == {
        "Campaign 'Heinz trial' has used up its budget: offer not applied.": 17
    }
    live = Redemption.objects.filter(reversed_at__isnull=True)
    assert live.count() == 3
    assert sum(r.discount for r in live) == Decimal("2.25")
    assert sum(r.manufacturer_share for r in live) == Decimal("1.00")

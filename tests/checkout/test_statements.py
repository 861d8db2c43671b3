"""The SQL statements of each kind of till transaction, counted and pinned.

A checkout's cost on the application server was mostly the ORM building statements
(docs/performance.md), so the statements are few and each is here with what it is for. A
new one must be worth its cost: change the count and its line below together. Counted in a
test, so inside the test's transaction: the checkout's own transaction is a SAVEPOINT and
its RELEASE (BEGIN and COMMIT outside tests, which CaptureQueriesContext does not list).
On a Citus cluster a sale runs one statement more: whether another owner's basket holds the
basket's id (apps.baskets.services._basket_insert).
"""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from apps.core.citus import is_citus
from tests.checkout.conftest import CARD, body, post
from tests.checkout.test_returns import give_back, ret

# Shared by every sale, in order.
TOKEN = ["the till token and its store"]
CLAIM = ["SAVEPOINT (BEGIN)", "the claim: INSERT … ON CONFLICT DO NOTHING RETURNING"]
OFFERS = [
    "the list's offer items locked, with campaign, agreement, matching products, holdout",
    "their live redemptions' slots (after the lock, so fresh)",
    "the campaigns' then the agreements' running totals locked and read (one statement, two"
    " upserts … RETURNING; the agreements' waits on the campaigns')",
]
BASKET = ["the basket and its lines (one INSERT … RETURNING with a CTE)"]
REDEMPTIONS = ["the redemptions and the new running totals (one statement)"]
POINTS = [
    "the member's balance locked (upsert … RETURNING), the earning rule and the member's"
    " tier multiplier (one statement)",
    "the points entry and the new balance, unless a lot has lapsed since the nightly expiry"
    " (one statement; when one has, the lapse and the entry again)",
]
ANSWER = ["the answer, basket and unknown lines onto the claimed row", "RELEASE (COMMIT)"]

STATEMENTS = {
    # A list barcode: its list, its member and the lines' products in one statement.
    "list": [
        *TOKEN, *CLAIM, "the list by barcode, its member and the lines' products",
        *OFFERS, *BASKET, *REDEMPTIONS, *POINTS, *ANSWER,
    ],
    # A card: the member by card (after no list had the number) and the lines' products,
    # then their list of the day.
    "card": [
        *TOKEN, *CLAIM, "no list by that barcode: the member by card, and the lines' products",
        "the member's list of the day",
        *OFFERS, *BASKET, *REDEMPTIONS, *POINTS, *ANSWER,
    ],
    # Nothing scanned: anonymous, no offers, no points.
    "none": [*TOKEN, *CLAIM, "the lines' products", *BASKET, *ANSWER],
}  # fmt: skip
BODIES = {"list": {}, "card": {"scanned": CARD}, "none": {"scanned": ""}}


def _listed(queries) -> str:
    return "\n".join(f"{i}. {' '.join(q['sql'].split())[:150]}" for i, q in enumerate(queries, 1))


@pytest.mark.parametrize("kind", list(STATEMENTS))
@pytest.mark.parametrize("copies", [1, 10])
def test_each_kind_of_sale_takes_its_statements_whatever_its_size(chain, kind, copies):
    data = body(transaction_id=f"T-{kind}-{copies}", **BODIES[kind])
    data["lines"] = data["lines"] * copies
    with CaptureQueriesContext(connection) as queries:
        answer = post(chain["secret"], data)
    assert answer.status_code == 200
    # The list and card sales redeem both offers (the first copy of the lines gets them).
    assert len(answer.json()["redemptions"]) == (0 if kind == "none" else 2)
    expected = len(STATEMENTS[kind]) + is_citus(connection)
    assert len(queries) == expected, _listed(queries)


def test_a_replay_takes_three_statements(chain):
    # Token, the claim that inserts nothing, the stored answer; and the savepoint pair.
    assert post(chain["secret"], body()).status_code == 200
    with CaptureQueriesContext(connection) as queries:
        assert post(chain["secret"], body()).status_code == 200
    assert len(queries) == 5, _listed(queries)


# A return of one of two Heinz (its offer's minimum no longer met: reversed), counted as a
# whole; its steps read through the ORM still (returns are rare next to sales). On a
# cluster one more, as for a sale. (30 before the ledger asked whether a lot lapsed in its
# entry's statement.)
RETURN_STATEMENTS = 29


def test_a_return_takes_its_statements(chain):
    assert post(chain["secret"], body()).status_code == 200
    with CaptureQueriesContext(connection) as queries:
        assert give_back(chain["secret"], ret()).status_code == 200
    assert len(queries) == RETURN_STATEMENTS + is_citus(connection), _listed(queries)

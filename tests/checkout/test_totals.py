"""Running totals (CampaignTotal.spent, AgreementTotal.charged): a checkout reads and writes
them under the campaign / agreement row locks instead of summing every live redemption."""

from __future__ import annotations

import datetime as dt
import importlib
import threading
from decimal import Decimal

import pytest
from django.db import connection
from django.db.models import Sum
from django.test.utils import CaptureQueriesContext

from apps.checkout.models import AgreementTotal, CampaignTotal, Redemption
from apps.lists.models import ListItem, ShoppingList
from tests.checkout.conftest import HEINZ, body, post
from tests.checkout.test_returns import give_back, ret
from tests.factories import MemberFactory


def fire(calls: list) -> list:
    """Run every call from its own thread (own connection), all released at once."""
    barrier = threading.Barrier(len(calls))
    results: list = [None] * len(calls)

    def run(i: int) -> None:
        try:
            barrier.wait(timeout=30)
            results[i] = calls[i]()
        except Exception as exc:  # reported by the assertions
            results[i] = exc
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(len(calls))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return results


def stored(chain) -> tuple[Decimal, Decimal, Decimal]:
    """(trial spent, own-brand spent, agreement charged) as stored; no row = nothing."""
    campaigns = dict(CampaignTotal.objects.values_list("campaign_id", "spent"))
    agreements = dict(AgreementTotal.objects.values_list("agreement_id", "charged"))
    return (
        campaigns.get(chain["trial"].pk, Decimal("0.00")),
        campaigns.get(chain["switch"].pk, Decimal("0.00")),
        agreements.get(chain["agreement"].pk, Decimal("0.00")),
    )


def recomputed(chain) -> tuple[Decimal, Decimal, Decimal]:
    """The same three, summed from the live Redemption rows."""
    live = Redemption.objects.filter(reversed_at__isnull=True)

    def total(qs, field):
        return qs.aggregate(t=Sum(field))["t"] or Decimal("0.00")

    return (
        total(live.filter(campaign=chain["trial"]), "discount"),
        total(live.filter(campaign=chain["switch"]), "discount"),
        total(live.filter(agreement=chain["agreement"]), "manufacturer_share"),
    )


def heinz_shopper(chain, i: int) -> dict:
    """A new member with the Heinz offer on their list; their checkout body (2 Heinz)."""
    member = MemberFactory(card_number=f"6000000000{i:02d}")
    shopping_list = ShoppingList.objects.create(
        member=member,
        period_start=dt.date(2026, 3, 2),
        period_end=dt.date(2026, 3, 16),
        barcode=f"77260302000000{i:04d}",
    )
    ListItem.objects.create(
        shopping_list=shopping_list, kind="offer", campaign=chain["trial"],
        offer=chain["heinz_offer"], description="Ketchup: Heinz", discount=Decimal("0.75"),
        min_quantity=2, valid_until=dt.date(2026, 3, 15),
    )  # fmt: skip
    return body(
        transaction_id=f"C-{i}",
        scanned=shopping_list.barcode,
        lines=[{"upc": HEINZ, "quantity": 2, "unit_price": "3.49"}],
    )


@pytest.mark.django_db(transaction=True)
def test_totals_equal_the_live_redemptions_after_checkouts_returns_and_concurrency(chain):
    secret = chain["secret"]
    # T-1: Heinz $0.75 off (share 50 % → 0.38) and own brand 20 % of 1.99 = 0.40.
    assert post(secret, body()).status_code == 200
    assert stored(chain) == (Decimal("0.75"), Decimal("0.40"), Decimal("0.38"))
    # Return 1 Heinz: below the minimum of 2, so the Heinz redemption is reversed.
    assert give_back(secret, ret()).status_code == 200
    assert stored(chain) == (Decimal("0.00"), Decimal("0.40"), Decimal("0.00"))
    # T-2: the freed Heinz slot is taken again; own brand's one slot is still taken.
    assert post(secret, body(transaction_id="T-2")).status_code == 200
    assert stored(chain) == (Decimal("0.75"), Decimal("0.40"), Decimal("0.38"))
    # At once: 10 new members check out Heinz, and T-2's Heinz are all returned.
    bodies = [heinz_shopper(chain, i) for i in range(10)]
    back = ret(
        transaction_id="R-2", original_transaction_id="T-2", lines=[{"upc": HEINZ, "quantity": 2}]
    )
    calls = [lambda b=b: post(secret, b) for b in bodies] + [lambda: give_back(secret, back)]
    results = fire(calls)
    assert [getattr(r, "status_code", r) for r in results] == [200] * 11
    # 10 × 0.75 = 7.50 spent on the trial, 10 × 0.38 = 3.80 charged; own brand unchanged.
    assert stored(chain) == (Decimal("7.50"), Decimal("0.40"), Decimal("3.80"))
    assert stored(chain) == recomputed(chain)


@pytest.mark.django_db
def test_the_budget_is_checked_against_the_stored_total(chain):
    # 999.50 of the trial's 1000 spent (as stored): 0.75 more would pass the budget.
    CampaignTotal.objects.create(campaign=chain["trial"], spent=Decimal("999.50"))
    answer = post(chain["secret"], body()).json()
    assert [r["campaign"] for r in answer["redemptions"]] == [chain["switch"].pk]
    assert answer["warnings"] == [
        "Campaign 'Heinz trial' has used up its budget: offer not applied."
    ]
    assert stored(chain) == (Decimal("999.50"), Decimal("0.40"), Decimal("0.00"))


@pytest.mark.django_db
def test_the_cap_is_checked_against_the_stored_total(chain):
    # 99.80 of the agreement's 100.00 cap charged: the 0.38 share is cut to 0.20.
    AgreementTotal.objects.create(agreement=chain["agreement"], charged=Decimal("99.80"))
    answer = post(chain["secret"], body()).json()
    shares = {r["upc"]: r["manufacturer_share"] for r in answer["redemptions"]}
    assert shares[HEINZ] == "0.20"
    assert stored(chain) == (Decimal("0.75"), Decimal("0.40"), Decimal("100.00"))


@pytest.mark.django_db
def test_a_checkout_does_not_sum_the_redemptions(chain):
    with CaptureQueriesContext(connection) as queries:
        assert post(chain["secret"], body()).status_code == 200
    sums = [q["sql"] for q in queries if "SUM(" in q["sql"].upper()]
    assert [sql for sql in sums if "checkout_redemption" in sql] == []


@pytest.mark.django_db
def test_the_data_migration_initialises_the_totals_from_live_redemptions(chain):
    secret = chain["secret"]
    assert post(secret, body()).status_code == 200  # 0.75 (0.38) + 0.40
    assert post(secret, heinz_shopper(chain, 1)).status_code == 200  # 0.75 (0.38)
    assert give_back(secret, ret()).status_code == 200  # reverses T-1's Heinz
    CampaignTotal.objects.all().delete()
    AgreementTotal.objects.all().delete()
    migration = importlib.import_module("apps.checkout.migrations.0004_running_totals")
    (statements,) = [op.sql for op in migration.Migration.operations if hasattr(op, "sql")]
    with connection.cursor() as cursor:
        for sql in statements:
            cursor.execute(sql)
    assert stored(chain) == (Decimal("0.75"), Decimal("0.40"), Decimal("0.38"))

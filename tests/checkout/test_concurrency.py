"""Exactly once under concurrency: threads firing at the same moment, each on its own
database connection, against real PostgreSQL (transactional tests: nothing is rolled back
around them, so every thread sees the others' commits)."""

from __future__ import annotations

import datetime as dt
import threading
import time
from collections import Counter

import pytest
from django.db import connection

from apps.baskets.models import Basket, BasketLine
from apps.checkout.models import AgreementTotal, CampaignTotal, PosTransaction, Redemption
from apps.checkout.services import offers as services
from apps.rewards.models import EarningRule, PointsBalance, PointsEntry
from tests.checkout.conftest import HEINZ, body, post

N = 20


def fire(secret: str, bodies: list[dict]) -> list:
    """POST every body from its own thread, all released at once; return the responses."""
    barrier = threading.Barrier(len(bodies))
    results: list = [None] * len(bodies)

    def run(i: int) -> None:
        try:
            barrier.wait(timeout=30)
            results[i] = post(secret, bodies[i])
        except Exception as exc:  # reported by the assertions below
            results[i] = exc
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(len(bodies))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return results


@pytest.mark.django_db(transaction=True)
def test_20_concurrent_identical_requests_record_once(chain):
    # A transactional test's flush empties the migration's default rule: state it.
    EarningRule.objects.get_or_create(points_per_dollar=1, starts_on=dt.date(2000, 1, 1))
    results = fire(chain["secret"], [body() for _ in range(N)])
    assert [getattr(r, "status_code", r) for r in results] == [200] * N
    assert len({r.content for r in results}) == 1
    assert len(results[0].json()["redemptions"]) == 2
    assert PosTransaction.objects.count() == 1
    assert Basket.objects.count() == 1
    assert BasketLine.objects.count() == 3
    assert Redemption.objects.count() == 2
    # $10.82 paid earns 10 points, once: one ledger entry, one balance.
    assert results[0].json()["points"] == {"earned": 10, "bonus": 0, "balance": 10}
    assert PointsEntry.objects.filter(kind="earn").count() == 1
    assert PointsBalance.objects.get(member=chain["member"]).points == 10


@pytest.mark.django_db(transaction=True)
def test_concurrent_duplicates_with_different_bodies_one_wins(chain):
    bodies = [body() for _ in range(N)]
    for i in range(0, N, 2):
        bodies[i]["lines"][2]["quantity"] = 3  # half the requests differ from the other half
    results = fire(chain["secret"], bodies)
    codes = Counter(getattr(r, "status_code", r) for r in results)
    assert codes[200] == N // 2 and codes[409] == N // 2, codes
    assert Basket.objects.count() == 1


@pytest.mark.django_db(transaction=True)
def test_an_offer_is_redeemed_once_across_concurrent_transactions(chain, monkeypatch):
    # Widen the window between reading "not yet redeemed" and inserting the redemption, so
    # that without the row lock the requests would reliably all read before any commits.
    match = services._offer_matches

    def slow_match(item, product):
        time.sleep(0.01)
        return match(item, product)

    monkeypatch.setattr(services, "_offer_matches", slow_match)
    results = fire(chain["secret"], [body(transaction_id=f"T-{i}") for i in range(N)])
    assert [getattr(r, "status_code", r) for r in results] == [200] * N
    assert Basket.objects.count() == N
    # Each of the list's two offers went to exactly one of the baskets.
    assert Counter(Redemption.objects.values_list("list_item_id", flat=True)) == {
        item_id: 1 for item_id in chain["list"].items.values_list("pk", flat=True)
    }
    answered = [len(r.json()["redemptions"]) for r in results]
    assert sum(answered) == 2


@pytest.mark.django_db(transaction=True)
def test_concurrent_returns_never_return_more_than_was_bought(chain):
    from django.test import Client

    assert post(chain["secret"], body()).status_code == 200  # 2 Heinz bought
    barrier = threading.Barrier(N)
    codes: list = [None] * N

    def run(i: int) -> None:
        data = {
            "transaction_id": f"R-{i}", "store": "S01", "original_transaction_id": "T-1",
            "returned_at": "2026-03-06T11:00:00-06:00", "lines": [{"upc": HEINZ, "quantity": 1}],
        }  # fmt: skip
        try:
            barrier.wait(timeout=30)
            codes[i] = (
                Client()
                .post(
                    "/api/pos/return",
                    data=data,
                    content_type="application/json",
                    headers={"Authorization": f"Bearer {chain['secret']}"},
                )
                .status_code
            )
        except Exception as exc:
            codes[i] = exc
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(N)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert Counter(codes) == {200: 2, 400: N - 2}
    assert PosTransaction.objects.filter(kind="return").count() == 2
    assert Redemption.objects.filter(reversed_at__isnull=False).count() == 1


@pytest.mark.django_db(transaction=True)
def test_a_sale_locks_campaign_totals_before_agreement_totals(chain):
    # One statement locks both kinds of running totals (funding.TOTALS_LOCK_SQL); the lock
    # order must stay campaigns, then agreements, as returns take them. Another transaction
    # holds the agreement's row: the sale waits on it holding the campaign's row already.
    CampaignTotal.objects.create(campaign=chain["trial"], spent=0)
    AgreementTotal.objects.create(agreement=chain["agreement"], charged=0)
    holder, probe = connection.copy(), connection.copy()
    results: list = []

    def sell() -> None:
        try:
            results.append(post(chain["secret"], body()))
        finally:
            connection.close()

    sale = threading.Thread(target=sell)
    try:
        with holder.cursor() as h, probe.cursor() as p:
            h.execute("BEGIN")
            h.execute(
                "SELECT 1 FROM checkout_agreementtotal WHERE agreement_id = %s FOR UPDATE",
                [chain["agreement"].pk],
            )
            sale.start()
            deadline = time.monotonic() + 20
            waiting = False
            while not waiting and time.monotonic() < deadline:
                p.execute(
                    "SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock' "
                    "AND query LIKE '%%checkout_agreementtotal%%'"
                )
                waiting = p.fetchone()[0] > 0
                time.sleep(0.05)
            assert waiting, "the sale never waited on the agreement's total"
            p.execute("SET lock_timeout = '200ms'")
            with pytest.raises(Exception, match="lock timeout"):
                p.execute(
                    "SELECT 1 FROM checkout_campaigntotal WHERE campaign_id = %s FOR UPDATE",
                    [chain["trial"].pk],
                )
            h.execute("ROLLBACK")
    finally:
        sale.join(timeout=30)
        holder.close()
        probe.close()
    assert [r.status_code for r in results] == [200]

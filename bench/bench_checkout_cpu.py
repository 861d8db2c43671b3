"""Checkout CPU per request: sequential till checkouts through Django's test client.

    DATABASE_URL=postgres://…/scratch DEBUG=1 .venv/bin/python bench/bench_checkout_cpu.py [--n 200]

One process, no HTTP server: what a checkout costs the application server (parsing, the
service, the answer), not the load test's queueing (bench_pos_load.py). Every request is a
different member's list barcode with both of tests/checkout's offers (one funded by an
agreement), 3 lines, so each one takes the whole path: claim, offers matched and redeemed,
running totals, basket, lines, redemptions. Prints this process's CPU per checkout (time.
process_time: PostgreSQL's own work is not in it) and the wall time of each of --repeat
runs on fresh data, then their best and median. On a shared machine, compare two versions
by alternating them, several runs each: one run's CPU time moves by ±5 % with the load.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from _setup import bench_setup  # noqa: E402

bench_setup()

from django.db import connection, transaction  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import setup_test_environment  # noqa: E402

from apps.lists.models import ListItem, ShoppingList  # noqa: E402
from tests.checkout.conftest import body, build_chain  # noqa: E402
from tests.factories import MemberFactory  # noqa: E402

WARM_UP = 20
TABLES = (
    "checkout_redemption, checkout_campaigntotal, checkout_agreementtotal, "
    "checkout_postransaction, checkout_tilltoken, baskets_basketline, baskets_basket, "
    "lists_listitem, lists_shoppinglist, campaigns_campaignaudience, campaigns_offer, "
    "campaigns_campaign, agreements_manufactureragreement_categories, "
    "agreements_manufactureragreement, catalog_product, catalog_category, "
    "catalog_manufacturer, members_member, baskets_store"
)


def prepare(n: int) -> tuple[str, list[str]]:
    """Build the chain and n members' lists with its two offers; return secret and barcodes."""
    # The points ledger refuses TRUNCATE (an append-only trigger) but from a replica.
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SET LOCAL session_replication_role = replica")
        cursor.execute(f"TRUNCATE {TABLES} RESTART IDENTITY CASCADE")
    chain = build_chain()
    items = list(chain["list"].items.all())
    barcodes = []
    for i in range(n):
        member = MemberFactory(card_number=f"5{i:011d}")
        shopping_list = ShoppingList.objects.create(
            member=member,
            period_start=dt.date(2026, 3, 2),
            period_end=dt.date(2026, 3, 16),
            barcode=f"98260302{i:010d}",
        )
        ListItem.objects.bulk_create(
            ListItem(
                shopping_list=shopping_list,
                kind=item.kind,
                campaign_id=item.campaign_id,
                offer_id=item.offer_id,
                description=item.description,
                discount=item.discount,
                discount_pct=item.discount_pct,
                min_quantity=item.min_quantity,
                valid_until=item.valid_until,
            )
            for item in items
        )
        barcodes.append(shopping_list.barcode)
    return chain["secret"], barcodes


def checkout(client: Client, payload: str, headers: dict) -> None:
    answer = client.post(
        "/api/pos/checkout", data=payload, content_type="application/json", headers=headers
    )
    if answer.status_code != 200 or len(answer.json()["redemptions"]) != 2:
        raise SystemExit(f"unexpected answer {answer.status_code}: {answer.content[:300]!r}")


def run(n: int) -> tuple[float, float, list[float]]:
    """Time n checkouts after WARM_UP untimed ones (first-request costs: URL resolver,
    lazy imports, connection); return CPU seconds, wall seconds, each request's wall time."""
    secret, barcodes = prepare(WARM_UP + n)
    client = Client()
    headers = {"Authorization": f"Bearer {secret}"}
    payloads = [
        json.dumps(body(transaction_id=f"B-{i}", scanned=barcode))
        for i, barcode in enumerate(barcodes)
    ]
    for payload in payloads[:WARM_UP]:
        checkout(client, payload, headers)
    each = []
    cpu0, wall0 = time.process_time(), time.perf_counter()
    for payload in payloads[WARM_UP:]:
        start = time.perf_counter()
        checkout(client, payload, headers)
        each.append(time.perf_counter() - start)
    return time.process_time() - cpu0, time.perf_counter() - wall0, each


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=200)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    # As in the tests: DEBUG off (no query log), the test client's host allowed.
    setup_test_environment(debug=False)
    results = [run(args.n) for _ in range(args.repeat)]
    for cpu, wall, each in results:
        print(
            f"{args.n} checkouts: CPU {cpu / args.n * 1000:.2f} ms/request, "
            f"wall {wall / args.n * 1000:.2f} ms/request "
            f"(p50 {statistics.median(each) * 1000:.2f} ms)"
        )
    cpus = sorted(cpu for cpu, _, _ in results)
    print(
        f"CPU per request: best {cpus[0] / args.n * 1000:.2f} ms, "
        f"median {statistics.median(cpus) / args.n * 1000:.2f} ms"
    )


if __name__ == "__main__":
    main()

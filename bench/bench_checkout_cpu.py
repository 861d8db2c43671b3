"""Checkout CPU per request: sequential till checkouts through Django's test client.

    DATABASE_URL=postgres://…/scratch DEBUG=1 .venv/bin/python bench/bench_checkout_cpu.py [--n 200]
    … bench/bench_checkout_cpu.py --against /tmp/wt-main   # alternate with another checkout

`--against DIR` runs this same driver on DIR's code (a worktree of the version to compare
with, e.g. `git worktree add /tmp/wt-main main`) and on this one, alternately, `--repeat`
runs each in fresh processes, then prints both medians, their ratio and the goal of issue
"speed": half the CPU of the version before (REFERENCE below). `--code DIR` is the
single-run form it uses.

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
import os
import re
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def _code_root() -> Path:
    """The tree whose code is measured: `--code DIR`, else this script's own."""
    if "--code" in sys.argv:
        return Path(sys.argv[sys.argv.index("--code") + 1]).resolve()
    return ROOT


# That tree's bench/_setup.py puts the tree first on the path before Django starts.
sys.path.insert(0, str(_code_root()))
sys.path.insert(0, str(_code_root() / "bench"))

from _setup import bench_setup  # noqa: E402

bench_setup()

from django.db import connection, transaction  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext, setup_test_environment  # noqa: E402

from apps.lists.models import ListItem, ShoppingList  # noqa: E402
from tests.checkout.conftest import body, build_chain  # noqa: E402
from tests.factories import MemberFactory  # noqa: E402

WARM_UP = 20
# Before issue "speed" (main at 780b8a9, 2026-12-06, this 2-core machine under other
# sessions' tests): 26 statements in a test (24 outside one), CPU median 21–24 ms a checkout
# (3 runs × 200, alternated with the new code). The figures move with the machine's load:
# compare with --against, in the same session, not with these.
REFERENCE = {"statements": 24, "cpu_ms": 21.5}
GOAL = 0.5  # of the reference version's CPU per checkout, measured alongside
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


def run(n: int) -> tuple[float, float, list[float], int]:
    """Time n checkouts after WARM_UP untimed ones (first-request costs: URL resolver,
    lazy imports, connection); return CPU seconds, wall seconds, each request's wall time,
    and the statements of the last untimed checkout (BEGIN and COMMIT not counted)."""
    secret, barcodes = prepare(WARM_UP + n)
    client = Client()
    headers = {"Authorization": f"Bearer {secret}"}
    payloads = [
        json.dumps(body(transaction_id=f"B-{i}", scanned=barcode))
        for i, barcode in enumerate(barcodes)
    ]
    for payload in payloads[: WARM_UP - 1]:
        checkout(client, payload, headers)
    with CaptureQueriesContext(connection) as queries:
        checkout(client, payloads[WARM_UP - 1], headers)
    statements = sum(q["sql"] not in ("BEGIN", "COMMIT") for q in queries.captured_queries)
    each = []
    cpu0, wall0 = time.process_time(), time.perf_counter()
    for payload in payloads[WARM_UP:]:
        start = time.perf_counter()
        checkout(client, payload, headers)
        each.append(time.perf_counter() - start)
    return time.process_time() - cpu0, time.perf_counter() - wall0, each, statements


def measure(n: int, repeat: int) -> None:
    """Measure this process's code: one line per run, then the summary and a RESULT line."""
    # As in the tests: DEBUG off (no query log), the test client's host allowed.
    setup_test_environment(debug=False)
    results = [run(n) for _ in range(repeat)]
    for cpu, wall, each, _ in results:
        print(
            f"{n} checkouts: CPU {cpu / n * 1000:.2f} ms/request, "
            f"wall {wall / n * 1000:.2f} ms/request "
            f"(p50 {statistics.median(each) * 1000:.2f} ms)"
        )
    cpus = sorted(cpu / n * 1000 for cpu, _, _, _ in results)
    statements = results[-1][3]
    print(
        f"CPU per request: best {cpus[0]:.2f} ms, median {statistics.median(cpus):.2f} ms; "
        f"{statements} statements a checkout (reference before issue speed: "
        f"{REFERENCE['statements']} statements, {REFERENCE['cpu_ms']} ms; goal: half the "
        "reference's CPU, measured alongside with --against)"
    )
    print(f"RESULT {statistics.median(cpus):.3f} {statements}")


def against(other: Path, n: int, repeat: int) -> None:
    """Alternate runs of `other`'s code and this code, each in a fresh process started in
    its tree."""
    runs: dict[str, list[tuple[float, int]]] = {"reference": [], "this": []}
    for i in range(repeat):
        for label, tree in (("reference", other), ("this", ROOT)):
            command = [sys.executable, __file__, "--n", str(n), "--repeat", "1"]
            command += ["--code", str(tree)] if tree != ROOT else []
            # In the tree: Celery's Django fix-up puts the working directory first on the path.
            out = subprocess.run(
                command, capture_output=True, text=True, check=True, env=os.environ, cwd=tree
            ).stdout
            cpu, statements = re.search(r"^RESULT (\S+) (\d+)$", out, re.M).groups()
            runs[label].append((float(cpu), int(statements)))
            print(f"run {i + 1} {label:9}: CPU {float(cpu):6.2f} ms, {statements} statements")
    ref = statistics.median(cpu for cpu, _ in runs["reference"])
    new = statistics.median(cpu for cpu, _ in runs["this"])
    print(
        f"median CPU per checkout: reference {ref:.2f} ms ({runs['reference'][-1][1]} "
        f"statements), this {new:.2f} ms ({runs['this'][-1][1]} statements): "
        f"{new / ref:.2f} of the reference; goal ≤ {GOAL:.2f}: "
        f"{'met' if new <= GOAL * ref else 'not met'}"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=200)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--against", type=Path, help="a tree of the version to compare with")
    parser.add_argument("--code", type=Path, help="measure this tree's code (used by --against)")
    args = parser.parse_args()
    if args.against is not None:
        against(args.against.resolve(), args.n, args.repeat)
    else:
        measure(args.n, args.repeat)


if __name__ == "__main__":
    main()

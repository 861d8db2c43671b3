"""Load test: tills checking out and cashiers looking members up, against gunicorn, with wrk.

    DEBUG=1 .venv/bin/python bench/bench_pos_load.py [--duration 60] [--repeat 2]
        [--clients checkout=10,lookup=10] [--server sync:4 gthread:2x4 ...] [--think-ms 1000 0]

Issue 5's goal: 20 concurrent clients on loopback, checkout p95 <= 50 ms, cashier lookup
p95 <= 20 ms, no errors, on 100,000 members of demo data. Uses the database DATABASE_URL
names (bench/_setup.py); loads demo data when it holds fewer members (as bench_lists does),
and prepares what a till meets: active campaigns whose offers sit on the members' lists of
the period, a till token per store, a signed-in cashier, and files of checkout bodies (real
cards and list barcodes, the offers' products among 5-30 lines) and of cards to look up.
Then, for each gunicorn configuration, it starts gunicorn (DEBUG off, persistent database
connections), warms up, and runs one wrk process per kind of client at the same time, each
with its Lua script in bench/load/ printing p50/p95/p99 and the answers that were not 200.
A kind of client is one entry in scenarios(): issue 7's marketing users viewing dashboards
are one more script and one more entry.

Each client pauses after an answer (--think-ms, exponential with that mean; 0 = back to
back). Back to back, 20 clients keep the 2 cores saturated and latency is queueing: that
run gives the throughput. wrk rather than locust: a C event loop takes ~1 ms of CPU per
request here, where locust's Python clients would take a good part of one of the 2 cores
that gunicorn and PostgreSQL share with it. See docs/performance.md.
"""

from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import json
import os
import random
import resource
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
LOAD = ROOT / "bench" / "load"
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))
# The server checks the cashier's session against this key: both sides must share it.
SECRET_KEY = "bench-pos-load-not-a-production-secret"  # noqa: S105
os.environ.setdefault("SECRET_KEY", SECRET_KEY)

from _setup import bench_setup  # noqa: E402

bench_setup()

from django.core.management import call_command  # noqa: E402
from django.db import connection, transaction  # noqa: E402
from django.test import Client  # noqa: E402
from django.utils import timezone  # noqa: E402

from apps.accounts.models import Role, User  # noqa: E402
from apps.agreements.models import AgreementStatus, ManufacturerAgreement  # noqa: E402
from apps.baskets.models import Store  # noqa: E402
from apps.campaigns.models import Campaign, Offer  # noqa: E402
from apps.campaigns.selectors import OFFER_MATCHES_PRODUCT  # noqa: E402
from apps.campaigns.services import campaign_activate, campaign_approve  # noqa: E402
from apps.catalog.models import Category  # noqa: E402
from apps.checkout.services import till_token_create  # noqa: E402
from apps.lists.models import ShoppingList  # noqa: E402
from apps.lists.services import (  # noqa: E402
    ListRules,
    lists_generate_for_range,
    lists_print_offers,
    member_id_chunks,
)
from apps.members.models import Member  # noqa: E402
from apps.segments.models import SegmentSnapshot  # noqa: E402
from apps.segments.services import snapshots_compute  # noqa: E402

# Data loaded here ends yesterday: the campaigns run from the period after it, and a
# campaign is approved only for the current or a coming period.
DEMO_END = dt.date.today() - dt.timedelta(days=1)
CAMPAIGN_PREFIX = "Load test: "
GOALS = {"checkout": 50.0, "lookup": 20.0}  # p95 in ms, issue 5


# ---------------------------------------------------------------- data a till meets


def ensure_demo(*, members: int, weeks: int) -> None:
    if Member.objects.count() >= members:
        return
    started = time.perf_counter()
    call_command(
        "generate_demo", members=members, weeks=weeks, seed=7, end_date=DEMO_END, verbosity=0
    )
    print(f"demo data loaded in {time.perf_counter() - started:.0f} s", flush=True)


def ensure_points() -> None:
    """Earn the demo history's points (the backfill, set-based), so members hold balances to
    pay with and every checkout earns on top of a real ledger."""
    from apps.rewards.backfill import points_earn_backfill
    from apps.rewards.models import PointsEntry

    if PointsEntry.objects.exists():
        return
    started = time.perf_counter()
    with connection.cursor() as cursor:
        cursor.execute("SELECT min(id), max(id) + 1 FROM members_member")
        lo, hi = cursor.fetchone()
    entries = 0
    for start in range(lo, hi, 25_000):
        entries += points_earn_backfill(lo=start, hi=min(start + 25_000, hi))[0]
    print(f"points backfilled: {entries:,} entries in {time.perf_counter() - started:.0f} s")


def data_end() -> dt.date:
    """The local day after the last imported purchase (load-test checkouts not counted)."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT max(purchased_at) FROM baskets_basket WHERE source = 'import'")
        return timezone.localtime(cursor.fetchone()[0]).date() + dt.timedelta(days=1)


def ensure_snapshots(*, period: dt.date, weeks: int) -> None:
    if SegmentSnapshot.objects.exists():
        return
    started = time.perf_counter()
    snapshots_compute(
        category_ids=Category.objects.values_list("pk", flat=True),
        window_start=period - dt.timedelta(weeks=weeks),
        window_end=period,
    )
    print(f"snapshots computed in {time.perf_counter() - started:.0f} s", flush=True)


_BIG_CATEGORIES = """
WITH latest AS (
    SELECT DISTINCT ON (category_id) id, category_id FROM segments_segmentsnapshot
    ORDER BY category_id, window_end DESC, computed_at DESC, id DESC
)
SELECT latest.category_id, count(*) FROM latest
JOIN segments_segmentmember sm ON sm.snapshot_id = latest.id
GROUP BY latest.category_id ORDER BY count(*) DESC, latest.category_id LIMIT %s
"""

# (applies_to, brand_type, discount_kind, value, min_quantity) for usage tiers 1, 2, 3.
OFFER_PLANS = [
    [("brand_type", "store", "amount", "0.50", 1), ("brand_type", "store", "amount", "0.75", 1),
     ("brand_type", "store", "percent", "20", 2)],
    [("brand_type", "national", "amount", "0.40", 1),
     ("brand_type", "national", "percent", "10", 1),
     ("brand_type", "national", "amount", "1.00", 2)],
]  # fmt: skip


@transaction.atomic
def ensure_campaigns(*, period: dt.date, count: int) -> list[Campaign]:
    """Active campaigns in the biggest categories, targeting every cell, two agreement-funded."""
    existing = list(Campaign.objects.filter(name__startswith=CAMPAIGN_PREFIX))
    if existing:
        return existing
    started = time.perf_counter()
    marketing, _ = User.objects.get_or_create(
        username="bench-load-marketing", defaults={"role": Role.MARKETING}
    )
    with connection.cursor() as cursor:
        cursor.execute(_BIG_CATEGORIES, [count])
        category_ids = [row[0] for row in cursor.fetchall()]
    valid_from, valid_until = period - dt.timedelta(days=14), period + dt.timedelta(days=90)
    cells = [
        f"{loyalty}-{tier}" for loyalty in ("national", "store", "swinger") for tier in (1, 2, 3)
    ]
    campaigns = []
    for number, category_id in enumerate(category_ids):
        category = Category.objects.get(pk=category_id)
        agreement, brand = None, ""
        national = number % 2 == 1
        if national and number < 4:
            # Two campaigns funded by a maker: their offers name its brand, as funding requires.
            maker_id, brand = (
                category.products.filter(brand_type="national")
                .values_list("manufacturer_id", "brand")
                .order_by("manufacturer_id", "brand")
                .first()
            )
            agreement = ManufacturerAgreement.objects.create(
                manufacturer_id=maker_id,
                name=f"{CAMPAIGN_PREFIX}{category.name}",
                manufacturer_share_pct=Decimal("50"),
                budget_cap=Decimal("1000000"),
                valid_from=valid_from,
                valid_until=valid_until,
                status=AgreementStatus.ACTIVE,
            )
        campaign = Campaign.objects.create(
            name=f"{CAMPAIGN_PREFIX}{category.name}",
            goal="retain" if national else "convert",
            category=category,
            target_cells=cells,
            valid_from=valid_from,
            valid_until=valid_until,
            budget=Decimal("1000000"),
            holdout_pct=Decimal("10"),
            agreement=agreement,
            created_by=marketing,
        )
        for tier, (applies_to, brand_type, kind, value, min_quantity) in enumerate(
            OFFER_PLANS[national], start=1
        ):
            Offer.objects.create(
                campaign=campaign,
                usage_tier=tier,
                applies_to="brand" if brand else applies_to,
                brand_type="" if brand else brand_type,
                brand=brand,
                discount_kind=kind,
                discount_value=Decimal(value),
                min_quantity=min_quantity,
                shopper_text=f"{category.name}: {kind} {value} off"[:60],
            )
        campaign_approve(campaign_id=campaign.pk, user=marketing)
        campaigns.append(campaign_activate(campaign_id=campaign.pk, user=marketing))
    print(f"{len(campaigns)} campaigns active in {time.perf_counter() - started:.0f} s", flush=True)
    return campaigns


def ensure_lists(*, period: dt.date) -> None:
    """The period's lists (with the campaigns' offers), made in-process chunk by chunk."""
    if ShoppingList.objects.filter(period_start=period).exists():
        return
    started = time.perf_counter()
    made = sum(
        lists_generate_for_range(period_start=period, lo=lo, hi=hi, rules=ListRules())
        for lo, hi in member_id_chunks(chunk_size=5000)
    )
    lists_print_offers(period_start=period)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE lists_shoppinglist; ANALYZE lists_listitem")
    print(f"{made:,} lists for {period} in {time.perf_counter() - started:.0f} s", flush=True)


# ---------------------------------------------------------------- request files

_LIST_OFFERS = f"""
SELECT sl.barcode, m.card_number, li.min_quantity, p.upc, p.price
FROM lists_shoppinglist sl
JOIN members_member m ON m.id = sl.member_id AND m.status = 'active'
JOIN lists_listitem li ON li.shopping_list_id = sl.id AND li.kind = 'offer'
JOIN campaigns_offer o ON o.id = li.offer_id
JOIN campaigns_campaign c ON c.id = o.campaign_id
CROSS JOIN LATERAL (
    SELECT p.upc, p.price FROM catalog_product p
    WHERE p.category_id = c.category_id AND {OFFER_MATCHES_PRODUCT}
    ORDER BY md5(p.id::text || ':' || li.id::text) LIMIT 1
) p
WHERE sl.period_start = %s
ORDER BY sl.id, li.id
"""


@dataclass
class Till:
    store: str
    token: str


def make_tills(*, run: str) -> list[Till]:
    """One new till token per store (only hashes are stored, so tokens are made per run)."""
    tills = []
    for store in Store.objects.order_by("code"):
        _, secret = till_token_create(store=store, name=f"bench-load {run}")
        tills.append(Till(store=store.code, token=secret))
    return tills


def write_bodies(
    path: Path, *, period: dt.date, tills: list[Till], count: int, rng: random.Random,
    pay_share: float = 0.0,
) -> dict[str, int]:  # fmt: skip
    """Write `count` checkout bodies: 40 % scan a list with offers (and buy the offers'
    products), 45 % scan a member's card, 15 % are anonymous; 5-30 lines each.

    `pay_share` of the members' baskets (when the member holds 1,000 points or more and
    the basket comes to $1 or more) pay 100 points ($1 at 1 cent a point): the till's
    points spending, beside the points every member's basket earns.
    """
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT m.card_number FROM rewards_pointsbalance b "
            "JOIN members_member m ON m.id = b.member_id WHERE b.points >= 1000"
        )
        rich = {row[0] for row in cursor.fetchall()}
        cursor.execute(_LIST_OFFERS, [period])
        offer_rows = cursor.fetchall()
        cursor.execute("SELECT upc, price FROM catalog_product ORDER BY upc")
        products = cursor.fetchall()
        cursor.execute("SELECT card_number FROM members_member WHERE status = 'active' ORDER BY id")
        cards = [row[0] for row in cursor.fetchall()]
    lists: dict[str, list] = {}
    for barcode, _card, min_quantity, upc, price in offer_rows:
        lists.setdefault(barcode, []).append((upc, price, min_quantity))
    barcodes = sorted(lists)
    if not barcodes:
        raise SystemExit(f"no list of {period} holds an offer: nothing for checkouts to redeem")
    card_of = {barcode: card for barcode, card, *_ in offer_rows}
    kinds = {"list": 0, "card": 0, "anonymous": 0, "points": 0}
    opened = period + dt.timedelta(days=1)
    with path.open("w") as out:
        for _ in range(count):
            till = rng.choice(tills)
            draw = rng.random()
            lines = []
            if draw < 0.40:
                kind, barcode = "list", rng.choice(barcodes)
                scanned = barcode
                for upc, price, min_quantity in lists[barcode]:
                    lines.append((upc, price, max(min_quantity, rng.choice((1, 1, 2)))))
            elif draw < 0.85:
                kind, scanned = "card", rng.choice(cards)
            else:
                kind, scanned = "anonymous", ""
            kinds[kind] += 1
            for _ in range(max(0, rng.randint(5, 30) - len(lines))):
                upc, price = rng.choice(products)
                weighed = rng.random() < 0.05
                quantity = (
                    Decimal(rng.randint(150, 2500)) / 1000
                    if weighed
                    else rng.choice((1, 1, 1, 1, 2, 2, 3))
                )
                lines.append((upc, price, quantity))
            rng.shuffle(lines)
            at = dt.datetime.combine(opened, dt.time(8)) + dt.timedelta(
                seconds=rng.randint(0, 12 * 3600)
            )
            body = {
                "transaction_id": "__TX__",
                "store": till.store,
                "scanned": scanned,
                "purchased_at": at.isoformat(),
                "lines": [
                    {"upc": upc, "quantity": str(q), "unit_price": str(price)}
                    for upc, price, q in lines
                ],
            }
            total = sum(Decimal(str(price)) * Decimal(str(q)) for _, price, q in lines)
            if (
                card_of.get(scanned, scanned) in rich
                and total >= 5  # $1 of points, well within what is left after offers
                and rng.random() < pay_share
            ):
                body["points"] = 100
                kinds["points"] += 1
            out.write(f"{till.token}\t{json.dumps(body, separators=(',', ':'))}\n")
    return kinds


def write_lookups(path: Path, *, count: int, rng: random.Random) -> None:
    """Card numbers as a scanner types them (the till's usual lookup)."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT card_number FROM members_member ORDER BY id")
        cards = [row[0] for row in cursor.fetchall()]
    path.write_text("".join(f"{rng.choice(cards)}\n" for _ in range(count)))


def cashier_session(role: str = Role.CASHIER) -> str:
    """A signed-in user's session key (stored in the database, as the server reads it)."""
    user, _ = User.objects.get_or_create(username=f"bench-load-{role}", defaults={"role": role})
    client = Client()
    client.force_login(user)
    return client.cookies["sessionid"].value


def write_dashboard_paths(path: Path) -> None:
    """The report pages a marketing user opens: both tabs, unfiltered and by a store."""
    from apps.baskets.models import Store

    stores = list(Store.objects.order_by("pk").values_list("pk", flat=True)[:3])
    pages = ["/reports/loyalty/", "/reports/redemption/"]
    pages += [f"{page}?store={store}" for page in pages[:2] for store in stores]
    path.write_text("".join(f"{page}\n" for page in pages))


# ---------------------------------------------------------------- server and load


@dataclass(frozen=True)
class ServerConfig:
    """gunicorn worker class and size, written `sync:3` or `gthread:2x4`."""

    worker_class: str
    workers: int
    threads: int = 1

    @classmethod
    def parse(cls, text: str) -> ServerConfig:
        kind, _, size = text.partition(":")
        workers, _, threads = size.partition("x")
        return cls(kind, int(workers), int(threads or 1))

    def __str__(self) -> str:
        size = f"{self.workers}x{self.threads}" if self.worker_class == "gthread" else self.workers
        return f"{self.worker_class}:{size}"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def server_env() -> dict[str, str]:
    """Production settings but plain HTTP on loopback (no TLS redirect, no collectstatic)."""
    env = {k: v for k, v in os.environ.items() if k not in {"DEBUG", "DJANGO_SETTINGS_MODULE"}}
    env.update(
        DEBUG="0",
        SECRET_KEY=os.environ["SECRET_KEY"],
        ALLOWED_HOSTS="127.0.0.1",
        SECURE_SSL_REDIRECT="0",
        STATIC_MANIFEST="0",
        CONN_MAX_AGE="600",
        LOG_LEVEL="WARNING",
        DATABASE_URL=os.environ["DATABASE_URL"],
        # The lookup clients share one signed-in cashier: the per-cashier limits (desk
        # limits) would answer 429 to what are, in the test, ten cashiers' lookups.
        LOOKUP_NAME_RATES="100000/m",
        LOOKUP_SCAN_RATES="100000/m",
    )
    return env


@contextlib.contextmanager
def gunicorn(config: ServerConfig, log: Path):
    port = free_port()
    command = [
        # The production settings (crm_site/gunicorn_conf.py), worker class and size overridden.
        str(ROOT / ".venv" / "bin" / "gunicorn"), "-c", str(ROOT / "crm_site" / "gunicorn_conf.py"),
        "--bind", f"127.0.0.1:{port}",
        "--worker-class", config.worker_class,
        "--workers", str(config.workers),
        "--threads", str(config.threads),
        "--log-level", "warning",
    ]  # fmt: skip
    with log.open("ab") as out:
        process = subprocess.Popen(
            command, cwd=ROOT, env=server_env(), stdout=out, stderr=out, start_new_session=True
        )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            if process.poll() is not None:
                raise SystemExit(f"gunicorn exited with {process.returncode}; see {log}")
            try:
                urllib.request.urlopen(f"{url}/accounts/login/", timeout=2).read()
                break
            except OSError:
                if time.monotonic() > deadline:
                    raise SystemExit(f"gunicorn did not answer within 60 s; see {log}") from None
                time.sleep(0.2)
        yield url, process.pid
    finally:
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()


@dataclass
class Scenario:
    """One kind of client: a wrk Lua script and its arguments."""

    name: str
    script: str
    args: list[str]


def run_wrk(url: str, load: dict[str, int], scenarios: dict[str, Scenario], seconds: int) -> dict:
    """Run one wrk per scenario at the same time; return each one's RESULT."""
    processes = {}
    for name, connections in load.items():
        if connections <= 0:
            continue
        scenario = scenarios[name]
        command = [
            "wrk", "--threads", "1", "--connections", str(connections),
            "--duration", f"{seconds}s", "--timeout", "10s", "--latency",
            "--script", str(LOAD / scenario.script), url, "--", *scenario.args,
        ]  # fmt: skip
        processes[name] = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    results = {}
    for name, process in processes.items():
        out, err = process.communicate(timeout=seconds + 120)
        lines = [line for line in out.decode().splitlines() if line.startswith("RESULT ")]
        if process.returncode != 0 or not lines:
            raise SystemExit(
                f"wrk {name} failed ({process.returncode}):\n{out.decode()}{err.decode()}"
            )
        results[name] = json.loads(lines[-1].removeprefix("RESULT "))
        results[name]["connections"] = load[name]
    return results


def cpu_seconds(pid: int) -> float:
    """CPU (user + system) the process used so far, from /proc (Linux); 0 once it is gone."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return 0.0
    fields = stat[stat.rindex(")") + 2 :].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")  # utime + stime


def server_pids(master: int) -> dict[str, list[int]]:
    """gunicorn's workers, and the PostgreSQL backends serving this database but ours."""
    children = Path(f"/proc/{master}/task/{master}/children").read_text().split()
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT pid FROM pg_stat_activity WHERE datname = current_database() "
            "AND pid <> pg_backend_pid() AND backend_type = 'client backend'"
        )
        backends = [row[0] for row in cursor.fetchall()]
    return {"gunicorn": [int(pid) for pid in children], "postgres": backends}


def measure(url: str, master: int, load: dict, scenarios: dict, seconds: int) -> tuple:
    """Run the load once; return the results, the database counters' change and CPU used.

    CPU is counted for the processes there at the end (a backend opened during the run,
    e.g. by a gthread worker's new thread, counts whole).
    """
    started = {pid: cpu_seconds(pid) for group in server_pids(master).values() for pid in group}
    before = db_counters()
    wrk_before = resource.getrusage(resource.RUSAGE_CHILDREN)
    results = run_wrk(url, load, scenarios, seconds)
    wrk_after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = {
        name: sum(cpu_seconds(pid) - started.get(pid, 0.0) for pid in group)
        for name, group in server_pids(master).items()
    }
    cpu["wrk"] = (wrk_after.ru_utime + wrk_after.ru_stime) - (
        wrk_before.ru_utime + wrk_before.ru_stime
    )
    after = db_counters()
    return results, {k: after[k] - before[k] for k in after}, cpu


def db_counters() -> dict[str, int]:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT xact_commit, xact_rollback, tup_inserted, tup_updated, tup_fetched, "
            "blks_read, blks_hit FROM pg_stat_database WHERE datname = current_database()"
        )
        names = [c.name for c in cursor.description]
        return dict(zip(names, cursor.fetchone(), strict=True))


# ---------------------------------------------------------------- where the time goes


def in_process_profile(*, bodies: Path, lookups: Path, session: str, count: int) -> dict:
    """Time requests one at a time through Django's test Client (DEBUG off), with their SQL.

    SQL time is measured at the client, round trip included; CPU is this process's only
    (PostgreSQL's backend works on top of it). Shows where a request's time goes when
    nothing queues.
    """
    from django.test import override_settings

    spent = [0.0, 0]

    def timer(execute, sql, params, many, context):
        started = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            spent[0] += time.perf_counter() - started
            spent[1] += 1

    client = Client(HTTP_HOST="localhost")
    client.cookies["sessionid"] = session
    checkouts = bodies.read_text().splitlines()[-count:]
    cards = lookups.read_text().split()[:count]

    def checkout(n: int):
        token, body = checkouts[n].split("\t", 1)
        return client.post(
            "/api/pos/checkout",
            body.replace("__TX__", f"profile-{time.time_ns()}"),
            content_type="application/json",
            headers={"authorization": f"Bearer {token}"},
        )

    def lookup(n: int):
        return client.get("/members/lookup/", {"q": cards[n]})

    figures = {}
    unlimited = ["100000/m"]  # one session stands for many cashiers (see server_env)
    with (
        override_settings(DEBUG=False, LOOKUP_NAME_RATES=unlimited, LOOKUP_SCAN_RATES=unlimited),
        connection.execute_wrapper(timer),
    ):
        for name, send in (("checkout", checkout), ("lookup", lookup)):
            wall, cpu, sql, queries = [], [], [], []
            for n in range(count):
                spent[:] = [0.0, 0]
                started, cpu_started = time.perf_counter(), time.process_time()
                response = send(n)
                wall.append((time.perf_counter() - started) * 1000)
                cpu.append((time.process_time() - cpu_started) * 1000)
                assert response.status_code == 200, (name, response.status_code)
                sql.append(spent[0] * 1000)
                queries.append(spent[1])
            figures[name] = {
                "wall": statistics.median(wall),
                "cpu": statistics.median(cpu),
                "sql": statistics.median(sql),
                "queries": statistics.median(queries),
            }
    return figures


# ---------------------------------------------------------------- main


@dataclass
class Run:
    server: str
    think_ms: int
    attempt: int
    results: dict
    db: dict
    cpu: dict
    load: float = 0.0  # the machine's 1-minute load average at the end (2 cores)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--members", type=int, default=100_000)
    parser.add_argument("--weeks", type=int, default=26, help="weeks of demo data if loaded here")
    parser.add_argument("--campaigns", type=int, default=8)
    parser.add_argument("--duration", type=int, default=60, help="seconds per measured run")
    parser.add_argument("--warmup", type=int, default=10, help="seconds of load before runs")
    parser.add_argument(
        "--clients", default="checkout=10,lookup=10",
        help="connections per scenario, run at the same time (issue 5: 20 in all)",
    )  # fmt: skip
    parser.add_argument(
        "--server",
        nargs="+",
        default=[f"gthread:{os.cpu_count() or 2}x8"],
        help="gunicorn configs: sync:N, gthread:NxT (default: crm_site/gunicorn_conf.py's)",
    )
    parser.add_argument(
        "--think-ms", type=int, nargs="+", default=[1000, 0],
        help="mean pause of each client after an answer (0: back to back); one run set each",
    )  # fmt: skip
    parser.add_argument("--repeat", type=int, default=1, help="measured runs per setting")
    parser.add_argument("--bodies", type=int, default=20_000)
    parser.add_argument(
        "--pay-with-points", type=float, default=0.2,
        help="share of members' baskets paying 100 points (members with 1,000 or more)",
    )  # fmt: skip
    parser.add_argument("--profile", type=int, default=200, help="requests timed in-process")
    args = parser.parse_args()
    if shutil.which("wrk") is None:
        raise SystemExit("wrk is not installed: apt-get install wrk")
    load = {k: int(v) for k, v in (item.split("=") for item in args.clients.split(","))}

    ensure_demo(members=args.members, weeks=args.weeks)
    ensure_points()
    # bench_lists' lists are for the period starting at the data's end; ours are two weeks on.
    period = data_end() + dt.timedelta(days=14)
    ensure_snapshots(period=data_end(), weeks=args.weeks)
    campaigns = ensure_campaigns(period=period, count=args.campaigns)
    ensure_lists(period=period)

    run = time.strftime("%H%M%S")
    rng = random.Random(5)
    work = Path(tempfile.mkdtemp(prefix="bench-pos-load-"))
    bodies, lookups = work / "bodies.tsv", work / "lookups.txt"
    tills = make_tills(run=run)
    kinds = write_bodies(
        bodies, period=period, tills=tills, count=args.bodies, rng=rng,
        pay_share=args.pay_with_points,
    )  # fmt: skip
    write_lookups(lookups, count=20_000, rng=rng)
    session = cashier_session()
    # Issue 7's mixed load adds marketing users on the dashboard (--clients ...,dashboard=N).
    dashboards = work / "dashboards.txt"
    if load.get("dashboard"):
        from apps.reports.services import reports_refresh

        reports_refresh(full=True)
        write_dashboard_paths(dashboards)
    marketing = cashier_session(Role.MARKETING)
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(DISTINCT sl.id), count(*) FROM lists_shoppinglist sl "
            "JOIN lists_listitem li ON li.shopping_list_id = sl.id AND li.kind = 'offer' "
            "WHERE sl.period_start = %s",
            [period],
        )
        offer_lists, offer_items = cursor.fetchone()
    print(
        f"{Member.objects.count():,} members; {len(campaigns)} active campaigns; "
        f"{offer_lists:,} lists of {period} hold {offer_items:,} offers; {args.bodies:,} "
        f"checkout bodies ({kinds['list']:,} scan a list, {kinds['card']:,} a card, "
        f"{kinds['anonymous']:,} nothing; 5-30 lines; {kinds['points']:,} pay 100 points); "
        f"{len(tills)} tills",
        flush=True,
    )

    def scenarios(run_id: str, think_ms: int) -> dict[str, Scenario]:
        """The kinds of client, by the name --clients gives their connections under."""
        think = str(think_ms)
        return {
            "checkout": Scenario("checkout", "checkout.lua", [str(bodies), run_id, think]),
            "lookup": Scenario("lookup", "lookup.lua", [str(lookups), session, think]),
            "dashboard": Scenario(
                "dashboard", "dashboard.lua", [str(dashboards), marketing, think]
            ),
        }

    runs: list[Run] = []
    log = work / "gunicorn.log"
    for number, text in enumerate(args.server):
        config = ServerConfig.parse(text)
        with gunicorn(config, log) as (url, master):
            if args.warmup:
                run_wrk(url, load, scenarios(f"W{run}s{number}", 0), args.warmup)
            for think_ms in args.think_ms:
                for attempt in range(1, args.repeat + 1):
                    run_id = f"R{run}s{number}t{think_ms}a{attempt}"
                    measured = measure(
                        url, master, load, scenarios(run_id, think_ms), args.duration
                    )
                    runs.append(Run(str(config), think_ms, attempt, *measured, os.getloadavg()[0]))
                    print_run(runs[-1], header=len(runs) == 1)

    print(
        "\nPer request during each run: CPU in ms (gunicorn workers, PostgreSQL backends, wrk),"
        " and what PostgreSQL did (pg_stat_database)"
    )
    print(
        f"{'server':<12}{'think':>6}{'run':>4}{'gunicorn':>9}{'postgres':>9}{'wrk':>6}"
        f"{'commits':>8}{'inserted':>9}{'updated':>8}{'fetched':>8}{'blk read':>9}{'blk hit':>8}"
    )
    for r in runs:
        n = max(1, sum(result["requests"] for result in r.results.values()))
        d = {k: v / n for k, v in r.db.items()}
        c = {k: v * 1000 / n for k, v in r.cpu.items()}
        print(
            f"{r.server:<12}{r.think_ms:>6}{r.attempt:>4}{c['gunicorn']:>9.1f}{c['postgres']:>9.1f}"
            f"{c['wrk']:>6.2f}{d['xact_commit']:>8.1f}{d['tup_inserted']:>9.1f}"
            f"{d['tup_updated']:>8.1f}{d['tup_fetched']:>8.0f}{d['blks_read']:>9.1f}"
            f"{d['blks_hit']:>8.0f}"
        )

    if args.profile:
        figures = in_process_profile(
            bodies=bodies, lookups=lookups, session=session, count=args.profile
        )
        print(f"\nOne request at a time, in-process (median of {args.profile}, ms):")
        print(f"{'client':<10}{'wall':>8}{'CPU':>8}{'SQL':>8}{'queries':>9}")
        for name, f in figures.items():
            print(
                f"{name:<10}{f['wall']:>8.1f}{f['cpu']:>8.1f}{f['sql']:>8.1f}{f['queries']:>9.0f}"
            )

    failed = [
        f"{r.server} think {r.think_ms} run {r.attempt}: {name} {res['not_200']} not 200, "
        "socket errors: "
        + ", ".join(f"{k} {res[k]}" for k in ("connect", "read", "write", "timeout"))
        + (
            f" (first: {res['first_bad_status']} {res['first_bad_body']!r})"
            if res["not_200"]
            else ""
        )
        for r in runs
        for name, res in r.results.items()
        if errors_of(res)
    ]
    for line in failed:
        print("ERRORS:", line)
    if failed:
        print(f"(request files and gunicorn.log kept in {work})")
    else:
        shutil.rmtree(work, ignore_errors=True)
    return 1 if failed else 0


def errors_of(result: dict) -> int:
    return sum(result[k] for k in ("not_200", "connect", "read", "write", "timeout"))


def print_run(run: Run, *, header: bool) -> None:
    if header:
        print(
            f"\n{'server':<12}{'think':>6}{'run':>4}  {'client':<9}{'conns':>6}{'req/s':>8}"
            f"{'p50':>8}{'p95':>8}{'p99':>8}{'max':>8}{'errors':>7}{'load':>6}  goal p95",
            flush=True,
        )
    for name, r in run.results.items():
        goal = GOALS.get(name)
        verdict = ""
        if goal is not None:
            verdict = f"≤ {goal:.0f} ms {'met' if r['p95'] <= goal else 'NOT met'}"
        print(
            f"{run.server:<12}{run.think_ms:>6}{run.attempt:>4}  {name:<9}{r['connections']:>6}"
            f"{r['requests'] / r['seconds']:>8.1f}{r['p50']:>8.1f}{r['p95']:>8.1f}"
            f"{r['p99']:>8.1f}{r['max']:>8.1f}{errors_of(r):>7}{run.load:>6.1f}  {verdict}",
            flush=True,
        )


if __name__ == "__main__":
    sys.exit(main())

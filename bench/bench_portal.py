"""Benchmark the manufacturer portal on the demo data (after bench_demo; makes the demo's
agreements when missing): the first release of a month, then the report pages as released.

    DATABASE_URL=<scratch db with demo data> .venv/bin/python bench/bench_portal.py [--runs 30]

For each reporting agreement, releases its latest ended month (timed: exact figures in SQL,
OpenDP's noise, one row stored), then times the agreement page, a category page and the
CSV export through Django's test Client with DEBUG off: server time p50 / p95 / max in ms
and the page's SQL statements. Then measures utility on the same data: the median relative
error of released buyer counts of at least 100 members and of category sales, against the
exact figures (no cap, no bound on categories), over `--draws` fresh draws of the noise
(nothing stored; the stored release is one such draw).
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from decimal import Decimal
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _setup import bench_setup  # noqa: E402

bench_setup()

from django.conf import settings  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402
from django.urls import reverse  # noqa: E402
from django.utils import timezone  # noqa: E402

from apps.accounts.models import Role, User  # noqa: E402
from apps.members.models import Member  # noqa: E402
from apps.portal import figures, privacy, selectors, services  # noqa: E402
from apps.portal.periods import agreement_months  # noqa: E402

UNBOUNDED = Decimal(10**9)


def prepare() -> None:
    if not Member.objects.exists():
        raise SystemExit("No members: run bench_demo first on this database.")
    from apps.agreements.models import ManufacturerAgreement

    if not ManufacturerAgreement.objects.filter(reporting_included=True).exists():
        started = time.perf_counter()
        call_command("seed_demo_program", verbosity=0)
        print(f"seed_demo_program: {time.perf_counter() - started:.0f} s")
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")


def release_all() -> list:
    """Release each reporting agreement's latest ended month; return (agreement, month)."""
    from apps.agreements.models import ManufacturerAgreement

    released = []
    today = timezone.localdate()
    for agreement in ManufacturerAgreement.objects.filter(reporting_included=True):
        months = agreement_months(agreement, today=today)
        if not months:
            print(f"{agreement}: no ended month to release")
            continue
        categories = selectors.agreement_categories(agreement=agreement)
        new = selectors.release_for(agreement=agreement, period=months[0]) is None
        started = time.perf_counter()
        release = services.release_month(agreement=agreement, period=months[0],
                                         categories=categories, user=None, today=today)  # fmt: skip
        print(
            f"{agreement}: {months[0].label}, {len(categories)} categories, "
            f"{'first release' if new else 'released before, read back in'} "
            f"{time.perf_counter() - started:.2f} s (ε {release.epsilon}; "
            f"{len(release.content['withheld'])} of "
            f"{len(release.content['counts']) + len(release.content['money'])} figures withheld)"
        )
        released.append((agreement, months[0], categories))
    return released


def time_pages(released: list, runs: int) -> None:
    settings.DEBUG = False  # no query log on the timed runs, as in production
    user, _ = User.objects.get_or_create(username="bench-portal", defaults={"role": Role.MARKETING})
    client = Client(HTTP_HOST="localhost")
    client.force_login(user)
    print(f"{'page':<52} {'p50 ms':>7} {'p95 ms':>7} {'max ms':>7} {'queries':>7}")
    for agreement, month, categories in released:
        params = {"month": month.key}
        pages = [
            (f"{agreement.manufacturer.code} agreement page", reverse("portal:agreement",
                                                                      args=[agreement.pk])),
            (f"{agreement.manufacturer.code} category page ({categories[0].name})",
             reverse("portal:category", args=[agreement.pk, categories[0].pk])),
            (f"{agreement.manufacturer.code} CSV export", reverse("portal:agreement_export",
                                                                  args=[agreement.pk])),
        ]  # fmt: skip
        for label, url in pages:
            for _ in range(3):  # warm the connection, caches and templates
                assert client.get(url, params).status_code == 200
            timings = []
            for _ in range(runs):
                started = time.perf_counter()
                response = client.get(url, params)
                timings.append((time.perf_counter() - started) * 1000)
                assert response.status_code == 200
            with CaptureQueriesContext(connection) as queries:
                client.get(url, params)
            timings.sort()
            p95 = timings[max(0, int(round(0.95 * len(timings))) - 1)]
            print(f"{label:<52} {statistics.median(timings):>7.1f} {p95:>7.1f} "
                  f"{timings[-1]:>7.1f} {len(queries.captured_queries):>7}")  # fmt: skip


def utility(released: list, draws: int) -> None:
    params = privacy.privacy_settings()
    everyone_buyers, everyone_sales = [], []
    for agreement, month, categories in released:
        buyers, sales = [], []
        kwargs = {"agreement": agreement, "categories": categories, "period": month}
        truth = figures.agreement_plan(**kwargs, cap=UNBOUNDED, max_categories=50)
        plan = figures.agreement_plan(**kwargs, cap=params.money_cap,
                                      max_categories=params.max_categories)  # fmt: skip
        for _ in range(draws):
            noised = privacy.add_noise(
                plan.counts, plan.money, count_sensitivity=plan.count_sensitivity,
                money_sensitivity=plan.money_sensitivity, params=params,
            )  # fmt: skip
            for key, value in noised.counts.items():
                exact = truth.counts.get(key, 0)
                if exact >= 100 and value >= params.threshold:
                    buyers.append(abs(value - exact) / exact)
            for pk, _ in plan.categories:
                key = figures.key("sales", figures.TOTAL, pk, "sales")
                exact = truth.money[key]
                basis = noised.counts[figures.key("sales", figures.TOTAL, pk, "buyers")]
                if exact > 0 and basis >= params.threshold:
                    sales.append(abs(noised.money[key] - exact) / exact)
        _print_utility(f"{agreement.manufacturer.code} ({len(categories)} categories)", buyers,
                       sales, draws)  # fmt: skip
        everyone_buyers += buyers
        everyone_sales += sales
    _print_utility("all agreements", everyone_buyers, everyone_sales, draws)


def _print_utility(label: str, buyers: list, sales: list, draws: int) -> None:
    def median(values):
        return f"{statistics.median(values):.1%}" if values else "—"

    print(
        f"utility, {label}, {draws} draws: median relative error of released buyer counts "
        f"of ≥ 100 members {median(buyers)} (n = {len(buyers) // draws}); of released "
        f"category sales {median(sales)} (n = {len(sales) // draws})"
    )


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=30)
    parser.add_argument("--draws", type=int, default=20)
    args = parser.parse_args()
    prepare()
    print(f"{Member.objects.count():,} members")
    released = release_all()
    time_pages(released, args.runs)
    utility(released, args.draws)


if __name__ == "__main__":
    main()

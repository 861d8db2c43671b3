"""Benchmark the purchase-timing model on the demo data (run after bench_demo, same database).

Fits P(member buys a category in the next 14 days) on five past fortnights and prints, on the
held-out fortnight the fit did not see, the model's AUC beside its peers measured on the same
rows (the binary rule "the next purchase, last + mean interval, falls in the period" and
purchase frequency alone), the rule's hit rate and reach, and calibration by decile. Then
times buy_probabilities_ensure for every member, in one call and in chunks of 10,000.

    make bench  (or: DATABASE_URL=<db with demo data> .venv/bin/python bench/bench_timing.py)
"""

from __future__ import annotations

import datetime as dt
import time

from _setup import bench_setup

bench_setup()

from django.db import connection  # noqa: E402

from apps.segments.models import BuyProbability  # noqa: E402
from apps.segments.selectors import basket_days  # noqa: E402
from apps.segments.timing import buy_probabilities_ensure, purchase_timing_fit  # noqa: E402
from apps.segments.timing.training import sample_modulus, training_rows  # noqa: E402

CHUNK = 10_000


def rule_figures(fit) -> str:
    """What the binary rule does on the held-out rows: hit rate of 'due' and reach."""
    rows = training_rows(days=[fit.test_day], horizon=fit.horizon_days, modulus=sample_modulus())
    due = rows.rule_due == 1
    buyers = rows.y.sum()
    return (
        f"due rule on the held-out fortnight: {due.mean():.1%} of pairs called due; "
        f"{rows.y[due].mean():.1%} of them bought vs {rows.y.mean():.1%} of all pairs; "
        f"finds {rows.y[due].sum() / max(buyers, 1):.1%} of the fortnight's buyers"
    )


def main() -> None:
    with connection.cursor() as cursor:
        cursor.execute("VACUUM (ANALYZE) baskets_basketline, baskets_basket")
        cursor.execute("SELECT count(*), coalesce(max(id), 0) FROM members_member")
        members, top = cursor.fetchone()
    first, last = basket_days()
    if last is None:
        raise SystemExit("No baskets: run bench_demo first on this database.")
    as_of = last + dt.timedelta(days=1)
    print(f"{members:,} members, baskets {first} to {last}; fit as of {as_of}")

    started = time.perf_counter()
    fit = purchase_timing_fit(as_of=as_of)
    seconds = time.perf_counter() - started
    print(
        f"fit: {fit.train_rows:,} training rows ({len(fit.train_days)} fortnights) in "
        f"{seconds:.1f} s; held out {fit.test_rows:,} rows of {fit.test_day} "
        f"({fit.test_positive_rate:.1%} bought)"
    )
    print("coefficients: " + ", ".join(f"{k} {v:+.3f}" for k, v in fit.coefficients.items()))
    print(
        f"held-out AUC: model {fit.auc:.3f} | due rule {fit.auc_rule:.3f} | "
        f"frequency alone {fit.auc_frequency:.3f}"
    )
    print(rule_figures(fit))
    print("calibration (held out): decile  predicted  actual      n")
    for row in fit.calibration:
        print(
            f"                         {row['decile']:>6}  {row['predicted']:9.3f}  "
            f"{row['actual']:6.3f}  {row['n']:>5}"
        )

    BuyProbability.objects.filter(period_start=as_of).delete()
    started = time.perf_counter()
    rows = buy_probabilities_ensure(period_start=as_of, lo=0, hi=top + 1)
    one = time.perf_counter() - started
    print(f"buy_probabilities_ensure, all members in one call: {rows:,} rows in {one:.2f} s")
    BuyProbability.objects.filter(period_start=as_of).delete()
    started = time.perf_counter()
    rows = sum(
        buy_probabilities_ensure(period_start=as_of, lo=lo, hi=lo + CHUNK)
        for lo in range(0, top + 1, CHUNK)
    )
    chunked = time.perf_counter() - started
    print(f"  in chunks of {CHUNK:,} members: {rows:,} rows in {chunked:.2f} s")
    started = time.perf_counter()
    again = buy_probabilities_ensure(period_start=as_of, lo=0, hi=top + 1)
    print(f"  again (idempotent): {again} rows in {time.perf_counter() - started:.2f} s")


if __name__ == "__main__":
    main()

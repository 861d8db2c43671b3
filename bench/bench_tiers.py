"""Benchmark: the nightly tier recompute at 100 k members with a year of baskets.

Usage: DEBUG=1 DATABASE_URL=... .venv/bin/python bench/bench_tiers.py [--members 100000]

Runs on bench_rewards' chain (100 k members, 52 weeks of baskets, about 4.9 M); builds it
with bench_rewards' own `build` when the database does not hold it. The members' tiers are
emptied first (the ledger is left alone). Then times, beside the goal (≤ 30 s):
1. `tiers_recompute` the day after the year ends (its 365-day window holds every basket):
   every member gets a first tier, a `MemberTier` row and a `TierChange` row;
2. the same again, the same day: nothing is written;
3. a week later: the window has lost the year's first week, every row's `computed_on` is
   rewritten and members fall back below their thresholds (an ordinary night, and then some).
The chain's spends are close together (about $1,150 a member), so the bench sets Silver and
Gold at the 60th and 90th percentile of the year's spend, to have members in every tier and
moving between them; the thresholds are put back at the end.
Floors measured in the same run: the window's plain sum of basket totals grouped by member
(the recompute's read alone), and the same rows written into an unlogged table without
indexes or foreign keys. Last, a check that every member's stored spend equals the plain
sum and that the tier counts add up.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))
from _setup import bench_setup  # noqa: E402

bench_setup()

from bench_rewards import START, WEEKS, build  # noqa: E402
from django.db import connection  # noqa: E402

from apps.rewards.models import Tier  # noqa: E402
from apps.rewards.tiers import spend_window, tiers_recompute  # noqa: E402

GOAL_SECONDS = 30
DAY = START + dt.timedelta(weeks=WEEKS)  # the night after the year's last day

FLOOR_READ_SQL = """
SELECT count(*), sum(spend) FROM (
    SELECT member_id, sum(total_amount) AS spend FROM baskets_basket
    WHERE member_id IS NOT NULL AND purchased_at >= %(start)s AND purchased_at < %(end)s
    GROUP BY member_id
) s
"""
FLOOR_WRITE_SQL = """
CREATE UNLOGGED TABLE bench_tier_floor AS
SELECT member_id, sum(total_amount) AS spend, %(day)s::date AS computed_on
FROM baskets_basket
WHERE member_id IS NOT NULL AND purchased_at >= %(start)s AND purchased_at < %(end)s
GROUP BY member_id
"""
# Members whose stored spend differs from the plain sum of the window (must be none).
CHECK_SQL = """
SELECT count(*) FROM rewards_membertier mt
FULL JOIN (
    SELECT member_id, sum(total_amount) AS spend FROM baskets_basket
    WHERE member_id IS NOT NULL AND purchased_at >= %(start)s AND purchased_at < %(end)s
    GROUP BY member_id
) s ON s.member_id = mt.member_id
WHERE mt.spend IS DISTINCT FROM coalesce(s.spend, 0)
"""


def line(label: str, seconds: float, note: str = "") -> None:
    print(f"  {label:<62} {seconds:6.1f} s  {note}".rstrip())


def verdict(seconds: float) -> str:
    return f"{'within' if seconds <= GOAL_SECONDS else 'OVER'} the goal of {GOAL_SECONDS} s"


def timed_recompute(day: dt.date) -> tuple[float, dict]:
    started = time.perf_counter()
    counts = tiers_recompute(day)
    return time.perf_counter() - started, counts


def floors(day: dt.date) -> tuple[float, float, int]:
    start, end = spend_window(day)
    params = {"start": start, "end": end, "day": day}
    with connection.cursor() as cursor:
        cursor.execute("DROP TABLE IF EXISTS bench_tier_floor")
        started = time.perf_counter()
        cursor.execute(FLOOR_READ_SQL, params)
        members, _ = cursor.fetchone()
        read_s = time.perf_counter() - started
        started = time.perf_counter()
        cursor.execute(FLOOR_WRITE_SQL, params)
        write_s = time.perf_counter() - started
        cursor.execute("DROP TABLE bench_tier_floor")
    return read_s, write_s, members


def spread_thresholds(day: dt.date) -> list[Tier]:
    """Set the second and third tiers at the 60th and 90th percentile of the window's spend;
    return the tiers as they were."""
    start, end = spend_window(day)
    original = list(Tier.objects.order_by("min_spend"))
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT percentile_disc(ARRAY[0.6, 0.9]) WITHIN GROUP (ORDER BY spend) FROM ("
            "SELECT sum(total_amount) AS spend FROM baskets_basket WHERE member_id IS NOT NULL"
            " AND purchased_at >= %s AND purchased_at < %s GROUP BY member_id) s",
            [start, end],
        )
        cuts = [round(cut) for cut in cursor.fetchone()[0]]
    for tier, cut in zip(original[1:3], cuts, strict=True):
        Tier.objects.filter(pk=tier.pk).update(min_spend=cut)
    print("thresholds for the bench: " + ", ".join(
        f"{tier.name} from ${cut:,}" for tier, cut in zip(original[1:3], cuts, strict=True)
    ))  # fmt: skip
    return original


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--members", type=int, default=100_000)
    args = parser.parse_args()
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM members_member WHERE card_number LIKE '77%'")
        if cursor.fetchone()[0] < args.members:
            started = time.perf_counter()
            build(args.members)
            print(f"chain built in {time.perf_counter() - started:.0f} s")
        cursor.execute("TRUNCATE rewards_tierchange, rewards_membertier")
        cursor.execute("VACUUM ANALYZE rewards_membertier")
        cursor.execute("VACUUM ANALYZE rewards_tierchange")
        cursor.execute("SELECT count(*) FROM members_member")
        members = cursor.fetchone()[0]
        cursor.execute("SELECT count(*) FROM baskets_basket")
        baskets = cursor.fetchone()[0]
        cursor.execute("SELECT name, min_spend, multiplier FROM rewards_tier ORDER BY min_spend")
        tiers = cursor.fetchall()
    print(f"members {members:,}, baskets {baskets:,}; tiers: "
          + ", ".join(f"{n} from ${s:,} ×{m}" for n, s, m in tiers))  # fmt: skip
    print("load average before: " + " ".join(f"{x:.2f}" for x in os.getloadavg()))

    original = spread_thresholds(DAY)
    read_s, write_s, placed = floors(DAY)
    first_s, first = timed_recompute(DAY)
    again_s, again = timed_recompute(DAY)
    later = DAY + dt.timedelta(days=7)
    next_s, following = timed_recompute(later)
    assert first["members"] == placed and first["changes"] == placed, (first, placed)
    assert (again["written"], again["changes"]) == (0, 0), again
    start, end = spend_window(later)
    with connection.cursor() as cursor:
        cursor.execute(CHECK_SQL, {"start": start, "end": end})
        wrong = cursor.fetchone()[0]
        cursor.execute(
            "SELECT t.name, count(*) FROM rewards_membertier mt "
            "JOIN rewards_tier t ON t.id = mt.tier_id GROUP BY t.name, t.min_spend "
            "ORDER BY t.min_spend"
        )
        spread = cursor.fetchall()
    assert wrong == 0, wrong

    print(f"\ntier recompute, {placed:,} members with baskets in the 365 days before {DAY}")
    line("floor: the window's basket totals summed by member (read)", read_s)
    line("floor: the same rows into an unlogged table, no index", write_s)
    line(f"recompute, first: {first['written']:,} rows, {first['changes']:,} changes",
         first_s, verdict(first_s))  # fmt: skip
    line(f"recompute again, same day: {again['written']} written, {again['changes']} changes",
         again_s, verdict(again_s))  # fmt: skip
    line(f"recompute, a week later: {following['written']:,} rows, {following['changes']:,} "
         f"changes ({following['up']:,} up, {following['down']:,} down)", next_s,
         verdict(next_s))  # fmt: skip
    print("  members per tier: " + ", ".join(f"{n} {c:,}" for n, c in spread))
    print("  stored spend = plain sum of the window for every member: yes")
    print("load average after: " + " ".join(f"{x:.2f}" for x in os.getloadavg()))
    Tier.objects.bulk_update(original, ["min_spend"])


if __name__ == "__main__":
    main()

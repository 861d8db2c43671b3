"""Benchmark: offer allocation for N members × 200 candidate offers on 2 processes.

Usage: DEBUG=1 DATABASE_URL=... .venv/bin/python bench/bench_allocation.py [--members 100000]

Builds (or reuses, when the database already holds it) a synthetic chain in set-based SQL:
N members, 40 categories of 3 products, 52 weeks of baskets in which each member buys about
a quarter of the categories, a snapshot per category (its buyers plus a tenth of the rest,
who are discovery candidates) and 200 active campaigns with an offer per usage tier whose
audiences are 4 to 7 of the 9 cells, so each member is a candidate for dozens of offers;
a tenth of the campaigns share five agreements with budget caps, budgets bind.
Then times allocation as list generation runs it:
- phase one: `allocation_score` over the period's eligible members in chunks of 2,000,
  on 2 worker processes (multiprocessing, each chunk in its own transaction, as a Celery
  list chunk does; the Celery hop itself is measured by bench_lists);
- phase two: one `allocation_decide` for the period (slots 12, discovery share 20 %).
Prints rows, outcomes and seconds beside the goal (≤ 60 s), then a peer: the
same discount money per campaign given to randomly chosen members of its scored audience.
"""

from __future__ import annotations

import argparse
import datetime as dt
import multiprocessing
import sys
import time
from decimal import Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))
from _setup import bench_setup  # noqa: E402

bench_setup()

from django.db import connection, connections, transaction  # noqa: E402

from apps.agreements.models import ManufacturerAgreement  # noqa: E402
from apps.baskets.models import Store  # noqa: E402
from apps.campaigns.allocation import (  # noqa: E402
    ELIGIBLE_SQL,
    AllocationRules,
    Eligibility,
    allocation_decide,
    allocation_score,
    eligibility_params,
)
from apps.campaigns.models import Campaign, CampaignStatus, Offer  # noqa: E402
from apps.campaigns.services import campaign_audience_persist  # noqa: E402
from apps.catalog.models import Category, Manufacturer, Product  # noqa: E402
from apps.members.models import Member  # noqa: E402
from apps.segments.models import SegmentSnapshot  # noqa: E402
from apps.segments.timing import buy_probabilities_ensure  # noqa: E402

PERIOD = dt.date(2026, 3, 2)
CATEGORIES = 40
CAMPAIGNS = 200
GOAL_SECONDS = 60
CELLS = [f"{loyalty}-{tier}" for loyalty in ("national", "store", "swinger") for tier in (3, 2, 1)]

# Baskets: three visits a member (two in the 8 weeks that make a list, one 30 weeks back);
# a member buys category c when hash(member, c) < BUY_SHARE, a line at most visits.
BASKETS_SQL = """
INSERT INTO baskets_basket
    (basket_id, member_id, owner_id, store_id, purchased_at, total_amount, total_discount,
     line_count, source, loaded_at)
SELECT 'AB' || m.id || '-' || v.n, m.id, m.id, %(store)s,
       %(period)s::timestamptz - make_interval(weeks => v.weeks) + interval '10 hours',
       0, 0, 0, 'import', now()
FROM members_member m
CROSS JOIN (VALUES (1, 2), (2, 5), (3, 30)) AS v(n, weeks)
"""
LINES_SQL = """
INSERT INTO baskets_basketline
    (basket_id, product_id, member_id, owner_id, purchased_at, quantity, amount, discount)
SELECT b.id, p.id, b.member_id, b.owner_id, b.purchased_at, 1, 21.00, 0
FROM baskets_basket b
JOIN catalog_category c ON c.name LIKE 'Bench %%'
CROSS JOIN LATERAL (
    SELECT ('x' || substr(md5(b.member_id || ':' || c.id), 1, 8))::bit(32)::bigint
           / 4294967296.0 AS h,
           ('x' || substr(md5(b.id || '/' || c.id), 1, 8))::bit(32)::bigint
           / 4294967296.0 AS visit
) r
JOIN LATERAL (
    SELECT id FROM catalog_product
    WHERE category_id = c.id ORDER BY id OFFSET (floor(r.h * 100)::int %% 3) LIMIT 1
) p ON true
WHERE b.basket_id LIKE 'AB%%' AND r.h < %(buy_share)s AND r.visit < 0.6
"""
# A snapshot per category: its buyers here, plus a tenth of the others (discovery).
SNAPSHOT_MEMBERS_SQL = """
INSERT INTO segments_segmentmember
    (snapshot_id, member_id, category_spend, national_share, loyalty, usage_tier, occasions)
SELECT s.id, m.id, 50, 0.5,
       (ARRAY['national', 'store', 'swinger'])[1 + (m.id + s.category_id) %% 3],
       1 + (m.id * 7 + s.category_id) %% 3, 6
FROM segments_segmentsnapshot s
JOIN catalog_category c ON c.id = s.category_id AND c.name LIKE 'Bench %%'
CROSS JOIN members_member m
CROSS JOIN LATERAL (
    SELECT ('x' || substr(md5(m.id || ':' || c.id), 1, 8))::bit(32)::bigint
           / 4294967296.0 AS h
) r
WHERE r.h < %(buy_share)s OR r.h > 0.9
"""


@transaction.atomic
def build(members: int, seed: int) -> None:
    """Create the chain; every step set-based but the 200 campaigns' audiences."""
    import numpy as np

    rng = np.random.default_rng(seed)
    maker = Manufacturer.objects.create(code="BENCHA", name="Bench maker")
    store = Store.objects.create(code="BENCHA", name="Bench store")
    categories = Category.objects.bulk_create(
        Category(name=f"Bench {i:02d}", department="Grocery") for i in range(CATEGORIES)
    )
    Product.objects.bulk_create(
        Product(
            upc=f"88{i:04d}{k:06d}",
            name=f"Bench {i:02d} {brand}",
            category=category,
            brand=brand,
            brand_type="store" if k == 0 else "national",
            manufacturer=maker,
            price=Decimal(str(round(float(rng.uniform(1.5, 8.0)), 2))),
        )
        for i, category in enumerate(categories)
        for k, brand in enumerate(("Own", "Famous", "Other"))
    )
    Member.objects.bulk_create(
        (
            Member(card_number=f"66{i:010d}", first_name="B", joined_on=dt.date(2024, 1, 1))
            for i in range(members)
        ),
        batch_size=10_000,
    )
    params = {"store": store.pk, "period": PERIOD, "buy_share": 0.25}
    with connection.cursor() as cursor:
        cursor.execute(BASKETS_SQL, params)
        cursor.execute(LINES_SQL, params)
        print(f"  {cursor.rowcount:,} basket lines", flush=True)
        SegmentSnapshot.objects.bulk_create(
            SegmentSnapshot(
                category=category, window_start=PERIOD - dt.timedelta(days=364), window_end=PERIOD
            )
            for category in categories
        )
        cursor.execute(SNAPSHOT_MEMBERS_SQL, params)
        cursor.execute("ANALYZE")
    agreements = [
        ManufacturerAgreement.objects.create(
            manufacturer=maker,
            name=f"Bench agreement {i}",
            manufacturer_share_pct=Decimal(50),
            budget_cap=Decimal(int(rng.integers(300, 1500))),
            valid_from=dt.date(2026, 1, 1),
            valid_until=dt.date(2026, 12, 31),
            reporting_included=True,
        )
        for i in range(5)
    ]
    campaigns = Campaign.objects.bulk_create(
        Campaign(
            name=f"Bench campaign {i}",
            goal="convert",
            category=categories[i % CATEGORIES],
            target_cells=list(rng.choice(CELLS, size=int(rng.integers(4, 8)), replace=False)),
            valid_from=PERIOD - dt.timedelta(days=7),
            valid_until=PERIOD + dt.timedelta(days=60),
            budget=Decimal(int(rng.integers(200, 3000))),
            holdout_pct=Decimal(10),
            holdout_seed=int(rng.integers(0, 2**31)),
            agreement=agreements[i % 5] if i % 10 == 0 else None,
            status=CampaignStatus.ACTIVE,
        )
        for i in range(CAMPAIGNS)
    )
    # Deeper offers for heavier tiers: $0.50-1.50 a tier step off, or 5-15 % a tier step.
    offers = []
    for campaign in campaigns:
        brand_type = ["store", "national"][int(rng.integers(0, 2))]
        percent = bool(rng.integers(0, 2))
        for tier in (1, 2, 3):
            step = int(rng.integers(1, 4))
            offers.append(
                Offer(
                    campaign=campaign,
                    usage_tier=tier,
                    applies_to="brand_type",
                    brand_type=brand_type,
                    discount_kind="percent" if percent else "amount",
                    discount_value=Decimal(5 * step * tier)
                    if percent
                    else Decimal(step * tier) / 2,
                    shopper_text="Bench offer",
                )
            )
    Offer.objects.bulk_create(offers)
    for campaign in campaigns:
        campaign_audience_persist(campaign=campaign)
    buy_probabilities_ensure(period_start=PERIOD, lo=0, hi=2**62)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")


def score_chunk(members: list[int]) -> int:
    """One chunk of phase one in its own transaction (a worker process's unit)."""
    with transaction.atomic():
        return allocation_score(period_start=PERIOD, members=members)


# Per campaign, the discount money allocation committed (expected cost of what it gave);
# the peer gives each campaign's offer to its scored, treated audience members in a random
# order until the same money is spent. Both read the model's probabilities.
PEER_SQL = """
WITH alloc AS (
    SELECT campaign_id, sum(probability * unit_cost) AS money
    FROM campaigns_allocation
    WHERE period_start = %(start)s AND outcome = 'given' GROUP BY campaign_id
), shuffled AS (
    SELECT a.campaign_id, a.probability, a.probability * a.unit_cost AS cost, a.value,
           sum(a.probability * a.unit_cost) OVER (
               PARTITION BY a.campaign_id
               ORDER BY md5(a.member_id || ':' || a.campaign_id || 'peer')
               ROWS UNBOUNDED PRECEDING) AS running
    FROM campaigns_candidate a
    WHERE a.period_start = %(start)s AND NOT a.holdout AND a.outcome <> 'limit'
)
SELECT 'random' AS who, count(*), sum(s.probability), sum(s.cost), sum(s.value)
FROM shuffled s JOIN alloc USING (campaign_id) WHERE s.running <= alloc.money
UNION ALL
SELECT 'allocation', count(*), sum(probability), sum(probability * unit_cost), sum(value)
FROM campaigns_allocation WHERE period_start = %(start)s AND outcome = 'given'
"""


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--members", type=int, default=100_000)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--chunk-size", type=int, default=2000)
    parser.add_argument("--seed", type=int, default=18)
    args = parser.parse_args()

    if Campaign.objects.filter(name__startswith="Bench campaign").count() < CAMPAIGNS:
        started = time.perf_counter()
        build(args.members, args.seed)
        print(f"chain built in {time.perf_counter() - started:.0f} s")
    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM campaigns_allocation WHERE period_start = %s", [PERIOD])
        cursor.execute("DELETE FROM campaigns_candidate WHERE period_start = %s", [PERIOD])
        cursor.execute("DELETE FROM campaigns_eligiblemember WHERE period_start = %s", [PERIOD])
        cursor.execute(
            f"SELECT member_id FROM ({ELIGIBLE_SQL}) e ORDER BY member_id",
            {
                "lo": 0,
                "hi": 2**62,
                **eligibility_params(period_start=PERIOD, eligibility=Eligibility()),
            },
        )
        eligible = [row[0] for row in cursor.fetchall()]
        cursor.execute("VACUUM ANALYZE campaigns_allocation")
        cursor.execute("VACUUM ANALYZE campaigns_candidate")
    members = Member.objects.count()
    chunks = [eligible[i : i + args.chunk_size] for i in range(0, len(eligible), args.chunk_size)]

    connections.close_all()  # each forked process opens its own connection
    started = time.perf_counter()
    with multiprocessing.get_context("fork").Pool(args.workers) as pool:
        rows = sum(pool.map(score_chunk, chunks, chunksize=1))
    phase_one = time.perf_counter() - started

    rules = AllocationRules()
    started = time.perf_counter()
    with transaction.atomic():
        outcomes = allocation_decide(period_start=PERIOD, rules=rules)
    phase_two = time.perf_counter() - started
    total = phase_one + phase_two

    per_member = rows / max(len(eligible), 1)
    print(f"members {members:,}, eligible {len(eligible):,}, campaigns {CAMPAIGNS}, "
          f"candidates {rows:,} ({per_member:.1f} per eligible member)")  # fmt: skip
    print(f"phase one (score, {args.workers} processes, {len(chunks)} chunks): {phase_one:6.1f} s")
    print(f"phase two (decide):{'':>29}{phase_two:6.1f} s")
    verdict = "within" if total <= GOAL_SECONDS else "OVER"
    print(f"allocation total: {total:.1f} s ({verdict} the goal of {GOAL_SECONDS} s)")
    print("outcomes: " + ", ".join(f"{k} {v:,}" for k, v in sorted(outcomes.items())))

    with connection.cursor() as cursor:
        cursor.execute(PEER_SQL, {"start": PERIOD})
        figures = {row[0]: row[1:] for row in cursor.fetchall()}
    head = ("same money per campaign", "offers", "exp. redemptions", "discount $")
    print(f"\n{head[0]:<24} {head[1]:>9} {head[2]:>17} {head[3]:>11} "
          f"{'redempt./$':>10} {'redempt./offer':>14} {'net sales/$':>11}")  # fmt: skip
    for who in ("allocation", "random"):
        offers, redemptions, cost, value = figures[who]
        ratios = (redemptions / cost, redemptions / offers, value / cost)
        print(f"{who:<24} {offers:>9,} {redemptions:>17,.0f} {cost:>11,.0f} "
              f"{ratios[0]:>10.3f} {ratios[1]:>14.3f} {ratios[2]:>11.2f}")  # fmt: skip


if __name__ == "__main__":
    main()

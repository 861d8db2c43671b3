"""Benchmark the cashier lookup on 100,000 members: p50/p95/p99 server time per kind of query.

    DEBUG=1 .venv/bin/python bench/bench_lookup.py [--members 100000] [--runs 200] [--lines]

Uses the scratch database DATABASE_URL points at (bench/_setup.py), migrates it,
and fills it with set-based SQL (generate_series) when it holds fewer members than asked.
`--lines` also writes basket lines for the first members (for the member page and demos).
Time is measured around Django's test Client (middleware, session, view, template), i.e.
server time without the network. The plans of the lookup queries are printed with EXPLAIN
ANALYZE so that index use can be checked.
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _setup import bench_setup  # noqa: E402

bench_setup()

from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext, override_settings  # noqa: E402
from django.urls import reverse  # noqa: E402

from apps.accounts.models import Role, User  # noqa: E402
from apps.members.models import Member  # noqa: E402

FIRST_NAMES = [
    "Anna", "James", "Maria", "Robert", "Linda", "Michael", "Emma", "David", "Olivia", "John",
    "Sophia", "William", "Ava", "Richard", "Mia", "Joseph", "Isabella", "Thomas", "Grace",
    "Daniel", "Chloe", "Matthew", "Lily", "Andrew", "Zoe", "Ethan", "Nora", "Lucas", "Ruth",
    "Henry", "Alice", "Samuel", "Clara", "Peter", "Ella", "Paul", "Hannah", "Mark", "Julia",
    "Oscar",
]  # fmt: skip
LAST_NAMES = [
    "Smith", "Johnson", "Williams", "Brown", "Jones", "Garcia", "Miller", "Davis", "Rodriguez",
    "Martinez", "Hernandez", "Lopez", "Gonzalez", "Wilson", "Anderson", "Thomas", "Taylor",
    "Moore", "Jackson", "Martin", "Lee", "Perez", "Thompson", "White", "Harris", "Sanchez",
    "Clark", "Ramirez", "Lewis", "Robinson", "Walker", "Young", "Allen", "King", "Wright",
    "Scott", "Torres", "Nguyen", "Hill", "Flores", "Green", "Adams", "Nelson", "Baker", "Hall",
    "Rivera", "Campbell", "Mitchell", "Carter", "Roberts", "Kowalski", "Okafor", "Lindqvist",
    "Dubois", "Rossi", "Novak", "Yamamoto", "O'Brien", "McAllister", "Van der Berg",
]  # fmt: skip
CATEGORIES = [
    ("Dairy", "Milk"), ("Dairy", "Yogurt"), ("Dairy", "Cheese"), ("Bakery", "Bread"),
    ("Produce", "Fruit"), ("Produce", "Vegetables"), ("Grocery", "Cereal"), ("Grocery", "Pasta"),
    ("Grocery", "Coffee"), ("Grocery", "Ketchup"), ("Beverages", "Soft drinks"),
    ("Household", "Detergent"),
]  # fmt: skip


def _seed_catalog() -> None:
    with connection.cursor() as cur:
        cur.execute(
            "INSERT INTO catalog_manufacturer (code, name) VALUES "
            "('STORE', 'Our Store Brand'), ('ACME', 'Acme Foods'), ('BOLT', 'Bolt Brands') "
            "ON CONFLICT (code) DO NOTHING"
        )
        for department, name in CATEGORIES:
            cur.execute(
                "INSERT INTO catalog_category (name, department) VALUES (%s, %s) "
                "ON CONFLICT (name) DO NOTHING",
                [name, department],
            )
        # Five products per category: three national brands, two store brands.
        cur.execute(
            """
            INSERT INTO catalog_product (upc, name, category_id, brand, brand_type,
                                         manufacturer_id, price)
            SELECT lpad((c.id * 100 + g)::text, 12, '0'),
                   CASE WHEN g <= 3 THEN (ARRAY['Acme','Bolt','Acme'])[g] ELSE 'Store' END
                     || ' ' || c.name || ' ' || g,
                   c.id,
                   CASE WHEN g <= 3 THEN (ARRAY['Acme','Bolt','Acme'])[g] ELSE 'Store' END,
                   CASE WHEN g <= 3 THEN 'national' ELSE 'store' END,
                   (SELECT id FROM catalog_manufacturer WHERE code =
                      CASE WHEN g <= 3 THEN (ARRAY['ACME','BOLT','ACME'])[g] ELSE 'STORE' END),
                   round((1 + (c.id * 7 + g * 3) % 9 + 0.49)::numeric, 2)
            FROM catalog_category c CROSS JOIN generate_series(1, 5) g
            ON CONFLICT (upc) DO NOTHING
            """
        )
        cur.execute(
            "INSERT INTO baskets_store (code, name, city) SELECT 'S' || lpad(g::text, 2, '0'), "
            "(ARRAY['Downtown','Riverside','Northgate','Lakeview','Westfield','Old Town',"
            "'Hillcrest','Southpark'])[g], 'Springfield' FROM generate_series(1, 8) g "
            "ON CONFLICT (code) DO NOTHING"
        )


def seed(*, members: int, baskets_per_member: int, lines: bool) -> None:
    """Fill the database with `members` members and their baskets, set-based."""
    started = time.perf_counter()
    _seed_catalog()
    with connection.cursor() as cur:
        cur.execute("SELECT count(*) FROM members_member WHERE card_number LIKE '4%%'")
        offset = cur.fetchone()[0]
        cur.execute("SELECT count(*) FROM baskets_basket WHERE basket_id LIKE 'BENCH%%'")
        have_baskets = cur.fetchone()[0]
        cur.execute("SELECT count(*) FROM baskets_basketline")
        have_lines = cur.fetchone()[0]
        if offset >= members and have_baskets and (have_lines or not lines):
            print(f"database already holds {offset} members")
            return
        cur.execute(
            """
            INSERT INTO members_member (card_number, first_name, last_name, email, phone,
                postal_code, joined_on, household_size, children, consent_list, status,
                created_at, updated_at)
            SELECT '4' || lpad(i::text, 11, '0'), f, l,
                   lower(f) || '.' || lower(replace(replace(l, '''', ''), ' ', '')) || i
                     || '@example.com',
                   CASE WHEN i %% 4 = 0 THEN '+1 555-' || substr(d, 1, 3) || '-' || substr(d, 4)
                        ELSE '(555) ' || substr(d, 1, 3) || '-' || substr(d, 4) END,
                   lpad((50000 + (i * 37) %% 900)::text, 5, '0'),
                   date '2014-01-01' + (i * 7919) %% 4000,
                   1 + i %% 5, i %% 3, i %% 9 <> 0,
                   CASE WHEN i %% 50 = 0 THEN 'closed' ELSE 'active' END,
                   now(), now()
            FROM generate_series(%(start)s::int, %(stop)s::int) i,
                 LATERAL (SELECT lpad(i::text, 7, '0') AS d,
                                 (%(firsts)s::text[])[1 + (i * 7) %% %(nf)s] AS f,
                                 (%(lasts)s::text[])[1 + (i * 13) %% %(nl)s] AS l) x
            """,
            {
                "start": offset + 1,  # an empty series when the members exist
                "stop": members,
                "firsts": FIRST_NAMES,
                "lasts": LAST_NAMES,
                "nf": len(FIRST_NAMES),
                "nl": len(LAST_NAMES),
            },
        )
        # Baskets over the last two years, about `baskets_per_member` per member.
        cur.execute(
            """
            INSERT INTO baskets_basket (basket_id, member_id, owner_id, store_id, purchased_at,
                total_amount, total_discount, line_count, source, loaded_at)
            SELECT 'BENCH' || g, m.id, m.id, s.ids[1 + g %% array_length(s.ids, 1)],
                   now() - (random() * interval '730 days'),
                   round((5 + random() * 120)::numeric, 2), 0, 1 + g %% 8, 'import', now()
            FROM generate_series(1, %(n)s) g
            JOIN members_member m ON m.card_number = '4' || lpad((1 + (g::bigint * 7919) %% %(members)s)::text, 11, '0')
            CROSS JOIN (SELECT array_agg(id ORDER BY id) ids FROM baskets_store) s
            ON CONFLICT (basket_id) DO NOTHING
            """,  # noqa: E501
            {"n": 0 if have_baskets else members * baskets_per_member, "members": members},
        )
        if lines and not have_lines:
            # Lines for the first 3,000 cards' baskets; their totals are then made to agree.
            cur.execute(
                """
                WITH b AS (
                  SELECT b.id, b.member_id, b.purchased_at, b.line_count FROM baskets_basket b
                  JOIN members_member m ON m.id = b.member_id
                  WHERE m.card_number <= '400000003000'
                ), p AS (SELECT array_agg(id ORDER BY id) ids, array_agg(price ORDER BY id) prices
                         FROM catalog_product)
                INSERT INTO baskets_basketline (basket_id, product_id, member_id, owner_id,
                    purchased_at, quantity, amount, discount)
                SELECT b.id, p.ids[k], b.member_id, b.owner_id, b.purchased_at, q,
                       p.prices[k] * q - disc, disc
                FROM b CROSS JOIN p CROSS JOIN LATERAL generate_series(1, b.line_count) n
                CROSS JOIN LATERAL (SELECT
                    1 + ((b.id * 31 + n * 17 + b.member_id * (n % 3)) % array_length(p.ids, 1)) k,
                    (1 + (b.id + n) % 3)::numeric q,
                    CASE WHEN (b.id + n) % 11 = 0 THEN 0.50 ELSE 0 END disc) x
                """  # noqa: E501
            )
            cur.execute(
                """
                UPDATE baskets_basket b SET total_amount = t.amount, total_discount = t.discount
                FROM (SELECT basket_id, sum(amount) amount, sum(discount) discount
                      FROM baskets_basketline GROUP BY basket_id) t
                WHERE t.basket_id = b.id
                """
            )
        cur.execute("ANALYZE members_member; ANALYZE baskets_basket; ANALYZE baskets_basketline")
    print(f"seeded to {members} members in {time.perf_counter() - started:.1f} s")


def _percentile(values: list[float], q: float) -> float:
    return statistics.quantiles(values, n=100, method="inclusive")[q - 1]


def _queries(kind: str, count: int, rng: random.Random, members: int) -> list[str]:
    if kind == "card":
        return [f"4{rng.randint(1, members):011d}" for _ in range(count)]
    if kind == "phone":  # typed with other punctuation than stored
        return [_phone_query(rng.randint(1, members)) for _ in range(count)]
    if kind == "last name prefix":
        return [rng.choice(LAST_NAMES)[: rng.randint(3, 6)] for _ in range(count)]
    if kind == "first last prefix":
        return [
            f"{rng.choice(FIRST_NAMES)} {rng.choice(LAST_NAMES)[:3]}".lower() for _ in range(count)
        ]
    if kind == "miss":
        return [f"9{rng.randint(1, 10**10):011d}" for _ in range(count)]
    raise ValueError(kind)


def _phone_query(number: int) -> str:
    digits = f"{number:07d}"
    return f"555.{digits[:3]}.{digits[3:]}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--members", type=int, default=100_000)
    parser.add_argument("--baskets-per-member", type=int, default=5)
    parser.add_argument("--runs", type=int, default=200, help="lookups per kind")
    parser.add_argument("--lines", action="store_true", help="also write basket lines")
    parser.add_argument("--seed-only", action="store_true")
    args = parser.parse_args()

    seed(members=args.members, baskets_per_member=args.baskets_per_member, lines=args.lines)
    if args.seed_only:
        return
    members = Member.objects.count()

    # One cashier typing hundreds of lookups a minute would meet the lookup limits (429):
    # the limits' own statement still runs, with windows too wide to close.
    unlimited = override_settings(LOOKUP_NAME_RATES=["1000000/m"], LOOKUP_SCAN_RATES=["1000000/m"])
    unlimited.enable()
    user, _ = User.objects.get_or_create(username="bench-cashier", defaults={"role": Role.CASHIER})
    client = Client(HTTP_HOST="localhost")
    client.force_login(user)
    url = reverse("members:lookup")
    rng = random.Random(42)
    kinds = ["card", "phone", "last name prefix", "first last prefix", "miss"]

    print(f"\n{members} members; {args.runs} lookups per kind (server time, ms)")
    print(f"{'kind':<20}{'p50':>8}{'p95':>8}{'p99':>8}{'max':>8}  queries")
    for kind in kinds:
        queries = _queries(kind, args.runs, rng, members)
        for q in queries[:10]:  # warm up caches and the connection
            client.get(url, {"q": q})
        timings = []
        for q in queries:
            started = time.perf_counter()
            response = client.get(url, {"q": q})
            timings.append((time.perf_counter() - started) * 1000)
            assert response.status_code == 200, response.status_code
        with CaptureQueriesContext(connection) as captured:
            client.get(url, {"q": queries[0]})
        print(
            f"{kind:<20}{_percentile(timings, 50):>8.2f}{_percentile(timings, 95):>8.2f}"
            f"{_percentile(timings, 99):>8.2f}{max(timings):>8.2f}  {len(captured)}"
        )
        connection.queries_log.clear()

    print("\nPlans of the lookup queries (EXPLAIN ANALYZE):")
    samples = {
        "card": "400000012345",
        "phone": "555.001.2345",
        "last name prefix": "Kowal",
        "first last prefix": "anna sm",
    }
    for kind, q in samples.items():
        with CaptureQueriesContext(connection) as captured:
            client.get(url, {"q": q})
        lookups = [c["sql"] for c in captured if 'FROM "members_member"' in c["sql"]]
        with connection.cursor() as cur:
            for sql in lookups[-1:]:
                cur.execute("EXPLAIN (ANALYZE, COSTS OFF, SUMMARY ON) " + sql)
                print(f"\n-- {kind}: {q!r}")
                print("\n".join(row[0] for row in cur.fetchall()))


if __name__ == "__main__":
    main()

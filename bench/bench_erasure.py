"""Benchmark the erasure: erase_members over 10,000 ids of a 100,000-member chain.

    DATABASE_URL=postgres://…/scratch .venv/bin/python bench/bench_erasure.py \
        [--members 100000] [--erase 10000] [--events 1000000]

Fills the scratch database (bench/_setup.py) with set-based SQL when it holds fewer members
than asked: members with names, e-mails and phones, two lists each, a basket each, a lot of
points each, and `--events` audit events (lookups naming a card, member pages by path).
Then erases `--erase` members in one call, the way the nightly retention hands it a chunk,
and rolls back, so it can be run again. Prints the time of each statement group.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _setup import bench_setup  # noqa: E402

bench_setup()

from django.db import connection, transaction  # noqa: E402

from apps.rights.erasure import erase_members  # noqa: E402

FILL = """
INSERT INTO members_member (card_number, first_name, last_name, email, phone, postal_code,
                            status, created_at, updated_at)
SELECT (7000000000 + g)::text, 'First' || g, 'Last' || g, 'm' || g || '@example.test',
       '(555) ' || lpad((g %% 10000)::text, 4, '0') || '-' || lpad(g::text, 6, '0'),
       '5' || lpad((g %% 1000)::text, 4, '0'), 'active', now(), now()
FROM generate_series(%(have)s::int + 1, %(members)s::int) g;

INSERT INTO baskets_store (code, name, city) VALUES ('B1', 'Bench store', '')
ON CONFLICT DO NOTHING;

INSERT INTO baskets_basket (basket_id, member_id, owner_id, store_id, purchased_at, source,
                            total_amount, total_discount, line_count, loaded_at)
SELECT 'EB' || m.id, m.id, m.id, (SELECT id FROM baskets_store WHERE code = 'B1'), now(), 'import',
       10, 0, 1, now()
FROM members_member m WHERE m.card_number LIKE '7%%'
ON CONFLICT DO NOTHING;

INSERT INTO lists_shoppinglist (member_id, period_start, period_end, barcode, spend,
                                created_at, version)
SELECT m.id, d, d + 14, '99' || to_char(d, 'YYMMDD') || lpad(m.id::text, 10, '0'), 0, now(), 1
FROM members_member m
CROSS JOIN (VALUES ('2026-11-09'::date), ('2026-11-23'::date)) p(d)
WHERE m.card_number LIKE '7%%'
ON CONFLICT DO NOTHING;

INSERT INTO rewards_pointsentry (member_id, kind, points, key, created_at, valid_until, reason)
SELECT m.id, 'bonus', 100, 'bench-erasure:' || m.id, now(), current_date + 300, ''
FROM members_member m WHERE m.card_number LIKE '7%%'
ON CONFLICT DO NOTHING;

INSERT INTO rewards_pointsbalance (member_id, points, updated_at)
SELECT m.id, 100, now() FROM members_member m WHERE m.card_number LIKE '7%%'
ON CONFLICT DO NOTHING;
"""

EVENTS = """
INSERT INTO audit_auditevent (at, kind, actor_name, path, query, object_type, object_id,
                              row_count, detail)
SELECT now(), CASE WHEN g %% 2 = 0 THEN 'lookup' ELSE 'member_view' END, 'cashier',
       CASE WHEN g %% 2 = 0 THEN '/members/lookup/' ELSE '/members/' || m.card_number || '/' END,
       '', 'member', m.card_number, 1,
       jsonb_build_object('kind', 'card', 'cards', jsonb_build_array(m.card_number),
                          'code', m.card_number)
FROM generate_series(1, %(events)s) g
JOIN members_member m ON m.card_number = (7000000000 + 1 + g %% %(members)s)::text
"""


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--members", type=int, default=100_000)
    parser.add_argument("--erase", type=int, default=10_000)
    parser.add_argument("--events", type=int, default=1_000_000)
    args = parser.parse_args()
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM members_member WHERE card_number LIKE '7%%'")
        have = cursor.fetchone()[0]
        if have < args.members:
            started = time.perf_counter()
            cursor.execute(FILL, {"have": have, "members": args.members})
            cursor.execute("SELECT count(*) FROM audit_auditevent")
            if cursor.fetchone()[0] < args.events:
                cursor.execute(EVENTS, {"events": args.events, "members": args.members})
            cursor.execute("ANALYZE")
            print(f"filled in {time.perf_counter() - started:.1f} s")
        cursor.execute(
            "SELECT id FROM members_member WHERE card_number LIKE '7%%' AND status = 'active' "
            "ORDER BY id LIMIT %s",
            [args.erase],
        )
        ids = [row[0] for row in cursor.fetchall()]
    timings: list[tuple[str, float]] = []

    def traced(execute, sql, params, many, context):
        started = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            timings.append((" ".join(sql.split())[:60], time.perf_counter() - started))

    started = time.perf_counter()
    with transaction.atomic(), connection.execute_wrapper(traced):
        erased = erase_members(ids, reason="retention", reference="BENCH")
        seconds = time.perf_counter() - started
        transaction.set_rollback(True)
    print(f"erased {erased:,} of {args.members:,} members in {seconds:.2f} s (rolled back)")
    for label, spent in sorted(timings, key=lambda t: -t[1])[:12]:
        print(f"  {spent:7.2f} s  {label}")


if __name__ == "__main__":
    main()

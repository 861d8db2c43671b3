"""Check the ledger against itself: what `rewards_verify` runs, and what tests assert.

- every member's balance equals the sum of their entries;
- no lot gives more than it holds, and no negative entry takes more than it needs;
- a lot is used only by entries of its own member, and the use repeats that member;
- every lot use names a lot and a consumer that exist (no foreign key checks it: see
  `LotUse`).
"""

from __future__ import annotations

from django.db import connection

CHECKS = {
    "balance differs from the ledger": """
        SELECT coalesce(b.member_id, s.member_id), coalesce(b.points, 0), coalesce(s.total, 0)
        FROM rewards_pointsbalance b
        FULL JOIN (
            SELECT member_id, sum(points) AS total FROM rewards_pointsentry GROUP BY member_id
        ) s ON s.member_id = b.member_id
        WHERE coalesce(b.points, 0) <> coalesce(s.total, 0)
    """,
    "lot used beyond its points": """
        SELECT e.member_id, e.id, sum(u.points) FROM rewards_pointsentry e
        JOIN rewards_lotuse u ON u.lot_id = e.id
        GROUP BY e.member_id, e.id, e.points HAVING sum(u.points) > e.points
    """,
    "entry covered beyond its points": """
        SELECT e.member_id, e.id, sum(u.points) FROM rewards_pointsentry e
        JOIN rewards_lotuse u ON u.consumer_id = e.id
        GROUP BY e.member_id, e.id, e.points HAVING sum(u.points) > -e.points
    """,
    "lot used by another member": """
        SELECT c.member_id, c.id, l.id FROM rewards_lotuse u
        JOIN rewards_pointsentry c ON c.id = u.consumer_id
        JOIN rewards_pointsentry l ON l.id = u.lot_id
        WHERE c.member_id <> l.member_id OR u.member_id <> c.member_id
           OR c.points > 0 OR l.points < 0
    """,
    "lot use of a missing entry": """
        SELECT u.consumer_id, u.lot_id FROM rewards_lotuse u
        WHERE NOT EXISTS (SELECT 1 FROM rewards_pointsentry c WHERE c.id = u.consumer_id)
           OR NOT EXISTS (SELECT 1 FROM rewards_pointsentry l WHERE l.id = u.lot_id)
    """,
}


def ledger_problems(limit: int = 20) -> dict[str, list[tuple]]:
    """Return each failed check with up to `limit` of its rows (empty: all is well)."""
    found = {}
    with connection.cursor() as cursor:
        for name, sql in CHECKS.items():
            cursor.execute(f"{sql} LIMIT {int(limit)}")
            rows = cursor.fetchall()
            if rows:
                found[name] = rows
    return found

"""Check the ledger against itself: what `rewards_verify` runs, and what tests assert.

- every member's balance equals the sum of their entries;
- no lot gives more than it holds, and no negative entry takes more than it needs;
- every lot use names a lot and a consumer that exist and are entries of the member the
  use names (no foreign key checks it: see `LotUse`), so a lot is used only by entries of
  its own member;
- a use takes from a lot (positive) for a consumer (negative).
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
        JOIN rewards_lotuse u ON u.member_id = e.member_id AND u.lot_id = e.id
        GROUP BY e.member_id, e.id, e.points HAVING sum(u.points) > e.points
    """,
    "entry covered beyond its points": """
        SELECT e.member_id, e.id, sum(u.points) FROM rewards_pointsentry e
        JOIN rewards_lotuse u ON u.member_id = e.member_id AND u.consumer_id = e.id
        GROUP BY e.member_id, e.id, e.points HAVING sum(u.points) > -e.points
    """,
    # Within the use's member: a consumer or lot that is missing, or is another member's
    # entry, is not found here (and on Citus the check stays on each member's shard).
    "lot use of an entry the member does not have": """
        SELECT u.member_id, u.consumer_id, u.lot_id FROM rewards_lotuse u
        LEFT JOIN rewards_pointsentry c ON c.member_id = u.member_id AND c.id = u.consumer_id
        LEFT JOIN rewards_pointsentry l ON l.member_id = u.member_id AND l.id = u.lot_id
        WHERE c.id IS NULL OR l.id IS NULL
    """,
    "lot use the wrong way round": """
        SELECT u.member_id, c.id, l.id FROM rewards_lotuse u
        JOIN rewards_pointsentry c ON c.member_id = u.member_id AND c.id = u.consumer_id
        JOIN rewards_pointsentry l ON l.member_id = u.member_id AND l.id = u.lot_id
        WHERE c.points > 0 OR l.points < 0
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

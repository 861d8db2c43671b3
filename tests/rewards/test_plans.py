"""The ledger's reads of one member's lots go through indexes, not over the whole table.

Each till movement and each cashier lookup reads a member's lots: what expires soon, the
lapsed lots a movement checks first, the lots a spend takes and what they have left. On
the 52-week demo (a year of backfilled points) the member's lots and their uses are a few
among millions; the test tables are tiny, so the scans that need no index condition are
switched off (tests/plans.py) to see which index each read fits.
"""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.db import connection
from django.utils import timezone

from apps.core.citus import is_citus
from apps.rewards.ledger import LAPSED_SQL, LOTS_SQL, OWED_SQL, Movement, entry_record
from apps.rewards.selectors import EXPIRING_DAYS, EXPIRING_SQL
from tests.factories import MemberFactory
from tests.plans import plans_without


@pytest.fixture
def member(db):
    member = MemberFactory()
    for n, points in enumerate((100, 50, -30)):
        entry_record(Movement(member_id=member.pk, kind="adjust", points=points, key=f"k{n}"))
    return member


def plan(sql: str, params: dict) -> str:
    """The statement's plan; on a cluster, also that it goes to the member's shard alone."""
    with connection.cursor() as cursor:
        cursor.execute(f"EXPLAIN {sql}", params)
        text = "\n".join(row[0] for row in cursor.fetchall())
    if is_citus(connection):
        # The member is named in each LATERAL as well as joined: Citus then routes the
        # statement to one shard (joined only, it asked all of them).
        assert "Task Count: 1" in text, text
    return text


def looked_up_by(column: str, text: str) -> bool:
    """Whether a scan of the plan finds rows by `column = e.id` (an index condition)."""
    return re.search(rf"Index Cond: \(+{column} = e\.id\)", text) is not None


def test_the_lots_a_spend_takes_sum_their_uses_through_an_index(member):
    plans_without("seqscan")
    today = timezone.localdate()
    lots = plan(LOTS_SQL, {"member": member.pk, "prefer": 0, "day": today})
    owed = plan(OWED_SQL, {"member": member.pk})
    # Each lot's (each debt's) uses looked up by its id; a grouped subquery of the
    # member's uses has no index starting with the member, and reads all the uses.
    assert looked_up_by("lot_id", lots), lots
    assert looked_up_by("consumer_id", owed), owed


def test_expiring_and_lapsed_lots_are_read_by_member_and_last_day(member):
    plans_without("seqscan")
    today = timezone.localdate()
    expiring = plan(
        EXPIRING_SQL,
        {"member": member.pk, "today": today, "until": today + dt.timedelta(days=EXPIRING_DAYS)},
    )
    lapsed = plan(LAPSED_SQL, {"member": member.pk, "today": today, "since": None, "after_id": 0})
    assert "points_member_lot" in expiring, expiring
    assert "points_member_lot" in lapsed, lapsed

"""Bonus points of campaign offers: given with the redemption at the till, taken back when
a return undoes it.

A bonus-points offer (campaigns: discount kind "points") is allocated, limited and funded
like any other; at the till its redemption gives the points as a `bonus` lot (key: the
redemption, so once), and a return that leaves the kept goods short of the offer's minimum
reverses the redemption and takes the points back (key: the redemption again), from that
lot first. Bonus points are not multiplied by the tier: the campaign paid for exactly them.
"""

from __future__ import annotations

import datetime as dt

from apps.rewards.ledger import Movement, entry_record
from apps.rewards.models import EntryKind, PointsEntry


def bonus_points_give(
    *, member_id: int, basket_id: int, bonuses: list[tuple[int, int]], at: dt.datetime
) -> tuple[int, int | None]:
    """Give each (redemption id, points) its lot; return (points given, balance after)."""
    given, balance = 0, None
    for redemption_id, points in bonuses:
        entry_id, balance = entry_record(
            Movement(
                member_id=member_id,
                kind=EntryKind.BONUS,
                points=points,
                key=f"bonus:{redemption_id}",
                at=at,
                basket_id=basket_id,
            )  # fmt: skip
        )
        given += points if entry_id is not None else 0
    return given, balance


def bonus_points_take_back(
    *, member_id: int, basket_id: int, redemption_ids: list[int], at: dt.datetime
) -> tuple[int, int | None]:
    """Take back the bonus lots of the reversed redemptions; return (points, balance)."""
    taken, balance = 0, None
    lots = PointsEntry.objects.filter(
        member_id=member_id, key__in=[f"bonus:{pk}" for pk in redemption_ids]
    )
    for lot in lots.order_by("pk"):
        entry_id, balance = entry_record(
            Movement(
                member_id=member_id,
                kind=EntryKind.REVERSE,
                points=-lot.points,
                key=f"bonus-back:{lot.key.removeprefix('bonus:')}",
                at=at,
                basket_id=basket_id,
                reverses_id=lot.pk,
                prefer_lot=lot.pk,
            )  # fmt: skip
        )
        taken += lot.points if entry_id is not None else 0
    return taken, balance

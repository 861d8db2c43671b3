"""The nightly expiry looks only at lots that can have lapsed since its previous run.

Lots are written straight through the ledger (`entry_record`) with the last days each
test names; what each run must expire is worked out from those days by hand.
"""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest

from apps.rewards.expiry import points_expire
from apps.rewards.ledger import Movement, entry_record
from apps.rewards.models import EntryKind, ExpiryRun, PointsBalance, PointsEntry
from apps.rewards.verify import ledger_problems
from tests.factories import MemberFactory

CHICAGO = ZoneInfo("America/Chicago")


def lot(member, points: int, *, last_day: dt.date, key: str) -> None:
    entry_record(
        Movement(
            member_id=member.pk,
            kind=EntryKind.IMPORT,
            points=points,
            key=key,
            at=dt.datetime(2026, 1, 5, 12, tzinfo=CHICAGO),
            valid_until=last_day,
        )  # fmt: skip
    )


@pytest.fixture
def member(db, settings):
    settings.TIME_ZONE = "America/Chicago"
    return MemberFactory()


def test_each_run_is_recorded_and_a_second_run_of_the_day_adds_nothing(member):
    lot(member, 30, last_day=dt.date(2026, 3, 1), key="a")
    lot(member, 50, last_day=dt.date(2026, 3, 9), key="b")
    assert points_expire(today=dt.date(2026, 3, 5)) == (1, 30)
    assert points_expire(today=dt.date(2026, 3, 5)) == (0, 0)
    run = ExpiryRun.objects.get(day=dt.date(2026, 3, 5))
    assert (run.lots, run.points) == (1, 30)
    # Where the second run began: after the first run's expiry entry.
    assert run.last_entry_id == PointsEntry.objects.get(kind=EntryKind.EXPIRE).pk
    assert points_expire(today=dt.date(2026, 3, 10)) == (1, 50)
    assert PointsBalance.objects.get(member=member).points == 0
    assert ledger_problems() == {}


def test_a_lot_written_after_a_run_with_a_past_last_day_is_still_expired(member):
    """Its last day (Feb 20) is before the previous run's day (Mar 5), but it was written
    after that run began: the next run finds it by its id."""
    lot(member, 30, last_day=dt.date(2026, 3, 1), key="a")
    assert points_expire(today=dt.date(2026, 3, 5)) == (1, 30)
    lot(member, 70, last_day=dt.date(2026, 2, 20), key="late")
    assert points_expire(today=dt.date(2026, 3, 6)) == (1, 70)
    assert PointsBalance.objects.get(member=member).points == 0


def test_a_run_for_an_earlier_day_bounds_by_the_runs_before_it(member):
    lot(member, 30, last_day=dt.date(2026, 3, 1), key="a")
    lot(member, 40, last_day=dt.date(2026, 3, 3), key="b")
    assert points_expire(today=dt.date(2026, 3, 10)) == (2, 70)
    # Nothing is left to expire on an earlier day either, and its run is recorded apart.
    assert points_expire(today=dt.date(2026, 3, 4)) == (0, 0)
    assert sorted(ExpiryRun.objects.values_list("day", flat=True)) == [
        dt.date(2026, 3, 4),
        dt.date(2026, 3, 10),
    ]

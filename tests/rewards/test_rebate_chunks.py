"""The rebate in chunks: on two connections at once, resumed after an interruption, and
refused to a second call while one runs.

The figures are the hand-worked ones of tests/rewards/test_rebate.py's four members (Ann
2 certificates and 150 kept, Cy 1 and 500 kept, Bob 499 and Dee -200 untouched).
"""

from __future__ import annotations

import datetime as dt

import psycopg
import pytest
from django.db import connection

from apps.rewards.models import PointsEntry, RebateCertificate, RebateRun
from apps.rewards.rebate import (
    ADVISORY_LOCK_SQL,
    CLAIM_SQL,
    _chunk_params,
    rebate_convert,
    rebate_convert_chunk,
)
from apps.rewards.verify import ledger_problems
from tests.rewards.test_rebate import JAN_5, balance, members, programme  # noqa: F401

pytestmark = [pytest.mark.usefixtures("programme")]


def held(members) -> tuple[int, int, int, int]:  # noqa: F811
    return tuple(balance(members[k]) for k in ("ann", "bob", "cy", "dee"))


@pytest.mark.django_db(transaction=True)
def test_two_connections_convert_what_one_would(members):  # noqa: F811
    run = rebate_convert(2026, at=JAN_5, workers=2)

    assert run["created"] is True and run["finished"] is True
    assert (run["members"], run["certificates"], run["points_converted"]) == (2, 3, 1500)
    assert held(members) == (150, 499, 500, -200)
    assert RebateRun.objects.get(year=2026).finished_at is not None
    assert ledger_problems() == {}


@pytest.mark.django_db(transaction=True)
def test_an_interrupted_run_is_resumed_and_converts_nobody_twice(members):  # noqa: F811
    # A run claimed and half done (the chunk holding Ann committed), then the process died.
    ann = members["ann"]
    with connection.cursor() as cursor:
        cursor.execute(CLAIM_SQL, {"year": 2026, "ppc": 500, "value": "5.00",
                                   "remainder": "carry", "at": JAN_5,
                                   "closes_on": dt.date(2026, 12, 31)})  # fmt: skip
    stored = RebateRun.objects.get(year=2026)
    rebate_convert_chunk(_chunk_params(stored), 0, ann.pk + 1)
    assert RebateCertificate.objects.filter(member=ann).count() == 2
    assert stored.finished_at is None

    run = rebate_convert(2026, at=JAN_5 + dt.timedelta(days=1), workers=2)

    assert run["created"] is True and run["run"] == stored.pk
    assert (run["members"], run["certificates"], run["points_converted"]) == (2, 3, 1500)
    assert RebateCertificate.objects.filter(member=ann).count() == 2  # not four
    assert PointsEntry.objects.filter(kind="convert").count() == 2
    assert held(members) == (150, 499, 500, -200)
    assert ledger_problems() == {}
    # Finished now: a third call changes nothing.
    assert rebate_convert(2026, at=JAN_5 + dt.timedelta(days=2))["created"] is False


@pytest.mark.django_db(transaction=True)
def test_a_second_call_while_one_runs_changes_nothing(members):  # noqa: F811
    dsn = connection.get_connection_params()
    with psycopg.connect(**{k: v for k, v in dsn.items() if k != "cursor_factory"},
                         autocommit=True) as other:  # fmt: skip
        other.execute(ADVISORY_LOCK_SQL, {"year": 2026})  # "the first call", converting

        run = rebate_convert(2026, at=JAN_5)

    assert run["created"] is False and run["finished"] is False
    assert not RebateRun.objects.exists() and not RebateCertificate.objects.exists()
    assert held(members) == (1170, 499, 1000, -200)  # as the fixture left them

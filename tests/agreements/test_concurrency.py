"""Transitions happen once when many requests race: threads, each on its own connection,
against real PostgreSQL (transactional tests: every thread sees the others' commits)."""

from __future__ import annotations

import datetime as dt
import threading
from collections import Counter

import pytest
from django.core.exceptions import ValidationError
from django.db import connection

from apps.agreements import services
from apps.agreements.models import SettlementLine, StatementEvent

N = 10


def race(call, n: int = N) -> list:
    """Run `call()` from n threads released at once; return each result or exception."""
    barrier = threading.Barrier(n)
    results: list = [None] * n

    def run(i: int) -> None:
        try:
            barrier.wait(timeout=30)
            results[i] = call()
        except Exception as exc:  # counted by the assertions
            results[i] = exc
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(n)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return results


def kinds(results) -> Counter:
    return Counter(type(r).__name__ for r in results)


@pytest.mark.django_db(transaction=True)
def test_concurrent_sends_freeze_once(february_march, marketing_user):
    march = services.statement_create(
        agreement=february_march["agreement"], period_start=dt.date(2026, 3, 1),
        period_end=dt.date(2026, 3, 31), user=marketing_user,
    )  # fmt: skip
    results = race(lambda: services.statement_send(statement_id=march.pk, user=marketing_user))
    assert kinds(results) == {"SettlementStatement": 1, "ValidationError": N - 1}
    assert all("already sent" in str(r) for r in results if isinstance(r, ValidationError))
    # R2, R3, R4, R6, R7, R8 in March and R1 from February: once each.
    assert SettlementLine.objects.filter(statement=march).count() == 7
    assert StatementEvent.objects.filter(statement=march, action="sent").count() == 1


@pytest.mark.django_db(transaction=True)
def test_concurrent_mark_paid_happens_once(february_march, marketing_user):
    march = services.statement_create(
        agreement=february_march["agreement"], period_start=dt.date(2026, 3, 1),
        period_end=dt.date(2026, 3, 31), user=marketing_user,
    )  # fmt: skip
    services.statement_send(statement_id=march.pk, user=marketing_user)
    results = race(lambda: services.statement_mark_paid(statement_id=march.pk, user=marketing_user))
    assert kinds(results) == {"SettlementStatement": 1, "ValidationError": N - 1}
    assert StatementEvent.objects.filter(statement=march, action="paid").count() == 1


@pytest.mark.django_db(transaction=True)
def test_concurrent_creates_of_one_period_make_one_statement(february_march, marketing_user):
    # No statement exists yet, so there is nothing to lock: the exclusion constraint decides.
    results = race(
        lambda: services.statement_create(
            agreement=february_march["agreement"],
            period_start=dt.date(2026, 3, 1),
            period_end=dt.date(2026, 3, 31),
            user=marketing_user,
        )  # fmt: skip
    )
    assert kinds(results) == {"SettlementStatement": 1, "ValidationError": N - 1}
    assert StatementEvent.objects.filter(action="created").count() == 1

"""The audit trail refuses TRUNCATE, on the product's own connection.

The append-only row trigger covers UPDATE and DELETE; TRUNCATE fires no row trigger, so a
statement-level BEFORE TRUNCATE trigger (audit migration 0004) refuses it. The test suite's
own flush switches the trigger off for its own transaction (tests/flush.py); the last test
shows that flush still empties the table while the product's statement is refused, before
and after it.
"""

from __future__ import annotations

import pytest
from django.core.management import call_command
from django.db import DatabaseError, connection, transaction

from apps.audit.models import AuditEvent, AuditKind
from apps.audit.services import audit_record

TRUNCATES = [
    "TRUNCATE audit_auditevent",
    "TRUNCATE TABLE ONLY audit_auditevent RESTART IDENTITY",
    "TRUNCATE audit_auditevent CASCADE",
    "TRUNCATE baskets_store, audit_auditevent CASCADE",  # among other tables
]


def replication_role() -> str:
    with connection.cursor() as cursor:
        cursor.execute("SHOW session_replication_role")
        return cursor.fetchone()[0]


@pytest.mark.django_db
@pytest.mark.parametrize("sql", TRUNCATES)
def test_truncating_the_trail_is_refused(sql):
    event = audit_record(kind=AuditKind.LOGIN, actor_name="vp")
    assert replication_role() == "origin"  # the product's connection: triggers fire

    with (
        pytest.raises(DatabaseError, match=r"append-only \(TRUNCATE refused\)"),
        transaction.atomic(),
        connection.cursor() as cursor,
    ):
        cursor.execute(sql)

    assert list(AuditEvent.objects.values_list("pk", "actor_name")) == [(event.pk, "vp")]


@pytest.mark.django_db(transaction=True)
def test_a_committed_trail_survives_truncate_and_only_the_test_flush_empties_it():
    audit_record(kind=AuditKind.LOGIN, actor_name="vp")  # committed: autocommit

    with (
        pytest.raises(DatabaseError, match=r"append-only \(TRUNCATE refused\)"),
        connection.cursor() as cursor,
    ):
        cursor.execute("TRUNCATE audit_auditevent")

    assert AuditEvent.objects.filter(actor_name="vp").count() == 1
    # What a transactional test's teardown does, here on purpose: it gets through.
    call_command("flush", interactive=False, verbosity=0)
    assert AuditEvent.objects.count() == 0
    with connection.cursor() as cursor:  # switched on again when the flush committed
        cursor.execute("SELECT tgenabled FROM pg_trigger WHERE tgname = 'audit_event_no_truncate'")
        assert cursor.fetchall() == [("O",)]
    audit_record(kind=AuditKind.LOGIN, actor_name="vp")
    with (
        pytest.raises(DatabaseError, match=r"append-only \(TRUNCATE refused\)"),
        connection.cursor() as cursor,
    ):
        cursor.execute("TRUNCATE audit_auditevent")
    assert AuditEvent.objects.filter(actor_name="vp").count() == 1

"""Two erasures of the same member at once, and a batch on a real Celery worker."""

from __future__ import annotations

import threading

import pytest
from django.db import connection, transaction

from apps.audit.models import AuditEvent, AuditKind
from apps.jobs.models import JobStatus
from apps.jobs.waiting import job_wait
from apps.members.models import ConsentChange, Member
from apps.rights.erasure import erase_members
from apps.rights.erasure.batch import batch_confirm, batch_create, batch_preview
from apps.rights.models import Erasure
from tests.factories import MemberFactory, UserFactory


@pytest.mark.django_db(transaction=True)
def test_two_connections_erasing_one_member_erase_it_once():
    member = MemberFactory(card_number="400000000017", consent_list=True, consent_email=True)
    others = MemberFactory.create_batch(2)
    ids = [member.pk, *(m.pk for m in others)]
    # The first holds the member's lock (an uncommitted erasure) while the second starts.
    holding = threading.Event()
    release = threading.Event()
    results: dict[str, object] = {}

    def first() -> None:
        try:
            with transaction.atomic():
                results["first"] = erase_members([member.pk], reason="request", reference="A-1")
                holding.set()
                release.wait(timeout=30)
        except Exception as error:  # reported by the assertions
            results["first"] = error
            holding.set()
        finally:
            connection.close()

    def second() -> None:
        try:
            results["second"] = erase_members(ids, reason="request", reference="B-2")
        except Exception as error:
            results["second"] = error
        finally:
            connection.close()

    one = threading.Thread(target=first)
    one.start()
    assert holding.wait(timeout=30)
    two = threading.Thread(target=second)
    two.start()
    two.join(timeout=2)
    assert two.is_alive()  # waiting on the member's lock, not erasing beside it
    release.set()
    one.join(timeout=30)
    two.join(timeout=30)

    assert results == {"first": 1, "second": 2}
    assert Erasure.objects.get(member=member).reference == "A-1"
    assert Erasure.objects.count() == 3
    assert ConsentChange.objects.filter(member=member, source="erasure").count() == 2
    counts = sorted(
        AuditEvent.objects.filter(kind=AuditKind.ERASURE).values_list("row_count", flat=True)
    )
    assert counts == [1, 2]
    assert set(Member.objects.values_list("status", flat=True)) == {"erased"}


@pytest.mark.slow
def test_a_confirmed_batch_runs_on_a_worker(live_worker):
    members = MemberFactory.create_batch(3)
    user = UserFactory(username="dpo-batch", role="privacy")
    csv = "card_number\n" + "\n".join(m.card_number for m in members) + "\n"
    with transaction.atomic():
        job = batch_create(
            preview=batch_preview(csv.encode()), file_name="c.csv", reference="T-3", user=user
        )
    with transaction.atomic():  # committed: queued on commit, read by the worker
        assert batch_confirm(job_id=job.pk)
    job = job_wait(job_id=job.pk, timeout=120, progress=False)
    assert job.status == JobStatus.SUCCEEDED, live_worker.output()
    assert job.result == {"erased": 3, "already_erased": 0}
    assert Erasure.objects.filter(actor_name="dpo-batch", reference="T-3").count() == 3

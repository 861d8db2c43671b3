"""consent_set: the member's consent, its history and its audit row, written once."""

from __future__ import annotations

import threading

import pytest
from django.db import connection

from apps.audit.models import AuditEvent, AuditKind
from apps.members.consent import consent_set
from apps.members.models import ConsentChange, ConsentSource, Member
from tests.factories import MemberFactory, UserFactory


@pytest.mark.django_db
def test_a_change_updates_the_member_and_writes_history_and_audit():
    member = MemberFactory(first_name="Zelda", email="zelda@example.com", consent_email=False)
    clerk = UserFactory(username="clerk")

    change = consent_set(
        member, "email", True, source=ConsentSource.STAFF, actor=clerk, note="At the desk"
    )

    assert Member.objects.get(pk=member.pk).consent_email is True
    assert member.consent_email is True  # the caller's object says so too
    row = ConsentChange.objects.get()
    assert row == change
    assert (row.channel, row.given, row.source, row.actor_id, row.actor_name, row.note) == (
        "email", True, "staff", clerk.pk, "clerk", "At the desk",
    )  # fmt: skip
    event = AuditEvent.objects.get(kind=AuditKind.CONSENT)
    assert (event.object_type, event.object_id, event.actor_name) == (
        "member", str(member.pk), "clerk",
    )  # fmt: skip
    assert event.detail == {"channel": "email", "given": True, "source": "staff", "change": row.pk}
    # The event names the member by id only: no name, e-mail or note.
    text = f"{event.path} {event.query} {event.detail}"
    assert "Zelda" not in text and "zelda@" not in text and "desk" not in text


@pytest.mark.django_db
def test_the_same_consent_again_writes_nothing():
    member = MemberFactory(consent_list=True)

    assert consent_set(member, "list", True, source=ConsentSource.FORM) is None
    withdrawn = consent_set(member, "list", False, source=ConsentSource.FORM)
    assert consent_set(member, "list", False, source=ConsentSource.FORM) is None

    assert list(ConsentChange.objects.values_list("pk", flat=True)) == [withdrawn.pk]
    assert AuditEvent.objects.filter(kind=AuditKind.CONSENT).count() == 1
    assert Member.objects.get(pk=member.pk).consent_list is False


@pytest.mark.django_db
def test_unknown_channel_or_source_is_refused():
    member = MemberFactory()
    with pytest.raises(ValueError, match="channel"):
        consent_set(member, "fax", True, source=ConsentSource.STAFF)
    with pytest.raises(ValueError, match="source"):
        consent_set(member, "sms", True, source="rumour")
    assert not ConsentChange.objects.exists()


@pytest.mark.django_db(transaction=True)
def test_two_clerks_at_once_record_one_change():
    """Two connections withdraw the same consent at the same moment: one change is kept."""
    member = MemberFactory(consent_sms=True)
    start = threading.Barrier(2, timeout=10)
    results: list = []
    errors: list = []

    def withdraw() -> None:
        try:
            start.wait()
            results.append(consent_set(member, "sms", False, source=ConsentSource.STAFF))
        except Exception as exc:  # noqa: BLE001 - reported by the assertion below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=withdraw) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)

    assert not errors
    assert sorted(r is None for r in results) == [False, True]
    assert ConsentChange.objects.filter(member=member).count() == 1
    assert AuditEvent.objects.filter(kind=AuditKind.CONSENT).count() == 1
    assert Member.objects.get(pk=member.pk).consent_sms is False

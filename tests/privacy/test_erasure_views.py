"""The erasure pages: one member (confirmed, once, audited) and a batch from a CSV."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from apps.audit.models import AuditEvent, AuditKind
from apps.jobs.models import Job, JobStatus
from apps.members.models import Member
from apps.rights.erasure.batch import KIND, batch_run
from apps.rights.models import Erasure
from tests.factories import MemberFactory


@pytest.fixture
def officer(client, privacy_user):
    client.force_login(privacy_user)
    return client


@pytest.fixture
def member(db):
    return MemberFactory(card_number="400000000017", first_name="Anna", last_name="Lindqvist")


def _erase_url(card: str) -> str:
    return reverse("privacy:erase", args=[card])


@pytest.mark.django_db
def test_the_page_says_what_goes_and_that_it_is_irreversible(officer, member):
    response = officer.get(_erase_url(member.card_number))
    html = response.content.decode()
    assert response.status_code == 200
    assert "cannot be undone" in html
    assert "Removed or replaced" in html and "Kept, as anonymous history" in html
    assert Member.objects.get(pk=member.pk).status == "active"  # a GET erases nothing


@pytest.mark.django_db
def test_a_post_erases_once_and_a_repeat_shows_the_result(officer, member, privacy_user):
    data = {"member": member.pk, "card_number": "400000000017", "reference": "DPO-2026-0141"}
    first = officer.post(_erase_url(member.card_number), data)
    erasure = Erasure.objects.get(member=member)
    assert first.status_code == 302
    assert first["Location"] == reverse("privacy:erase_done", args=[erasure.pk])
    # The double click: same form, same (now unknown) card in the URL.
    second = officer.post(_erase_url("400000000017"), data)
    assert second.status_code == 302 and second["Location"] == first["Location"]
    assert Erasure.objects.count() == 1
    assert AuditEvent.objects.filter(kind=AuditKind.ERASURE).count() == 1
    event = AuditEvent.objects.get(kind=AuditKind.ERASURE)
    assert (
        event.actor_name == privacy_user.username and event.detail["reference"] == "DPO-2026-0141"
    )

    done = officer.get(first["Location"])
    pseudonym = Member.objects.get(pk=member.pk).card_number
    assert done.status_code == 200 and pseudonym in done.content.decode()
    assert "Anna" not in done.content.decode()


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("typed", "reference", "message"),
    [
        ("400000000018", "DPO-1", "not the card number"),
        ("400000000017", "", "required"),
        ("400000000017", "Anna Lindqvist", "ticket number"),
    ],
)
def test_a_wrong_card_or_reference_erases_nothing(officer, member, typed, reference, message):
    data = {"member": member.pk, "card_number": typed, "reference": reference}
    response = officer.post(_erase_url(member.card_number), data)
    assert response.status_code == 400
    assert message in response.content.decode()
    assert not Erasure.objects.exists()


@pytest.mark.django_db
def test_an_unknown_card_is_a_404_and_an_erased_member_shows_its_result(officer, member):
    assert officer.get(_erase_url("999")).status_code == 404
    assert officer.post(_erase_url("999"), {"member": "x"}).status_code == 404
    officer.post(
        _erase_url(member.card_number),
        {"member": member.pk, "card_number": member.card_number, "reference": "T-1"},
    )
    pseudonym = Member.objects.get(pk=member.pk).card_number
    assert officer.get(_erase_url(pseudonym)).status_code == 302


@pytest.mark.django_db
def test_the_erase_action_hides_for_erased_members(officer, member):
    page = officer.get(reverse("privacy:member", args=[member.card_number]))
    assert _erase_url(member.card_number) in page.content.decode()
    officer.post(
        _erase_url(member.card_number),
        {"member": member.pk, "card_number": member.card_number, "reference": "T-1"},
    )
    pseudonym = Member.objects.get(pk=member.pk).card_number
    page = officer.get(reverse("privacy:member", args=[pseudonym]))
    assert page.status_code == 200
    assert "erase-action" not in page.content.decode()


def _upload(officer, content: bytes, reference: str = "DPO-9"):
    upload = SimpleUploadedFile("cards.csv", content, content_type="text/csv")
    return officer.post(reverse("privacy:erase_batch"), {"file": upload, "reference": reference})


@pytest.mark.django_db
def test_a_batch_previews_then_erases_once_on_confirmation(
    officer, member, django_capture_on_commit_callbacks
):
    done = MemberFactory(card_number="400000000019", status="erased")
    other = MemberFactory(card_number="400000000020")
    csv = b"card_number\n400000000017\n\n400000000404\n400000000019\n400000000020\n400000000017\n"
    response = _upload(officer, csv)
    job = Job.objects.get(kind=KIND)
    assert response["Location"] == reverse("privacy:erase_batch_preview", args=[job.pk])
    preview = officer.get(response["Location"]).content.decode()
    assert job.params["member_ids"] == sorted([member.pk, other.pk])
    assert (job.params["already_erased"], job.params["not_found"]) == (1, 1)
    assert job.params["not_found_lines"] == [4]  # the header is line 1; blank line 3
    assert job.params["duplicates"] == 1
    assert "400000000404" not in str(job.params)  # a card matching no one is not kept
    assert "line 4" in preview and "cannot be undone" in preview
    assert done.pk not in job.params["member_ids"]
    assert not Erasure.objects.exists()  # nothing erased before confirmation

    url = reverse("privacy:erase_batch_preview", args=[job.pk])
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        officer.post(url)
        officer.post(url)  # a double click queues nothing more
    assert len(callbacks) == 1
    assert batch_run(job_id=job.pk) == {"erased": 2, "already_erased": 0}
    assert batch_run(job_id=job.pk) == {"erased": 0, "already_erased": 2}  # a redelivery
    job.refresh_from_db()
    assert job.status == JobStatus.SUCCEEDED and job.progress_done == 2
    assert set(Erasure.objects.values_list("member_id", flat=True)) == {member.pk, other.pk}
    page = officer.get(reverse("privacy:erase_batch_job", args=[job.pk]))
    assert page.status_code == 200 and "erase-erased" in page.content.decode()
    progress = officer.get(reverse("privacy:erase_batch_progress", args=[job.pk])).json()
    assert progress["finished"] is True and progress["percent"] == 100


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"card\n400000000017\n", "header naming the column"),
        (b"", "empty"),
        (b"card_number\n\n", "names no card number"),
        (b"card_number\n\xff\xfe\n", "not UTF-8"),
    ],
)
def test_a_bad_file_says_why(officer, member, content, message):
    response = _upload(officer, content)
    assert response.status_code == 400
    assert message in response.content.decode()
    assert not Job.objects.filter(kind=KIND).exists()

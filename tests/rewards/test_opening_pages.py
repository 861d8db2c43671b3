"""The opening-balance pages: upload (queued on commit), the import's page with its rejects."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from apps.accounts.models import Role
from apps.jobs.models import Job, JobStatus
from apps.rewards.models import PointsEntry
from apps.rewards.tasks import points_import_task
from tests.factories import MemberFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def marketing(client):
    user = UserFactory(role=Role.MARKETING)
    client.force_login(user)
    return user


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


def upload(content: bytes, name: str = "Old programme.csv") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content, content_type="text/csv")


def test_upload_stores_the_file_and_queues_the_import_on_commit(
    client, marketing, media_root, django_capture_on_commit_callbacks
):
    content = b"card_number,points,earned_on\n1001,5,2026-01-01\n"
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        response = client.post(reverse("rewards:imports"), {"file": upload(content)})

    job = Job.objects.get(kind="points_import")
    assert response.status_code == 302
    assert response["Location"] == reverse("rewards:import_detail", args=[job.pk])
    assert job.started_by == marketing
    assert job.params["file"] == "Old programme.csv"
    stored = Path(job.params["path"])
    assert stored == media_root / "points-imports" / str(job.pk) / "Old_programme.csv"
    assert stored.read_bytes() == content
    assert len(callbacks) == 1


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("points.xlsx", b"card_number,points,earned_on\n", "Upload a .csv file."),
        ("points.csv", b"", "The submitted file is empty."),
        ("points.csv", b"\x1f\x8b\x08\x00", "The file is gzip-compressed: unzip it first."),
    ],
)
def test_a_bad_upload_is_refused_with_why(client, marketing, name, content, message):
    response = client.post(reverse("rewards:imports"), {"file": upload(content, name)})

    assert response.status_code == 400
    assert message in response.content.decode()
    assert not Job.objects.exists()


def test_the_import_page_lists_rejects_by_line_and_the_list_links_it(client, marketing, tmp_path):
    MemberFactory(card_number="1001")
    path = tmp_path / "opening.csv"
    path.write_text("card_number,points,earned_on\n1001,abc,2026-01-01\n7777,5,2026-01-01\n")
    job = Job.objects.create(
        kind="points_import",
        params={"file": "opening.csv", "path": str(path)},
        started_by=marketing,
    )
    points_import_task(job.pk)
    job.refresh_from_db()
    assert job.status == JobStatus.SUCCEEDED
    assert not PointsEntry.objects.exists()

    page = client.get(reverse("rewards:import_detail", args=[job.pk])).content.decode()
    listing = client.get(reverse("rewards:imports")).content.decode()

    assert "Finished with problems: 2 rows rejected" in page
    assert "points must be a whole number from 1 to 1,000,000, got &#x27;abc&#x27;" in page
    assert "unknown card_number &#x27;7777&#x27;" in page
    assert reverse("rewards:import_detail", args=[job.pk]) in listing
    assert "opening.csv" in listing


def test_another_kind_of_job_has_no_import_page(client, marketing):
    job = Job.objects.create(kind="pos_import")

    assert client.get(reverse("rewards:import_detail", args=[job.pk])).status_code == 404

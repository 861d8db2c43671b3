"""The opening-balance import on a real Celery worker process, queued as the page queues it."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.utils import timezone

from apps.baskets.models import ImportReject
from apps.jobs.models import JobStatus
from apps.jobs.waiting import job_wait
from apps.rewards.models import PointsBalance, PointsEntry
from apps.rewards.opening import points_import_start
from tests.factories import MemberFactory, UserFactory


@pytest.mark.slow
def test_the_import_runs_on_a_worker(live_worker, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    member = MemberFactory(card_number="5001")
    user = UserFactory(username="importer")
    earned = timezone.localdate() - dt.timedelta(days=20)
    content = f"card_number,points,earned_on\n5001,300,{earned}\n5002,4,{earned}\n".encode()

    with transaction.atomic():  # committed: the worker reads it; queued on commit
        job = points_import_start(upload=SimpleUploadedFile("old.csv", content), started_by=user)
    job = job_wait(job_id=job.pk, timeout=120, progress=False)

    assert job.status == JobStatus.SUCCEEDED, live_worker.output()
    entry = PointsEntry.objects.get(kind="import")
    assert (entry.member_id, entry.points, entry.key, entry.user_id) == (
        member.pk, 300, f"import:{member.pk}:{earned}", user.pk
    )  # fmt: skip
    assert PointsBalance.objects.get(member=member).points == 300
    assert list(ImportReject.objects.filter(job=job).values_list("line", "reason")) == [
        (3, "unknown card_number '5002'")
    ]

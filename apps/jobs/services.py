"""Writes to job records. Progress updates are single UPDATEs so workers never race a save()."""

from __future__ import annotations

import traceback

from django.db import connection
from django.db.models import F
from django.utils import timezone

from apps.jobs.models import Job, JobStatus


def job_create(*, kind: str, params: dict | None = None, started_by=None, total: int = 0) -> Job:
    """Record a job before its work is queued."""
    return Job.objects.create(
        kind=kind, params=params or {}, started_by=started_by, progress_total=total
    )


def job_start(*, job_id: int, total: int | None = None, message: str = "") -> None:
    """Mark the job running (again, if a worker picks it up after a crash)."""
    fields = {"status": JobStatus.RUNNING, "started_at": timezone.now(), "message": message}
    if total is not None:
        fields["progress_total"] = total
    Job.objects.filter(pk=job_id).update(**fields)


def job_progress(*, job_id: int, done: int | None = None, add: int = 0, message: str = "") -> None:
    """Set or advance the progress counter."""
    fields: dict = {}
    if done is not None:
        fields["progress_done"] = done
    elif add:
        fields["progress_done"] = F("progress_done") + add
    if message:
        fields["message"] = message
    if fields:
        Job.objects.filter(pk=job_id).update(**fields)


def job_succeed(*, job_id: int, result: dict | None = None, message: str = "") -> None:
    Job.objects.filter(pk=job_id).update(
        status=JobStatus.SUCCEEDED,
        finished_at=timezone.now(),
        result=result or {},
        message=message,
        progress_done=F("progress_total"),
    )


def job_fail(*, job_id: int, error: BaseException | str) -> None:
    text = error if isinstance(error, str) else "".join(traceback.format_exception(error))
    Job.objects.filter(pk=job_id).update(
        status=JobStatus.FAILED, finished_at=timezone.now(), error=text[-20000:]
    )


def job_advance(*, job_id: int, by: int) -> bool:
    """Add to the progress counter; mark the job succeeded when it reaches the total.

    Returns True for the one caller whose advance completed the job, so that exactly one
    chunk of fanned-out work runs the finishing step.
    """
    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE jobs_job SET progress_done = progress_done + %s "
            "WHERE id = %s RETURNING progress_done, progress_total",
            [by, job_id],
        )
        row = cursor.fetchone()
    if row is None or row[0] < row[1]:
        return False
    finished = Job.objects.filter(pk=job_id, status=JobStatus.RUNNING).update(
        status=JobStatus.SUCCEEDED, finished_at=timezone.now()
    )
    return finished == 1

"""Writes to job records. Progress is written by UPDATE (a chunk's under the job row's lock),
so that workers never race a save()."""

from __future__ import annotations

import traceback
from collections.abc import Mapping
from dataclasses import dataclass

from django.db import transaction
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


@dataclass(frozen=True)
class ChunkCount:
    """What counting a chunk did: whether it counted, and whether it finished the job."""

    counted: bool  # False: the chunk had been counted before (a redelivered task)
    finished: bool  # True for the one call whose chunk completed the job
    remaining: int = 0  # units still to count after this one (0 when finished)


@transaction.atomic
def job_advance_chunk(
    *,
    job_id: int,
    chunk: int,
    units: int = 1,
    counts: Mapping[str, int] | None = None,
) -> ChunkCount:
    """Count one chunk of fanned-out work once; its job succeeds with the last chunk.

    Call it in the transaction that commits the chunk's work, so that the work and its
    count commit together or not at all. The chunk's key (its first id) goes into the
    job's result (`chunks_done`): a chunk delivered again after its work committed (a
    worker died before acknowledging it) counts nothing. `units` is what the chunk adds to
    the progress (1, or the categories of a batch), `counts` what it adds to the result's
    totals (`{"lists": 120}`). The job row is locked, so parallel chunks count one after
    the other and exactly one of them finishes the job; a job that failed stays failed.
    """
    job = Job.objects.select_for_update().get(pk=job_id)
    done = job.result.get("chunks_done", [])
    if chunk in done:
        return ChunkCount(
            counted=False, finished=False, remaining=job.progress_total - job.progress_done
        )
    result = {**job.result, "chunks_done": sorted([*done, chunk])}
    for key, value in (counts or {}).items():
        result[key] = result.get(key, 0) + value
    fields: dict = {"result": result, "progress_done": job.progress_done + units}
    finished = job.status == JobStatus.RUNNING and fields["progress_done"] >= job.progress_total
    if finished:
        fields |= {"status": JobStatus.SUCCEEDED, "finished_at": timezone.now()}
    Job.objects.filter(pk=job_id).update(**fields)
    remaining = max(job.progress_total - fields["progress_done"], 0)
    return ChunkCount(counted=True, finished=finished, remaining=remaining)

"""Celery tasks for members' data rights: thin wrappers around one service each."""

from __future__ import annotations

from celery import shared_task
from django.core.exceptions import ValidationError

from apps.rights.retention import retention_chunk, retention_start


@shared_task(acks_late=True)
def retention_chunk_task(job_id: int, phase: str, lo: int, hi: int) -> int:
    """Detach one basket id range, or erase one member id range's inactive members."""
    return retention_chunk(job_id=job_id, phase=phase, lo=lo, hi=hi)


@shared_task(acks_late=True)
def retention_nightly_task() -> int | None:
    """Start the night's retention run (scheduled by beat); None when off or still running."""
    try:
        job = retention_start()
    except ValidationError:
        return None  # the last run is still going; tomorrow's takes up what it leaves
    return job.pk if job else None

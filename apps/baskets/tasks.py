"""Celery tasks for baskets: thin wrappers that call one service each."""

from __future__ import annotations

from pathlib import Path

from celery import shared_task

from apps.baskets.importing import pos_import_dir
from apps.jobs.models import Job


@shared_task(acks_late=True)
def pos_import_task(job_id: int) -> bool:
    """Import the POS files of the directory in the job's params; True if anything was read."""
    directory = Job.objects.values_list("params__directory", flat=True).get(pk=job_id)
    result = pos_import_dir(directory=Path(directory), job_id=job_id)
    return not result.nothing_read

"""The batch erasure's Celery task (a thin wrapper around batch_run).

Kept beside the erasure rather than in apps/rights/tasks.py (the retention's): the app's
ready() imports it, so every worker knows it.
"""

from __future__ import annotations

from celery import shared_task


@shared_task(acks_late=True, name="apps.rights.erasure.tasks.erasure_batch_task")
def erasure_batch_task(job_id: int) -> dict:
    """Erase a confirmed batch's members in chunks; a redelivery erases no one twice."""
    from apps.rights.erasure.batch import batch_run

    return batch_run(job_id=job_id)

"""Celery tasks for rewards: thin wrappers that call one service each.

Each is safe to run twice: the expiry writes each lot's expiry once, the tier recompute
writes today's state, and the rebate converts a programme year once.
"""

from __future__ import annotations

from celery import shared_task

from apps.rewards.expiry import points_expire


@shared_task(acks_late=True)
def points_expire_task() -> dict:
    """Expire every lot past its last day (nightly, by beat)."""
    lots, points = points_expire()
    return {"lots": lots, "points": points}


@shared_task(acks_late=True)
def tiers_recompute_task() -> dict:
    """Put every member in the tier their trailing 12-month spend reaches (nightly)."""
    from apps.rewards.tiers import tiers_recompute

    return tiers_recompute()


@shared_task(acks_late=True)
def rebate_convert_task() -> dict:
    """Convert balances into certificates for the programme year that has just closed."""
    from apps.rewards.rebate import rebate_convert_closed_year

    return rebate_convert_closed_year()


@shared_task(acks_late=True)
def points_import_task(job_id: int) -> bool:
    """Import the opening balances of the job's uploaded file; True if the file was read.

    Run twice (a redelivery), it changes nothing: each lot's key is its card and day.
    """
    from apps.jobs.models import Job
    from apps.rewards.opening import points_import_file

    job = Job.objects.values("params", "started_by_id").get(pk=job_id)
    result = points_import_file(
        path=job["params"]["path"], job_id=job_id, user_id=job["started_by_id"]
    )
    return result.error is None

"""Celery tasks for reports: thin wrappers around one service each."""

from __future__ import annotations

from celery import shared_task

from apps.reports.services import reports_refresh_job, reports_refresh_queue


@shared_task(acks_late=True)
def reports_refresh_task(job_id: int, full: bool = False) -> dict:
    """Refresh every dashboard aggregate for a recorded job."""
    return reports_refresh_job(job_id=job_id, full=full)


@shared_task(acks_late=True)
def reports_nightly_task() -> int:
    """Queue the nightly refresh (after the segments' nightly run); scheduled by beat."""
    return reports_refresh_queue().pk

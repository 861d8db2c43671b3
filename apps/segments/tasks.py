"""Celery tasks for segments: thin wrappers that call one service each."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from celery import shared_task
from django.utils import timezone

from apps.segments.member_models import repeat_model_fit_job, repeat_model_fit_queue
from apps.segments.services import snapshots_compute_chunk, snapshots_refresh_all


@shared_task(acks_late=True)
def snapshots_compute_task(
    job_id: int,
    category_ids: list[int],
    window_start: str,
    window_end: str,
    national_threshold: str,
    store_threshold: str,
) -> int:
    """Compute the snapshots of one batch of categories for a job."""
    return snapshots_compute_chunk(
        job_id=job_id,
        category_ids=category_ids,
        window_start=dt.date.fromisoformat(window_start),
        window_end=dt.date.fromisoformat(window_end),
        national_threshold=Decimal(national_threshold),
        store_threshold=Decimal(store_threshold),
    )


@shared_task(acks_late=True)
def segments_nightly_task(weeks: int = 52) -> int:
    """Refresh every category's snapshot and the member-value models, every night."""
    today = timezone.localdate()
    job = snapshots_refresh_all(window_start=today - dt.timedelta(weeks=weeks), window_end=today)
    # Member values (P(active), CLV, churn risk) on the history up to yesterday.
    repeat_model_fit_queue(calibration_end=today - dt.timedelta(days=1))
    return job.pk


@shared_task(acks_late=True)
def repeat_model_fit_task(job_id: int, calibration_end: str) -> None:
    """Fit the member-value models for a job."""
    repeat_model_fit_job(job_id=job_id, calibration_end=dt.date.fromisoformat(calibration_end))

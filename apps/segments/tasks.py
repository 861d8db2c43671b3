"""Celery tasks for segments: thin wrappers that call one service each."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from celery import shared_task
from django.utils import timezone

from apps.segments.affinity import category_affinity_compute
from apps.segments.fits import repeat_model_fit_job, repeat_model_fit_queue
from apps.segments.selectors import basket_days
from apps.segments.services import (
    basket_lines_vacuum,
    snapshots_compute_chunk,
    snapshots_refresh_all,
)


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
    """Refresh every category's snapshot, the bought-together rules and the member-value
    models, every night."""
    today = timezone.localdate()
    basket_lines_vacuum()  # the snapshots' read then touches only the index
    job = snapshots_refresh_all(window_start=today - dt.timedelta(weeks=weeks), window_end=today)
    # The bought-together rules here, in one statement (about 1 s a year of the 3,000-member
    # demo): the snapshots' batches are only queued above, and the rules read the baskets,
    # not the snapshots, so nothing waits for them.
    category_affinity_compute(window_end=today, weeks=weeks)
    # Member values (P(active), CLV, churn risk) on the history up to yesterday, or up to
    # the last basket when the tills' data is older (a later date would be refused).
    first, last = basket_days()
    if last is not None and first < today:  # else no whole day of history yet
        repeat_model_fit_queue(calibration_end=min(today - dt.timedelta(days=1), last))
    return job.pk


@shared_task(acks_late=True)
def repeat_model_fit_task(job_id: int, calibration_end: str) -> None:
    """Fit the member-value models for a job."""
    repeat_model_fit_job(job_id=job_id, calibration_end=dt.date.fromisoformat(calibration_end))


@shared_task(acks_late=True)
def purchase_timing_fit_task(job_id: int, as_of: str) -> None:
    """Fit the purchase-timing model for a job."""
    # Imported when run: timing.jobs queues this task, each module names the other.
    from apps.segments.timing.jobs import purchase_timing_fit_job

    purchase_timing_fit_job(job_id=job_id, as_of=dt.date.fromisoformat(as_of))

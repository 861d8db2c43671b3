"""A snapshot job counts its batches through the jobs app: each batch's categories once.

Categories whose snapshot another run already made still count (the job finishes), and a
batch delivered again after its work committed counts nothing.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from apps.jobs.models import Job, JobStatus
from apps.jobs.services import job_create, job_start
from apps.segments.models import SegmentSnapshot
from apps.segments.services import snapshots_compute, snapshots_compute_chunk
from tests.factories import CategoryFactory

pytestmark = pytest.mark.django_db
START, END = dt.date(2026, 1, 1), dt.date(2026, 4, 1)
THRESHOLDS = {"national_threshold": Decimal("0.80"), "store_threshold": Decimal("0.20")}


def test_a_batch_counts_its_categories_once_even_those_made_by_another_run():
    tea, coffee, cocoa = (CategoryFactory(name=n) for n in ("Tea", "Coffee", "Cocoa"))
    job = job_create(kind="segments", total=3)
    job_start(job_id=job.pk, total=3)
    # Another run made Tea's snapshot after this job listed it as missing.
    snapshots_compute(category_ids=[tea.pk], window_start=START, window_end=END)

    first = [tea.pk, coffee.pk]
    made = snapshots_compute_chunk(
        job_id=job.pk, category_ids=first, window_start=START, window_end=END, **THRESHOLDS
    )
    assert made == 1  # Coffee only; Tea was there
    job.refresh_from_db()
    assert (job.progress_done, job.status) == (2, JobStatus.RUNNING)

    # The first batch delivered again (its work had committed): nothing made, nothing counted.
    again = snapshots_compute_chunk(
        job_id=job.pk, category_ids=first, window_start=START, window_end=END, **THRESHOLDS
    )
    assert again == 0
    assert Job.objects.get(pk=job.pk).progress_done == 2

    snapshots_compute_chunk(
        job_id=job.pk, category_ids=[cocoa.pk], window_start=START, window_end=END, **THRESHOLDS
    )
    job.refresh_from_db()
    assert (job.progress_done, job.progress_total, job.status) == (3, 3, JobStatus.SUCCEEDED)
    assert job.result["chunks_done"] == sorted([min(first), cocoa.pk])
    assert SegmentSnapshot.objects.count() == 3

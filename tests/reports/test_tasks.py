"""The refresh on a real Celery worker process, queued from the page's button path."""

from __future__ import annotations

import pytest

from apps.jobs.models import JobStatus
from apps.jobs.waiting import job_wait
from apps.reports.models import CellAggregate, LiftAggregate
from apps.reports.services import reports_refresh_queue


@pytest.mark.slow
def test_refresh_runs_on_a_worker(live_worker, world):
    job = reports_refresh_queue()
    job = job_wait(job_id=job.pk, timeout=120, progress=False)
    assert job.status == JobStatus.SUCCEEDED, live_worker.output()
    assert (job.progress_done, job.progress_total) == (6, 6)  # the six STEPS
    assert job.result["snapshots_aggregated"] == 2 and job.result["fit"] == world.fit.pk
    assert len(job.result["seconds"]) == 6
    assert job.result["offer_model"] is None  # no allocation yet: the prior is kept
    assert CellAggregate.objects.filter(month="2026-02-01", category=world.ketchup).count() == 4
    assert LiftAggregate.objects.filter(campaign=world.campaign).count() == 5

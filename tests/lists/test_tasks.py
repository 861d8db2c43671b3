"""generate_lists on a real Celery worker process, in several chunks, twice."""

from __future__ import annotations

import io

import pytest
from django.core.management import call_command

from apps.jobs.models import Job, JobStatus
from apps.lists.models import ListItem, ShoppingList


@pytest.mark.slow
def test_generate_lists_command_runs_chunks_on_a_worker_and_waits(
    chain, live_worker, before_period
):
    out = io.StringIO()
    call_command("generate_lists", "--period-start", "2026-03-02", "--chunk-size", "2",
                 "--timeout", "120", stdout=out)  # fmt: skip
    job = Job.objects.get(kind="lists")
    assert job.status == JobStatus.SUCCEEDED, live_worker.output()
    # 7 members with consecutive ids in chunks of 2 ids: 4 chunks, then the period's offers.
    assert (job.progress_done, job.progress_total) == (5, 5)
    assert job.result["lists"] == 4
    assert "4 lists created" in out.getvalue()
    assert ShoppingList.objects.count() == 4
    items = ListItem.objects.count()

    call_command(
        "generate_lists", "--period-start", "2026-03-02", "--timeout", "120", stdout=io.StringIO()
    )
    again = Job.objects.filter(kind="lists").latest("created_at")
    assert again.status == JobStatus.SUCCEEDED and again.result["lists"] == 0
    assert (ShoppingList.objects.count(), ListItem.objects.count()) == (4, items)

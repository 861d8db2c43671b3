"""retention_run on a real Celery worker process (2 pool processes), chunk by chunk, twice."""

from __future__ import annotations

import io

import pytest
from django.core.management import call_command

from apps.jobs.models import Job, JobStatus
from apps.members.models import Member, MemberStatus
from apps.rights.retention import JOB_KIND
from tests.privacy.retention_data import build_retention_chain, ownership


@pytest.mark.slow
def test_retention_run_detaches_and_erases_on_the_workers_and_a_rerun_changes_nothing(
    live_worker, settings
):
    settings.CRM_RETENTION_BASKET_YEARS = settings.CRM_RETENTION_INACTIVE_YEARS = 3
    chain = build_retention_chain()
    expected = chain.expected_detached()
    args = ["retention_run", "--today", "2026-12-06", "--timeout", "120", "--verbosity", "0"]

    out = io.StringIO()
    call_command(*args, "--basket-chunk", "1", "--member-chunk", "2", stdout=out)

    job = Job.objects.get(kind=JOB_KIND)
    assert job.status == JobStatus.SUCCEEDED, live_worker.output()
    assert (job.result["baskets_detached"], job.result["lines_detached"]) == expected
    assert job.result["members_erased"] == 1
    # One chunk per basket id and per two member ids, each counted once.
    baskets = job.params["basket_ids"][1] - job.params["basket_ids"][0] + 1
    members = job.params["member_ids"][1] - job.params["member_ids"][0] + 1
    assert job.progress_done == job.progress_total == baskets + (members + 1) // 2
    assert Member.objects.get(pk=chain.old_only.pk).status == MemberStatus.ERASED
    assert Member.objects.get(pk=chain.mixed.pk).status == MemberStatus.ACTIVE
    after = ownership()

    call_command(*args, stdout=io.StringIO())
    again = Job.objects.filter(kind=JOB_KIND).latest("created_at")
    assert again.status == JobStatus.SUCCEEDED, live_worker.output()
    assert again.result.get("baskets_detached", 0) == again.result.get("members_erased", 0) == 0
    assert ownership() == after
    assert f"{expected[0]} baskets and {expected[1]} lines detached" in out.getvalue()

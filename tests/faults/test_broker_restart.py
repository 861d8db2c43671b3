"""The broker restarts while jobs wait in its queue: nothing queued is lost.

This holds when Redis persists its writes (append-only file). The machine's own Redis
runs with `--appendonly no` and would lose the queue; docs/configuration.md says how to
run the broker in production.
"""

from __future__ import annotations

import datetime as dt
import time

import pytest

from apps.demo.generator import default_end_date
from apps.demo.services import demo_generate
from apps.jobs.models import Job, JobStatus
from apps.lists.models import ShoppingList
from tests.faults.conftest import django_run
from tests.live_worker import LiveWorker

pytestmark = pytest.mark.slow


def test_jobs_queued_before_a_broker_restart_still_run(transactional_db, tmp_path, own_redis):
    end = default_end_date()
    demo_generate(members=200, weeks=10, seed=13, end_date=end)
    period = end + dt.timedelta(days=1)
    queue = "test-broker-restart"
    job_id = int(django_run(
        "import datetime as dt\nfrom apps.lists.services import lists_generate\n"
        f"print(lists_generate(period_start=dt.date.fromisoformat('{period}'), chunk_size=20).pk)",
        broker_url=own_redis.url, queue=queue))  # fmt: skip
    waiting = int(own_redis.cli("LLEN", queue))
    # The member chunks wait; the period's offers are queued once they are done.
    assert waiting == Job.objects.get(pk=job_id).progress_total - 1 > 1

    own_redis.stop()
    assert not own_redis.alive()  # really down
    own_redis.start()
    assert int(own_redis.cli("LLEN", queue)) == waiting

    worker = LiveWorker(tmp_path / "w.log", concurrency=1, queue=queue,
                        env={"CELERY_BROKER_URL": own_redis.url}).start()  # fmt: skip
    try:
        deadline = time.monotonic() + 90
        while time.monotonic() < deadline:
            job = Job.objects.get(pk=job_id)
            if job.status != JobStatus.RUNNING:
                break
            time.sleep(0.1)
        assert job.status == JobStatus.SUCCEEDED, worker.output()
        assert job.progress_done == job.progress_total == waiting + 1
        assert ShoppingList.objects.filter(period_start=period).count() == job.result["lists"] > 0
    finally:
        worker.stop()

"""A worker killed (SIGKILL) in the middle of a job: after a restart the job completes,
with nothing done twice and no half-written result.

The kill lands inside a chunk's transaction, deterministically: the test holds a row lock
on the job, so the next chunk blocks on it after writing its lists (or snapshots) but
before committing; then the worker's process group is killed. Its connection closes, so
PostgreSQL rolls that chunk back; its message was never acknowledged (`acks_late`), so
Redis hands it out again after the visibility timeout (3 s here) to the restarted worker.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import os
import signal
import time

import psycopg
import pytest

from apps.demo.generator import default_end_date
from apps.demo.services import demo_generate
from apps.jobs.models import Job, JobStatus
from tests.faults.conftest import django_run
from tests.live_worker import LiveWorker, database_url

pytestmark = pytest.mark.slow

VISIBILITY = {"CELERY_VISIBILITY_TIMEOUT": "3"}


def _stop(worker: LiveWorker) -> None:
    """Stop a worker whatever state it is in, and kill what is left of its process group."""
    process = worker.process
    if process is None:  # start() failed before the process was spawned
        if getattr(worker, "log", None) is not None:
            worker.log.close()
        return
    try:
        worker.stop()  # SIGTERM; SIGKILL after 30 s; a no-op on a killed worker
    finally:
        # Pool processes whose main process died first would go on retrying the broker.
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGKILL)


@pytest.fixture
def start_worker(transactional_db, own_redis, tmp_path):
    """Start one-process workers on the test's own broker; stop every one at teardown.

    A failing test would otherwise leave them retrying a stopped Redis for up to 50 minutes.
    This fixture depends on own_redis and transactional_db, so its teardown runs before
    theirs: the workers go before the broker and before the tables are emptied.
    """
    started: list[LiveWorker] = []

    def start(log_name: str, *, queue: str | None = None) -> LiveWorker:
        worker = LiveWorker(tmp_path / log_name, concurrency=1, queue=queue, env={
            "CELERY_BROKER_URL": own_redis.url, **VISIBILITY})  # fmt: skip
        started.append(worker)  # before start(): one that never gets ready is stopped too
        return worker.start()

    yield start
    errors = []
    for worker in reversed(started):  # reversed: each stop() restores the queue it found
        try:
            _stop(worker)
        except Exception as error:  # noqa: BLE001 - stop the others, then report
            errors.append(error)
    if errors:
        raise errors[0]


def _wait(predicate, *, timeout: float, what: str):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(0.05)
    with psycopg.connect(database_url(), autocommit=True) as conn:
        activity = conn.execute(
            "SELECT pid, state, wait_event_type, left(query, 120) FROM pg_stat_activity"
            " WHERE datname = current_database() AND pid <> pg_backend_pid()"
        ).fetchall()
    raise AssertionError(f"timed out waiting for {what() if callable(what) else what}\n{activity}")


def _kill_inside_a_chunk(job_id: int, worker: LiveWorker) -> tuple[int, int]:
    """Lock the job row mid-job, wait for a chunk to block on it, kill the worker."""
    _wait(
        lambda: Job.objects.filter(pk=job_id, progress_done__gte=2).exists(),
        timeout=60,
        what="two chunks done",
    )
    with (
        psycopg.connect(database_url()) as lock,
        psycopg.connect(database_url(), autocommit=True) as watch,
    ):
        done, total = lock.execute(
            "SELECT progress_done, progress_total FROM jobs_job WHERE id = %s FOR UPDATE",
            [job_id],
        ).fetchone()
        assert done < total, "the job finished before the kill: make it longer"
        _wait(
            lambda: watch.execute(
                "SELECT count(*) FROM pg_stat_activity"
                " WHERE datname = current_database() AND wait_event_type = 'Lock'"
            ).fetchone()[0],
            timeout=30,
            what="a chunk blocked on the job row",
        )
        worker.kill()
        lock.rollback()
        # The killed worker's backend wakes, finds its client gone and rolls back.
        _wait(
            lambda: (
                not watch.execute(
                    "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database()"
                    " AND state LIKE 'idle in transaction%%' AND pid <> pg_backend_pid()"
                ).fetchone()[0]
            ),
            timeout=30,
            what="the killed chunk's transaction to end",
        )
    return done, total


def test_list_generation_completes_after_the_worker_is_killed(own_redis, start_worker):
    end = default_end_date()
    demo_generate(members=400, weeks=12, seed=11, end_date=end)
    period = end + dt.timedelta(days=1)
    worker = start_worker("w1.log")
    queue_job = (
        "import datetime as dt\nfrom apps.lists.services import lists_generate\n"
        f"print(lists_generate(period_start=dt.date.fromisoformat('{period}'), chunk_size=8).pk)"
    )
    job_id = int(django_run(queue_job, broker_url=own_redis.url, queue=worker.queue))

    done_at_kill, total = _kill_inside_a_chunk(job_id, worker)
    job = Job.objects.get(pk=job_id)
    assert job.status == JobStatus.RUNNING
    assert job.progress_done == done_at_kill  # the killed chunk committed nothing

    again = start_worker("w2.log", queue=worker.queue)
    job = _wait(
        lambda: Job.objects.filter(pk=job_id, status=JobStatus.SUCCEEDED).first(),
        timeout=90,
        what=lambda: f"the job to finish after the restart\n{again.output()[-3000:]}",
    )
    assert (job.progress_done, job.progress_total) == (total, total)
    assert len(job.result["chunks_done"]) == total
    with psycopg.connect(database_url()) as conn:
        lists, members = conn.execute(
            "SELECT count(*), count(DISTINCT member_id) FROM lists_shoppinglist"
            " WHERE period_start = %s",
            [period],
        ).fetchone()
    assert lists == members == job.result["lists"] > 0
    # Complete: generating the period again finds nothing left to create.
    rerun = int(django_run(queue_job, broker_url=own_redis.url, queue=worker.queue))
    rerun_job = _wait(
        lambda: Job.objects.filter(pk=rerun, status=JobStatus.SUCCEEDED).first(),
        timeout=90,
        what="the second run",
    )
    assert rerun_job.result["lists"] == 0


def test_segment_recompute_completes_after_the_worker_is_killed(own_redis, start_worker):
    end = default_end_date()
    demo_generate(members=300, weeks=12, seed=12, end_date=end)
    start = end - dt.timedelta(weeks=12)
    worker = start_worker("w1.log")
    queue_job = (
        "import datetime as dt\nfrom apps.segments.services import snapshots_refresh_all\n"
        f"print(snapshots_refresh_all(window_start=dt.date.fromisoformat('{start}'),"
        f" window_end=dt.date.fromisoformat('{end}'), batch_size=3).pk)"
    )
    job_id = int(django_run(queue_job, broker_url=own_redis.url, queue=worker.queue))

    done_at_kill, total = _kill_inside_a_chunk(job_id, worker)
    assert Job.objects.get(pk=job_id).progress_done == done_at_kill

    again = start_worker("w2.log", queue=worker.queue)
    job = _wait(
        lambda: Job.objects.filter(pk=job_id, status=JobStatus.SUCCEEDED).first(),
        timeout=120,
        what=lambda: f"the job to finish after the restart\n{again.output()[-3000:]}",
    )
    assert job.progress_done == total
    with psycopg.connect(database_url()) as conn:
        snapshots, categories, categories_all = conn.execute(
            "SELECT count(*), count(DISTINCT category_id),"
            " (SELECT count(*) FROM catalog_category)"
            " FROM segments_segmentsnapshot WHERE window_start = %s AND window_end = %s",
            [start, end],
        ).fetchone()
        # Whole snapshots only: each has exactly as many member rows as buyers.
        torn = conn.execute(
            "SELECT count(*) FROM segments_segmentsnapshot s LEFT JOIN"
            " (SELECT snapshot_id, count(*) AS n FROM segments_segmentmember GROUP BY 1) r"
            " ON r.snapshot_id = s.id WHERE s.buyers <> coalesce(r.n, 0)"
        ).fetchone()[0]
    assert snapshots == categories == categories_all == total
    assert torn == 0
    rerun = int(django_run(queue_job, broker_url=own_redis.url, queue=worker.queue))
    assert Job.objects.get(pk=rerun).params["categories"] == 0

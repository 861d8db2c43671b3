"""Chunk progress owned by jobs: each chunk counts once, the last one finishes the job.

`job_advance_chunk` is what list generation and segment snapshots both call per chunk
(apps/lists/services.py, apps/segments/services.py).
"""

from __future__ import annotations

import threading

import pytest
from django.db import connection

from apps.jobs.models import Job, JobStatus
from apps.jobs.services import ChunkCount, job_advance_chunk, job_create, job_fail, job_start


def _running(total: int) -> Job:
    job = job_create(kind="lists", total=total)
    job_start(job_id=job.pk, total=total)
    return job


@pytest.mark.django_db
def test_each_chunk_counts_once_and_the_last_one_finishes_the_job():
    job = _running(total=2)
    first = job_advance_chunk(job_id=job.pk, chunk=2001, counts={"lists": 120})
    assert first == ChunkCount(counted=True, finished=False, remaining=1)
    job.refresh_from_db()
    assert (job.status, job.progress_done, job.finished_at) == (JobStatus.RUNNING, 1, None)
    assert job.result == {"chunks_done": [2001], "lists": 120}

    last = job_advance_chunk(job_id=job.pk, chunk=1, counts={"lists": 80})
    assert last == ChunkCount(counted=True, finished=True, remaining=0)
    job.refresh_from_db()
    assert (job.status, job.progress_done, job.progress_total) == (JobStatus.SUCCEEDED, 2, 2)
    assert job.finished_at is not None
    assert job.result == {"chunks_done": [1, 2001], "lists": 200}


@pytest.mark.django_db
def test_a_chunk_delivered_again_counts_nothing():
    job = _running(total=3)
    job_advance_chunk(job_id=job.pk, chunk=1, counts={"lists": 50})
    again = job_advance_chunk(job_id=job.pk, chunk=1, counts={"lists": 0})
    assert again == ChunkCount(counted=False, finished=False, remaining=2)
    job.refresh_from_db()
    assert (job.progress_done, job.status) == (1, JobStatus.RUNNING)
    assert job.result == {"chunks_done": [1], "lists": 50}


@pytest.mark.django_db
def test_a_batch_counts_its_units_and_keeps_the_result_it_finds():
    # A segment batch of 25 categories is 25 of the job's 30 units of progress.
    job = _running(total=30)
    Job.objects.filter(pk=job.pk).update(result={"note": "kept"})
    assert job_advance_chunk(job_id=job.pk, chunk=7, units=25).finished is False
    assert job_advance_chunk(job_id=job.pk, chunk=40, units=5).finished is True
    job.refresh_from_db()
    assert (job.progress_done, job.status) == (30, JobStatus.SUCCEEDED)
    assert job.result == {"note": "kept", "chunks_done": [7, 40]}


@pytest.mark.django_db
def test_a_failed_job_stays_failed_when_its_last_chunk_comes_in():
    job = _running(total=2)
    job_advance_chunk(job_id=job.pk, chunk=1)
    job_fail(job_id=job.pk, error="chunk 2001 failed")
    late = job_advance_chunk(job_id=job.pk, chunk=4001)
    assert late == ChunkCount(counted=True, finished=False, remaining=0)
    job.refresh_from_db()
    assert (job.status, job.progress_done) == (JobStatus.FAILED, 2)


@pytest.mark.django_db(transaction=True)
def test_chunks_counted_at_once_from_many_workers_finish_the_job_exactly_once():
    n = 8
    job = _running(total=n)
    barrier = threading.Barrier(n)
    outcomes: list = [None] * n

    def count(i: int) -> None:
        try:
            barrier.wait(timeout=30)
            outcomes[i] = job_advance_chunk(job_id=job.pk, chunk=1 + 100 * i, counts={"lists": i})
        except Exception as error:  # reported by the assertion below
            outcomes[i] = error
        finally:
            connection.close()

    threads = [threading.Thread(target=count, args=(i,)) for i in range(n)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert all(isinstance(o, ChunkCount) and o.counted for o in outcomes), outcomes
    assert sum(o.finished for o in outcomes) == 1
    job.refresh_from_db()
    assert (job.status, job.progress_done) == (JobStatus.SUCCEEDED, 8)
    assert job.result["chunks_done"] == [1, 101, 201, 301, 401, 501, 601, 701]
    assert job.result["lists"] == 28  # 0 + 1 + … + 7

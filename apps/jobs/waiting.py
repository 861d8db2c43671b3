"""Wait for a job from a management command, showing its progress."""

from __future__ import annotations

import time

from tqdm import tqdm

from apps.jobs.models import Job, JobStatus


def job_wait(*, job_id: int, timeout: float | None = None, progress: bool = True) -> Job:
    """Poll the job until it has finished (or the timeout passes) and return it."""
    deadline = None if timeout is None else time.monotonic() + timeout
    bar = None
    try:
        while True:
            job = Job.objects.get(pk=job_id)
            if progress and bar is None and job.progress_total:
                bar = tqdm(total=job.progress_total, desc=job.kind, unit="item")
            if bar is not None:
                bar.update(job.progress_done - bar.n)
            if job.status in (JobStatus.SUCCEEDED, JobStatus.FAILED):
                return job
            if deadline is not None and time.monotonic() > deadline:
                return job
            time.sleep(0.5)
    finally:
        if bar is not None:
            bar.close()

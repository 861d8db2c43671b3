"""Run a purchase-timing fit under a job record, for the Celery task and the job pages."""

from __future__ import annotations

import datetime as dt

from django.db import transaction

from apps.jobs.models import Job
from apps.jobs.services import job_create, job_fail, job_start, job_succeed
from apps.segments.job_messages import TIMING_FITTED, TIMING_FITTING
from apps.segments.models import PurchaseTimingFit
from apps.segments.timing.fit import TimingFitRefused, purchase_timing_fit


def purchase_timing_fit_job(*, job_id: int, as_of: dt.date) -> PurchaseTimingFit:
    """Fit under a job; a redelivered job that already has its fit does nothing."""
    existing = PurchaseTimingFit.objects.filter(job_id=job_id).first()
    if existing is not None:
        return existing
    job_start(job_id=job_id, total=1, message=TIMING_FITTING())
    try:
        fit = purchase_timing_fit(as_of=as_of, job_id=job_id)
    except TimingFitRefused as refusal:  # bad input, not a crash: the reason alone
        job_fail(job_id=job_id, error=str(refusal))
        raise
    except Exception as error:
        job_fail(job_id=job_id, error=error)
        raise
    job_succeed(
        job_id=job_id,
        result={"fit": fit.pk, "auc": fit.auc, "auc_rule": fit.auc_rule},
        message=TIMING_FITTED(auc=f"{fit.auc or 0:.3f}", rule=f"{fit.auc_rule or 0:.3f}"),
    )
    return fit


def purchase_timing_fit_queue(*, as_of: dt.date, started_by=None) -> Job:
    """Record a fit job and queue it for a worker once the transaction commits."""
    from apps.segments.tasks import purchase_timing_fit_task

    job = job_create(
        kind="purchase_timing", params={"as_of": as_of.isoformat()}, started_by=started_by, total=1
    )
    transaction.on_commit(lambda: purchase_timing_fit_task.delay(job.pk, as_of.isoformat()))
    return job

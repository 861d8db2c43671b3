"""The retention policy and its last run, in one line for the dashboard.

The run is `apps.rights`'s (above reports): read here from its job records and the settings
by their names, not by importing it. Its full account is on the privacy home page.
"""

from __future__ import annotations

from django.conf import settings
from django.utils.timezone import localtime

from apps.core.dates import local_date
from apps.jobs.models import Job, JobStatus

RETENTION_JOB_KIND = "retention"  # apps.rights.retention.JOB_KIND


def _many(n: int, word: str) -> str:
    return f"{n:,} {word}{'s' if n != 1 else ''}"


def retention_line() -> str:
    """Return the policy and when it last ran: "Retention: baskets … · last run …"."""
    baskets = settings.CRM_RETENTION_BASKET_YEARS
    inactive = settings.CRM_RETENTION_INACTIVE_YEARS
    policy = [
        f"baskets tied to a member for {_many(baskets, 'year')}"
        if baskets
        else "baskets kept tied",
        f"members inactive {_many(inactive, 'year')} erased"
        if inactive
        else "inactive members kept",
    ]
    job = (
        Job.objects.filter(kind=RETENTION_JOB_KIND)
        .only("created_at", "finished_at", "status", "result")
        .order_by("-created_at")
        .first()
    )
    if job is None:
        when = "not run yet"
    else:
        at = local_date(localtime(job.finished_at or job.created_at), "M j, Y H:i")
        when = {
            JobStatus.SUCCEEDED: f"last run {at}",
            JobStatus.FAILED: f"last run {at} failed",
        }.get(job.status, "running now")
        if job.status == JobStatus.SUCCEEDED:
            r = job.result
            when += (
                f" ({_many(r.get('baskets_detached', 0), 'basket')} detached, "
                f"{_many(r.get('members_erased', 0), 'member')} erased)"
            )
    return f"Retention: {'; '.join(policy)} · {when}"

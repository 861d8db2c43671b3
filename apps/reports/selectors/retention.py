"""The retention policy and its last run, in one line for the dashboard.

The run is `apps.rights`'s (above reports): read here from its job records and the settings
by their names, not by importing it. Its full account is on the privacy home page.
"""

from __future__ import annotations

from django.conf import settings
from django.utils.timezone import localtime
from django.utils.translation import gettext, ngettext

from apps.core.dates import local_date
from apps.jobs.models import Job, JobStatus

RETENTION_JOB_KIND = "retention"  # apps.rights.retention.JOB_KIND


def retention_line() -> str:
    """Return the policy and when it last ran: "Retention: baskets … · last run …".

    Each part is a whole phrase of its own message (ngettext for the counts), so that a
    language may order its words as it needs."""
    baskets = settings.CRM_RETENTION_BASKET_YEARS
    inactive = settings.CRM_RETENTION_INACTIVE_YEARS
    policy = [
        ngettext(
            "baskets tied to a member for %(n)s year",
            "baskets tied to a member for %(n)s years",
            baskets,
        )
        % {"n": f"{baskets:,}"}
        if baskets
        else gettext("baskets kept tied"),
        ngettext(
            "members inactive %(n)s year erased", "members inactive %(n)s years erased", inactive
        )
        % {"n": f"{inactive:,}"}
        if inactive
        else gettext("inactive members kept"),
    ]
    job = (
        Job.objects.filter(kind=RETENTION_JOB_KIND)
        .only("created_at", "finished_at", "status", "result")
        .order_by("-created_at")
        .first()
    )
    if job is None:
        when = gettext("not run yet")
    elif job.status == JobStatus.SUCCEEDED:
        r = job.result
        detached, erased = r.get("baskets_detached", 0), r.get("members_erased", 0)
        when = gettext("last run %(at)s (%(baskets)s detached, %(members)s erased)") % {
            "at": _at(job),
            "baskets": ngettext("%(n)s basket", "%(n)s baskets", detached) % {"n": f"{detached:,}"},
            "members": ngettext("%(n)s member", "%(n)s members", erased) % {"n": f"{erased:,}"},
        }
    elif job.status == JobStatus.FAILED:
        when = gettext("last run %(at)s failed") % {"at": _at(job)}
    else:
        when = gettext("running now")
    return gettext("Retention: %(policy)s · %(when)s") % {
        "policy": gettext("; ").join(policy),
        "when": when,
    }


def _at(job: Job) -> str:
    return local_date(localtime(job.finished_at or job.created_at), "M j, Y H:i")

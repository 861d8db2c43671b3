"""The privacy officer's home: the retention policy and its last runs, recent erasures."""

from __future__ import annotations

from django.db.models import Count
from django.shortcuts import render
from django.urls import path
from django.utils.translation import gettext
from django_celery_beat.models import PeriodicTask

from apps.accounts.models import Role
from apps.accounts.permissions import role_required
from apps.jobs.display import as_date, job_outcome
from apps.rights.models import Erasure, ErasureReason
from apps.rights.retention import RetentionPolicy, last_retention_runs

SCHEDULE_TASK = "apps.rights.tasks.retention_nightly_task"
RECENT_ERASURES = 20


def retention_schedule() -> str:
    """Return when beat runs retention, in words, or why it does not."""
    task = PeriodicTask.objects.filter(task=SCHEDULE_TASK).select_related("crontab").first()
    if task is None or task.crontab is None:
        return gettext("No nightly run is scheduled (Periodic tasks, in the admin).")
    if not task.enabled:
        return gettext("The nightly run is turned off (Periodic tasks, in the admin).")
    c = task.crontab
    if c.day_of_week == c.day_of_month == c.month_of_year == "*" and c.hour.isdigit():
        return gettext("Runs every night at %(time)s.") % {
            "time": f"{int(c.hour):02d}:{int(c.minute or 0):02d}"
        }
    cron = " ".join([c.minute, c.hour, c.day_of_month, c.month_of_year, c.day_of_week])
    return gettext("Runs on the schedule “%(cron)s” (minute, hour, day, month, weekday).") % {
        "cron": cron
    }


def _day_or_off(value: object) -> str:
    return as_date(value) if value else gettext("off")


@role_required(Role.PRIVACY)
def home(request):
    policy = RetentionPolicy.from_settings()
    runs = [
        {
            "job": job,
            "outcome": job_outcome(job),
            "basket_cutoff": _day_or_off(job.params.get("basket_cutoff")),
            "inactive_cutoff": _day_or_off(job.params.get("inactive_cutoff")),
        }
        for job in last_retention_runs()
    ]
    by_reason = dict(
        Erasure.objects.order_by()
        .values_list("reason")
        .annotate(n=Count("id"))
        .values_list("reason", "n")
    )
    context = {
        "policy": policy,
        "sentences": policy.sentences(),
        "schedule": retention_schedule(),
        "runs": runs,
        "last_run": runs[0] if runs else None,
        # Who was erased is not shown: when, why, the request's reference and by whom.
        "erasures": Erasure.objects.only("at", "reason", "reference", "actor_name")[
            :RECENT_ERASURES
        ],
        "erased_on_request": by_reason.get(ErasureReason.REQUEST, 0),
        "erased_by_retention": by_reason.get(ErasureReason.RETENTION, 0),
    }
    return render(request, "privacy/home.html", context)


urlpatterns = [path("", home, name="home")]

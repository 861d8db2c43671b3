"""The lists room's answers to other rooms' news."""

from __future__ import annotations

import datetime as dt

from django.dispatch import receiver
from django.utils import timezone

from apps.campaigns.allocation import open_periods
from apps.campaigns.models import Candidate
from apps.campaigns.signals import campaign_activated
from apps.jobs.models import Job
from apps.lists.services import JOB_KIND, ListRules, lists_generate


def period_rules(period_start: dt.date) -> ListRules:
    """The rules the period's lists were last generated with (the defaults if unknown)."""
    job = (
        Job.objects.filter(kind=JOB_KIND, params__period_start=period_start.isoformat())
        .order_by("-created_at", "-id")
        .first()
    )
    try:
        return ListRules.from_params(job.params) if job else ListRules()
    except (KeyError, ValueError, ArithmeticError):
        return ListRules()


@receiver(campaign_activated, dispatch_uid="lists_allocate_activated_campaign")
def allocate_activated_campaign(sender, *, campaign, user=None, **kwargs) -> None:
    """Generate the open periods again: their holders' new candidates are scored, the period
    decided and the given offers printed on the same lists, as a new version (a job each,
    shown on the lists page)."""
    for period_start in open_periods(campaign=campaign, today=timezone.localdate()):
        if Candidate.objects.filter(campaign=campaign, period_start=period_start).exists():
            continue  # the period's lists were made with it live already (the demo's seed)
        lists_generate(period_start=period_start, rules=period_rules(period_start), started_by=user)

"""The job list: what ran, its outcome in words, and when (the site's date format)."""

from __future__ import annotations

import django_tables2 as tables
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from apps.jobs.display import job_outcome, job_title
from apps.jobs.models import Job


def outcome_badge(record: Job) -> str:
    """Return the job's outcome as a coloured badge, with its counts beside it."""
    outcome = job_outcome(record)
    if not outcome.details:
        return format_html('<span class="badge {}">{}</span>', outcome.badge_class, outcome.label)
    return format_html(
        '<span class="badge {}">{}</span> <span class="small job-outcome-details">{}</span>',
        outcome.badge_class,
        outcome.label,
        ", ".join(outcome.details),
    )


class JobTable(tables.Table):
    id = tables.Column(linkify=True, verbose_name=_("Job"))
    kind = tables.Column(verbose_name=_("What"))
    status = tables.Column(verbose_name=_("Status"))
    percent = tables.TemplateColumn(
        template_name="jobs/includes/progress_cell.html",
        verbose_name=_("Progress"),
        orderable=False,
    )
    message = tables.Column(verbose_name=_("Message"))
    started_by = tables.Column(verbose_name=_("Started by"), default=_("system"))
    created_at = tables.DateTimeColumn(
        verbose_name=_("Created"), attrs={"td": {"class": "text-nowrap"}}
    )

    class Meta:
        model = Job
        fields = ["id", "kind", "status", "percent", "message", "started_by", "created_at"]
        empty_text = _("No jobs yet.")

    def render_message(self, record: Job) -> str:
        return record.message_shown

    def render_kind(self, value: str) -> str:
        return job_title(value)

    def render_status(self, record: Job) -> str:
        return outcome_badge(record)

    def value_status(self, record: Job) -> str:
        return job_outcome(record).text

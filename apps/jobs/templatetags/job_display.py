"""`{% job_outcome job as outcome %}`: a job's outcome in words and colour, for includes."""

from __future__ import annotations

from django import template

from apps.jobs import display
from apps.jobs.models import Job

register = template.Library()


@register.simple_tag
def job_outcome(job: Job) -> display.Outcome:
    return display.job_outcome(job)

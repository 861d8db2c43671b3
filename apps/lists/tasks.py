"""Celery tasks for lists: thin wrappers around one service each."""

from __future__ import annotations

import datetime as dt

from celery import shared_task
from django.utils import timezone

from apps.lists.services import ListRules, lists_finish, lists_generate, lists_generate_chunk


@shared_task(acks_late=True)
def lists_generate_chunk_task(job_id: int, period_start: str, lo: int, hi: int, rules: dict) -> int:
    """Generate the lists of one member id range for a job."""
    return lists_generate_chunk(
        job_id=job_id,
        period_start=dt.date.fromisoformat(period_start),
        lo=lo,
        hi=hi,
        rules=ListRules.from_params(rules),
    )


@shared_task(acks_late=True)
def lists_finish_task(job_id: int, period_start: str) -> int:
    """Choose and print a period's offers once every member chunk of its job is done."""
    printed = lists_finish(job_id=job_id, period_start=dt.date.fromisoformat(period_start))
    return printed.offers if printed else 0


@shared_task(acks_late=True)
def lists_biweekly_task() -> int:
    """Generate the lists of the two weeks starting today (local); scheduled every 14 days."""
    return lists_generate(period_start=timezone.localdate()).pk

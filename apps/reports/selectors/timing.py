"""When the dashboard's figures are from: the refresh, the snapshot months, the next one."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db import connection
from django.db.models import Max
from django.utils import timezone
from django_celery_beat.models import PeriodicTask

from apps.jobs.models import Job, JobStatus
from apps.reports.forms import ReportFilters
from apps.reports.models import ReportSnapshot
from apps.reports.services import JOB_KIND


@dataclass(frozen=True)
class RefreshState:
    last: Job | None  # the latest successful refresh
    current: Job | None  # a queued or running refresh, if any


def refresh_state() -> RefreshState:
    """Return the latest successful refresh and the one under way, if any."""
    jobs = list(Job.objects.filter(kind=JOB_KIND).order_by("-created_at")[:10])
    last = next((j for j in jobs if j.status == JobStatus.SUCCEEDED), None)
    current = next((j for j in jobs if j.status in (JobStatus.QUEUED, JobStatus.RUNNING)), None)
    return RefreshState(last=last, current=current)


def default_month() -> dt.date:
    """The latest month with snapshot figures, else the current month."""
    latest = ReportSnapshot.objects.aggregate(m=Max("month"))["m"]
    return latest or timezone.localdate().replace(day=1)


def snapshot_month(filters: ReportFilters) -> dt.date | None:
    """The latest month up to the period's end that has a snapshot (of the category)."""
    rows = ReportSnapshot.objects.filter(month__lte=filters.month_to)
    if filters.category_id is not None:
        rows = rows.filter(category_id=filters.category_id)
    return rows.aggregate(m=Max("month"))["m"]


def previous_snapshot_month(filters: ReportFilters, month: dt.date) -> dt.date | None:
    """The most common month of the snapshots the month's moves compare with."""
    query = """
        SELECT date_trunc('month', s.window_end - 1)::date AS m
        FROM reports_reportsnapshot r JOIN segments_segmentsnapshot s ON s.id = r.previous_id
        WHERE r.month = %s AND (%s::bigint IS NULL OR r.category_id = %s)
        GROUP BY m ORDER BY count(*) DESC, m DESC LIMIT 1
    """
    with connection.cursor() as cursor:
        cursor.execute(query, [month, filters.category_id, filters.category_id])
        row = cursor.fetchone()
    return row[0] if row else None


# The nightly tasks' names (data migrations apps/segments/migrations/0002_nightly_schedule.py
# and apps/reports/migrations/0002_nightly_schedule.py; editable in the admin).
SEGMENTS_NIGHTLY = "Nightly segment refresh"
REPORTS_NIGHTLY = "Nightly report refresh"


@dataclass(frozen=True)
class NextSnapshot:
    """When a snapshot of a later month than the latest one will reach the dashboard."""

    day: dt.date | None  # the night it is made; None when the nightly segment run is off
    segments_at: str | None  # "02:30", the segment run's time (None: not a daily time)
    reports_at: str | None  # "04:00", the dashboard's refresh after it


def _daily_time(task) -> str | None:
    crontab = task.crontab if task is not None else None
    if crontab is None or not (crontab.hour.isdigit() and crontab.minute.isdigit()):
        return None
    return f"{int(crontab.hour):02d}:{int(crontab.minute):02d}"


def next_snapshot(month: dt.date | None, *, now: dt.datetime | None = None) -> NextSnapshot:
    """Return when the nightly runs first make a snapshot of a month after `month`.

    The nightly segment run of day D computes the 52 weeks up to D (exclusive), which the
    dashboard counts as the month of D − 1 (the month whose last days it covers): a month
    after M first appears on the 2nd of the month after M, or on the next run when that
    day has passed (M is an old month). The dashboard's own refresh follows that night.
    """
    tasks = {
        t.name: t
        for t in PeriodicTask.objects.filter(
            name__in=[SEGMENTS_NIGHTLY, REPORTS_NIGHTLY], enabled=True
        ).select_related("crontab")
    }
    segments = tasks.get(SEGMENTS_NIGHTLY)
    reports_at = _daily_time(tasks.get(REPORTS_NIGHTLY))
    if segments is None:
        return NextSnapshot(day=None, segments_at=None, reports_at=reports_at)
    segments_at = _daily_time(segments)
    now = timezone.localtime(now)
    next_run = now.date()
    if segments_at is None or now.strftime("%H:%M") >= segments_at:
        next_run += dt.timedelta(days=1)
    if month is None:
        return NextSnapshot(day=next_run, segments_at=segments_at, reports_at=reports_at)
    following = (month.replace(day=28) + dt.timedelta(days=4)).replace(day=1)
    day = max(next_run, following + dt.timedelta(days=1))
    return NextSnapshot(day=day, segments_at=segments_at, reports_at=reports_at)

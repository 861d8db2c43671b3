"""Refresh the dashboard's aggregates: set-based SQL in one transaction, under a job record."""

from __future__ import annotations

import time

from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext_noop

from apps.jobs.models import Job
from apps.jobs.services import job_create, job_fail, job_progress, job_start, job_succeed
from apps.reports import sql
from apps.reports.offers import offer_model_fit, offer_outcomes_refresh

JOB_KIND = "reports_refresh"
HISTOGRAM_BINS = 20


def _run(cursor, statement: str, params: dict | None = None) -> list[tuple]:
    cursor.execute(statement, params or {})
    return cursor.fetchall() if cursor.description else []


def _refresh_snapshots(cursor) -> int:
    """Re-aggregate the report snapshots that changed; return how many were (re)computed."""
    stale = _run(cursor, sql.DELETE_STALE_REPORT_SNAPSHOTS)
    if stale:
        ids = [row[0] for row in stale]
        _run(cursor, sql.DELETE_CELLS_OF, {"ids": ids})
        _run(cursor, sql.DELETE_MOVES_OF, {"ids": ids})
    fresh = _run(cursor, sql.INSERT_NEW_REPORT_SNAPSHOTS)
    if fresh:
        ids = [row[0] for row in fresh]
        _run(cursor, sql.INSERT_CELLS, {"ids": ids})
        _run(cursor, sql.INSERT_MOVES, {"ids": ids})
    months = sorted({row[1] for row in stale + fresh})
    if months:
        for statement in (
            sql.DELETE_CELL_ROLLUPS,
            sql.INSERT_CELL_ROLLUPS,
            sql.DELETE_MOVE_ROLLUPS,
            sql.INSERT_MOVE_ROLLUPS,
        ):
            _run(cursor, statement, {"months": months})
    return len(fresh)


def _refresh_member_value(cursor) -> int | None:
    """Replace the member-value aggregates with those of the live fit; return its id."""
    for statement in (sql.DELETE_VALUES, sql.DELETE_HISTOGRAMS, sql.DELETE_PARETO):
        _run(cursor, statement)
    rows = _run(cursor, sql.LIVE_FIT)
    if not rows:
        return None
    params = {"fit": rows[0][0], "bins": HISTOGRAM_BINS}
    for statement in (sql.INSERT_VALUES, sql.INSERT_HISTOGRAMS, sql.INSERT_PARETO):
        _run(cursor, statement, params)
    return params["fit"]


def _step_home_stores(cursor, *, full: bool) -> dict:
    _run(cursor, sql.DELETE_HOME_STORES)
    _run(cursor, sql.INSERT_HOME_STORES)
    _run(cursor, sql.DELETE_MEMBER_BASE)
    _run(cursor, sql.INSERT_MEMBER_BASE)
    cursor.execute("ANALYZE reports_homestore")
    return {}


def _step_snapshots(cursor, *, full: bool) -> dict:
    if full:
        _run(cursor, "DELETE FROM reports_cellaggregate")
        _run(cursor, "DELETE FROM reports_celltransition")
        _run(cursor, "DELETE FROM reports_reportsnapshot")
    return {"snapshots_aggregated": _refresh_snapshots(cursor)}


def _step_member_value(cursor, *, full: bool) -> dict:
    return {"fit": _refresh_member_value(cursor)}


def _step_lists(cursor, *, full: bool) -> dict:
    _run(cursor, sql.DELETE_REACH)
    _run(cursor, sql.INSERT_REACH)
    return {}


def _step_campaigns(cursor, *, full: bool) -> dict:
    tz = {"tz": settings.TIME_ZONE}
    for statement in (
        sql.DELETE_CAMPAIGN_CELLS,
        sql.INSERT_CAMPAIGN_CELLS,
        sql.DELETE_REDEMPTION_MONTHS,
        sql.INSERT_REDEMPTION_MONTHS,
        sql.DELETE_LIFT,
        sql.INSERT_LIFT,
    ):
        _run(cursor, statement, tz)
    return {}


def _step_offer_model(cursor, *, full: bool) -> dict:
    """Label the offers given in ended periods, then refit the redemption model on them."""
    today = timezone.localdate()
    labelled = offer_outcomes_refresh(today=today)
    return {"offers_labelled": labelled} | offer_model_fit(today=today).as_result()


# Each step replaces one group of aggregates that belong together, in its own transaction.
STEPS = (
    (gettext_noop("home stores"), _step_home_stores),
    (gettext_noop("snapshot cells and moves"), _step_snapshots),
    (gettext_noop("member value"), _step_member_value),
    (gettext_noop("list reach"), _step_lists),
    (gettext_noop("campaigns: redemptions and lift"), _step_campaigns),
    (gettext_noop("offer model: labels and fit"), _step_offer_model),
)


def _lock_and_tune(cursor) -> None:
    cursor.execute("SELECT pg_advisory_xact_lock(hashtext('reports_refresh'))")
    cursor.execute("SET LOCAL work_mem = '128MB'")
    # The planner's cost estimates switch JIT compilation on, which took 6.8 of the
    # lift statement's 11 s on 100,000 members: these statements run once a night.
    cursor.execute("SET LOCAL jit = off")


def reports_refresh_member_value() -> int | None:
    """Replace the member-value aggregates with the live fit's now; return its id.

    Called when the live fit changes (segments' live_fit_changed), inside the transaction
    that changed it: the dashboard's member-value figures and the live fit change together.
    """
    with transaction.atomic(), connection.cursor() as cursor:
        _lock_and_tune(cursor)
        return _refresh_member_value(cursor)


def reports_refresh(*, job_id: int | None = None, full: bool = False) -> dict:
    """Recompute every aggregate; with `full`, also the cells of unchanged snapshots.

    Each step is one transaction: a page reads a group's previous figures until the new
    ones commit, never half of them. Steps take a transaction-level advisory lock, so two
    refreshes at once run their steps one after the other, never interleaving deletes.
    Home stores come first: every later step splits its figures by them.
    """
    result: dict = {"seconds": {}}
    for number, (label, run_step) in enumerate(STEPS):
        if job_id is not None:
            job_progress(job_id=job_id, done=number, message=label)  # job_messages
        started = time.perf_counter()
        with transaction.atomic(), connection.cursor() as cursor:
            _lock_and_tune(cursor)
            result |= run_step(cursor, full=full)
        result["seconds"][label] = round(time.perf_counter() - started, 2)
    return result


def reports_refresh_job(*, job_id: int, full: bool = False) -> dict:
    """Run a queued refresh job: mark it running, refresh, record the outcome."""
    job_start(job_id=job_id, total=len(STEPS), message=gettext_noop("starting"))
    try:
        result = reports_refresh(job_id=job_id, full=full)
    except Exception as error:
        job_fail(job_id=job_id, error=error)
        raise
    job_succeed(job_id=job_id, result=result, message=gettext_noop("figures refreshed"))
    return result


@transaction.atomic
def reports_refresh_queue(*, started_by=None, full: bool = False) -> Job:
    """Record a refresh job and queue it once the surrounding transaction commits."""
    from apps.reports.tasks import reports_refresh_task

    job = job_create(kind=JOB_KIND, params={"full": full}, started_by=started_by, total=len(STEPS))
    transaction.on_commit(lambda: reports_refresh_task.delay(job.pk, full))
    return job

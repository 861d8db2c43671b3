"""Fit the member-value models (BG/NBD, Gamma-Gamma) to all members' history and store
every member's scores; the statistics themselves are in apps/segments/stats.

The per-member summary (repeat purchase days, recency, age, mean repeat spend) is one SQL
statement; fitting and scoring are vectorized NumPy over all members at once
(apps/segments/stats); scores go back in one INSERT … SELECT. One transaction: a fit
is stored whole or not at all.

Guard rails: a calibration end after the last basket is refused before anything is written;
a fit that fails the sanity checks (stats.sanity) is stored as a candidate, not made
live; making a fit live by hand (a held-back candidate, or restoring an earlier fit) is
audited. See docs/models.md, "Live fit and candidates".
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import NamedTuple

import numpy as np
from django.conf import settings
from django.db import connection, transaction
from django.http import HttpRequest
from django.utils.translation import gettext

from apps.audit.models import AuditKind
from apps.audit.services import audit_record
from apps.core.clock import local_midnight
from apps.jobs.models import Job
from apps.jobs.services import job_create, job_fail, job_start, job_succeed
from apps.segments.job_messages import VALUE_FITTING
from apps.segments.models import RepeatModelFit
from apps.segments.selectors import LIVE_FIT_ID_SQL, basket_days
from apps.segments.signals import live_fit_changed
from apps.segments.stats import (
    RepeatSummary,
    churn_flags,
    fit_problems,
    fit_repeat_models,
    pareto_curve,
    rfm_scores,
    sales_share,
    score_members,
)


class FitRefused(ValueError):
    """A fit was refused before anything was written."""


def calibration_end_check(*, calibration_end: dt.date) -> None:
    """Refuse a calibration end outside the baskets' dates; say which dates would do.

    Past the last basket, the days without data look to the models like members who
    stopped shopping: the dropout rate runs to its cap, and last week's shopper scores
    P(active) 0.00.
    """
    first, last = basket_days()
    if last is None:
        raise FitRefused(gettext("There are no baskets yet: there is no history to fit."))
    days = {
        "day": calibration_end.isoformat(),
        "first": first.isoformat(),
        "last": last.isoformat(),
    }
    if calibration_end > last:
        raise FitRefused(
            gettext(
                "History up to %(day)s is after the last data: the last basket is of "
                "%(last)s. The days after it would look like members who stopped shopping. "
                "Choose %(last)s or earlier."
            )
            % days
        )
    if calibration_end < first:
        raise FitRefused(
            gettext(
                "History up to %(day)s is before the first basket (%(first)s): there is "
                "nothing to fit. Choose a date from %(first)s to %(last)s."
            )
            % days
        )


# Purchase occasions are distinct local days; their spend is the day's basket totals.
SUMMARY_SQL = """
WITH days AS (
    SELECT member_id, (purchased_at AT TIME ZONE %(tz)s)::date AS day, sum(total_amount) AS spend
    FROM baskets_basket
    WHERE member_id IS NOT NULL AND purchased_at < %(before)s
    GROUP BY member_id, day
),
numbered AS (
    SELECT member_id, day, spend,
           row_number() OVER (PARTITION BY member_id ORDER BY day) AS n
    FROM days
)
SELECT member_id,
       count(*) - 1 AS x,
       (max(day) - min(day)) AS span_days,
       (%(end)s::date - min(day)) AS age_days,
       (%(end)s::date - max(day)) AS since_last_days,
       coalesce(avg(spend) FILTER (WHERE n > 1), 0) AS monetary,
       sum(spend) FILTER (WHERE n = 1) AS first_spend,
       sum(spend) AS total_spend
FROM numbered
GROUP BY member_id
ORDER BY member_id
"""


@dataclass(frozen=True)
class MemberHistory:
    summary: RepeatSummary
    since_last_days: np.ndarray
    total_spend: np.ndarray
    # Exact money as PostgreSQL computed it, for storage (the arrays above are for the math).
    total_spend_exact: list
    monetary_exact: list


def member_history(*, calibration_end: dt.date) -> MemberHistory:
    """Return every member's repeat-purchase summary up to and including calibration_end."""
    with connection.cursor() as cursor:
        cursor.execute(
            SUMMARY_SQL,
            {
                "tz": settings.TIME_ZONE,
                "before": local_midnight(calibration_end + dt.timedelta(days=1)),
                "end": calibration_end,
            },
        )
        rows = cursor.fetchall()
    if not rows:
        empty = np.zeros(0)
        return MemberHistory(
            RepeatSummary(empty.astype(np.int64), empty, empty, empty, empty, empty),
            empty,
            empty,
            [],
            [],
        )
    columns = list(zip(*rows, strict=True))
    member = np.asarray(columns[0], dtype=np.int64)
    return MemberHistory(
        summary=RepeatSummary(
            member=member,
            x=np.asarray(columns[1], dtype=np.float64),
            t_x=np.asarray(columns[2], dtype=np.float64) / 7.0,
            T=np.asarray(columns[3], dtype=np.float64) / 7.0,
            monetary=np.asarray(columns[5], dtype=np.float64),
            first_spend=np.asarray(columns[6], dtype=np.float64),
        ),
        since_last_days=np.asarray(columns[4], dtype=np.int64),
        total_spend=np.asarray(columns[7], dtype=np.float64),
        total_spend_exact=list(columns[7]),
        monetary_exact=list(columns[5]),
    )


INSERT_SCORES_SQL = """
INSERT INTO segments_memberscore (
    fit_id, member_id, frequency, recency_weeks, age_weeks, days_since_last, total_spend,
    average_repeat_spend, recency_score, frequency_score, monetary_score, p_alive,
    expected_purchases_2w, expected_purchases_4w, expected_purchases_13w, expected_spend, clv,
    sales_share, cumulative_share, churn_risk)
SELECT %(fit)s, member, x, t_x, big_t, since_last, total_spend, round(monetary, 2),
       r_score, f_score, m_score, p_alive, e2, e4, e13,
       round(spend::numeric, 2), round(clv::numeric, 2), share, cumulative, churn
FROM unnest(
    %(member)s::bigint[], %(x)s::int[], %(t_x)s::float8[], %(T)s::float8[],
    %(since_last)s::int[], %(total_spend)s::numeric[], %(monetary)s::numeric[],
    %(r_score)s::int[], %(f_score)s::int[], %(m_score)s::int[], %(p_alive)s::float8[],
    %(e2)s::float8[], %(e4)s::float8[], %(e13)s::float8[], %(spend)s::float8[],
    %(clv)s::float8[], %(share)s::float8[], %(cumulative)s::float8[], %(churn)s::bool[]
) AS t(member, x, t_x, big_t, since_last, total_spend, monetary, r_score, f_score, m_score,
       p_alive, e2, e4, e13, spend, clv, share, cumulative, churn)
"""


@transaction.atomic
def repeat_model_fit(
    *,
    calibration_end: dt.date,
    clv_months: int = 12,
    monthly_discount_rate: float = 0.01,
    churn_threshold: float = 0.5,
    job_id: int | None = None,
) -> RepeatModelFit:
    """Fit BG/NBD and Gamma-Gamma to members' history up to calibration_end; score all.

    The fit goes live only when it passes the sanity checks; otherwise it is kept as a
    candidate with the reasons in `held_back`, and the live fit stays as it was.
    """
    calibration_end_check(calibration_end=calibration_end)
    history = member_history(calibration_end=calibration_end)
    s = history.summary
    if len(s) == 0:
        raise FitRefused(f"no member purchases on or before {calibration_end}")
    fits = fit_repeat_models(s)
    repeat_buyers = int((s.x > 0).sum())
    problems = fit_problems(fits, members=len(s), repeat_buyers=repeat_buyers)
    scores = score_members(
        fits, s, clv_months=clv_months, monthly_discount_rate=monthly_discount_rate
    )
    rfm = rfm_scores(history.since_last_days, s.x, history.total_spend)
    share = sales_share(history.total_spend)
    curve = pareto_curve(history.total_spend)
    cumulative = np.empty_like(share)
    cumulative[curve.order] = curve.sales_share
    churn = churn_flags(scores.p_alive, s.x, s.t_x, threshold=churn_threshold)

    gg = fits.gamma_gamma
    fit = RepeatModelFit.objects.create(
        calibration_end=calibration_end,
        r=fits.bgnbd.r,
        alpha=fits.bgnbd.alpha,
        a=fits.bgnbd.a,
        b=fits.bgnbd.b,
        bgnbd_log_likelihood=fits.bgnbd.log_likelihood,
        p=gg.p,
        q=gg.q,
        gamma=gg.gamma,
        gamma_gamma_log_likelihood=gg.log_likelihood,
        members=len(s),
        repeat_buyers=repeat_buyers,
        clv_months=clv_months,
        monthly_discount_rate=monthly_discount_rate,
        churn_threshold=churn_threshold,
        job_id=job_id,
        live_since=None,
        held_back=problems,
    )
    # One INSERT … SELECT FROM unnest(arrays): set-based, no Python loop over members.
    arrays = {
        "member": s.member.tolist(),
        "x": s.x.astype(np.int64).tolist(),
        "t_x": s.t_x.tolist(),
        "T": s.T.tolist(),
        "since_last": history.since_last_days.tolist(),
        "total_spend": history.total_spend_exact,
        "monetary": history.monetary_exact,
        "r_score": rfm.recency.tolist(),
        "f_score": rfm.frequency.tolist(),
        "m_score": rfm.monetary.tolist(),
        "p_alive": scores.p_alive.tolist(),
        "e2": scores.expected_purchases[:, 0].tolist(),
        "e4": scores.expected_purchases[:, 1].tolist(),
        "e13": scores.expected_purchases[:, 2].tolist(),
        "spend": scores.expected_spend.tolist(),
        "clv": scores.clv.tolist(),
        "share": share.tolist(),
        "cumulative": cumulative.tolist(),
        "churn": churn.tolist(),
        "fit": fit.pk,
    }
    with connection.cursor() as cursor:
        cursor.execute(INSERT_SCORES_SQL, arrays)
    if not problems:
        # After the scores: whoever follows the live fit reads them in this transaction.
        _make_live(fit)
    return fit


def _live_fit_id() -> int | None:
    with connection.cursor() as cursor:
        cursor.execute(LIVE_FIT_ID_SQL)
        row = cursor.fetchone()
    return row[0] if row else None


def _make_live(fit: RepeatModelFit) -> int | None:
    """Make the fit the live one; return the id of the fit live before (inside a transaction).

    A transaction-level lock serializes changes of the live fit, and live_since is the
    database's clock read after taking it: a later change always gets a later time, so
    "the fit made live last" is the one that committed last. The clock is read by its own
    statement: Citus refuses a volatile function in an UPDATE of a table it manages.
    """
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_advisory_xact_lock(hashtext('segments_live_fit'))")
        previous = _live_fit_id()
        if previous == fit.pk:
            return previous
        cursor.execute("SELECT clock_timestamp()")
        (now,) = cursor.fetchone()
    RepeatModelFit.objects.filter(pk=fit.pk).update(live_since=now)
    fit.live_since = now
    live_fit_changed.send(sender=RepeatModelFit, fit_id=fit.pk, previous_id=previous)
    return previous


class LiveChange(NamedTuple):
    fit: RepeatModelFit
    previous_id: int | None
    changed: bool
    action: str  # "promote" (never live before) or "restore" (live before)


@transaction.atomic
def repeat_model_fit_make_live(
    *, fit_id: int, actor, request: HttpRequest | None = None
) -> LiveChange:
    """Make a stored fit live by hand: promote a held-back candidate or restore an earlier
    fit. Its stored scores become the live ones at once, without refitting; audited.

    Making the live fit live again changes nothing and records nothing.
    """
    fit = RepeatModelFit.objects.select_for_update().get(pk=fit_id)
    action = "restore" if fit.live_since is not None else "promote"
    previous = _make_live(fit)
    if previous == fit.pk:
        return LiveChange(fit, previous, False, action)
    audit_record(
        kind=AuditKind.MODEL_FIT_LIVE,
        request=request,
        actor=actor,
        object_type="repeat_model_fit",
        object_id=str(fit.pk),
        detail={
            "action": action,
            "previous_live": previous,
            "calibration_end": fit.calibration_end.isoformat(),
            "held_back": fit.held_back,
        },
    )
    return LiveChange(fit, previous, True, action)


MESSAGE_MAX = Job._meta.get_field("message").max_length


def repeat_model_fit_job(*, job_id: int, calibration_end: dt.date) -> RepeatModelFit | None:
    """Run a fit under a job record; a redelivered job that already has its fit does nothing."""
    existing = RepeatModelFit.objects.filter(job_id=job_id).first()
    if existing is not None:
        return existing
    job_start(job_id=job_id, total=1, message=VALUE_FITTING())
    try:
        fit = repeat_model_fit(calibration_end=calibration_end, job_id=job_id)
    except FitRefused as refusal:  # bad input, not a crash: the reason without a traceback
        job_fail(job_id=job_id, error=str(refusal))
        raise
    except Exception as error:
        job_fail(job_id=job_id, error=error)
        raise
    live = fit.live_since is not None
    message = f"{fit.members} members scored; " + (
        "the fit is live"
        if live
        else "kept as a candidate, not made live: " + "; ".join(fit.held_back)
    )
    if len(message) > MESSAGE_MAX:
        message = message[: MESSAGE_MAX - 1] + "…"
    job_succeed(
        job_id=job_id,
        result={"fit": fit.pk, "members": fit.members, "live": live, "held_back": fit.held_back},
        message=message,
    )
    return fit


def repeat_model_fit_queue(*, calibration_end: dt.date, started_by=None) -> Job:
    """Record a fit job and queue it for a worker; refuse a bad date before queueing."""
    from apps.segments.tasks import repeat_model_fit_task

    calibration_end_check(calibration_end=calibration_end)
    job = job_create(
        kind="member_models",  # the kind stored on every fit job so far: kept as it is
        params={"calibration_end": calibration_end.isoformat()},
        started_by=started_by,
        total=1,
    )
    transaction.on_commit(lambda: repeat_model_fit_task.delay(job.pk, calibration_end.isoformat()))
    return job

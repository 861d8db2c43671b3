"""Retention: old baskets detached from their members, long-inactive members erased.

Run nightly (a beat schedule, `apps.rights.tasks.retention_nightly_task`) or by hand
(`manage.py retention_run`), under one Job of kind "retention" whose chunks run on the
workers in parallel:

1. Detach: baskets bought before the basket cutoff, and their lines, lose their member
   (`member_id` set to NULL in both tables: the lines repeat it, apps/baskets/models.py),
   and the till's stored request and answer of those baskets the card, list and name.
   Chunks by basket id range; each chunk is one statement over both tables and commits with
   its count on the job. Only rows still attached are written, so a chunk delivered twice,
   a crashed run resumed (`retention_resume`) or tomorrow's run detaches nothing twice.
2. Erase: members who joined before the inactivity cutoff and did nothing since (no
   basket, no points they earned or spent, no consent they changed) are erased as on a
   request (`apps.rights.erasure.erase_members`, reason "retention"). Chunks by member id
   range, queued by the last detach chunk, so that the two phases never write the same
   rows at once.

What "detached" covers and what it keeps is in docs/privacy.md, "Retention".
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext, ngettext

from apps.baskets.owners import anonymous_owner_sql
from apps.core.citus import is_citus
from apps.core.clock import local_midnight
from apps.jobs.models import Job, JobStatus
from apps.jobs.services import job_advance_chunk, job_create, job_fail, job_start, job_succeed
from apps.rights.job_messages import NOTHING_TO_DO, RETENTION_PLAN
from apps.rights.models import RETENTION_REFERENCE, ErasureReason

JOB_KIND = "retention"
BASKET_CHUNK = 20_000  # basket ids per detach chunk: about a day's baskets of a large chain
MEMBER_CHUNK = 5_000  # member ids per erase chunk
# A run that has not finished after this long is taken for dead: a new one may start.
STALE_AFTER = dt.timedelta(hours=12)


def years_before(day: dt.date, years: int) -> dt.date:
    """Return the same calendar day `years` earlier (29 February: the 28th)."""
    try:
        return day.replace(year=day.year - years)
    except ValueError:
        return day.replace(year=day.year - years, day=28)


@dataclass(frozen=True)
class RetentionPolicy:
    """How long baskets stay tied to a member and members stay without activity (0: off)."""

    basket_years: int
    inactive_years: int

    @classmethod
    def from_settings(cls) -> RetentionPolicy:
        return cls(
            basket_years=settings.CRM_RETENTION_BASKET_YEARS,
            inactive_years=settings.CRM_RETENTION_INACTIVE_YEARS,
        )

    @property
    def is_off(self) -> bool:
        return not self.basket_years and not self.inactive_years

    def basket_cutoff(self, today: dt.date) -> dt.date | None:
        """Return the first day whose baskets stay tied (earlier ones detach), or None: off."""
        return years_before(today, self.basket_years) if self.basket_years else None

    def inactive_cutoff(self, today: dt.date) -> dt.date | None:
        """Return the day since which a member must have done something, or None: off."""
        return years_before(today, self.inactive_years) if self.inactive_years else None

    def sentences(self) -> list[str]:
        """Return the policy in plain words, one sentence per rule."""
        baskets, inactive = self.basket_years, self.inactive_years
        return [
            (
                ngettext(
                    "Baskets and their lines older than %(n)s year are detached from the "
                    "member: they stay in the chain's sales, with no one's name on them.",
                    "Baskets and their lines older than %(n)s years are detached from the "
                    "member: they stay in the chain's sales, with no one's name on them.",
                    baskets,
                )
                % {"n": baskets}
                if baskets
                else gettext(
                    "Baskets stay tied to their member for as long as the member is kept "
                    "(basket retention is off)."
                )
            ),
            (
                ngettext(
                    "Members with no purchase or other activity for %(n)s year are erased, "
                    "as on their own request.",
                    "Members with no purchase or other activity for %(n)s years are erased, "
                    "as on their own request.",
                    inactive,
                )
                % {"n": inactive}
                if inactive
                else gettext("Inactive members are kept (their erasure after a time is off).")
            ),
        ]


# --- SQL ------------------------------------------------------------------------------------

# The ids of the baskets still tied to a member and bought before the cutoff: the range
# the detach chunks split. Baskets are loaded in time order, so the range is narrow after
# the first run (the night's newly old baskets).
DETACH_RANGE_SQL = """
SELECT min(id), max(id) FROM baskets_basket
WHERE purchased_at < %(cutoff)s AND member_id IS NOT NULL
"""

# One chunk: the baskets of the id range bought before the cutoff, and their lines, lose
# their member, and their owner becomes the store-day key (apps/baskets/owners.py). Only
# rows still tied are written (a rerun writes nothing). The till's stored request and answer
# of those baskets lose what named the shopper: the card or list barcode scanned, and the
# member (card number, first name) and list barcode answered.
#
# Two forms of the same change. The owner is the key a Citus cluster places rows by, and a
# row's key cannot be updated there: on Citus the rows move, deleted and written again with
# the same ids and values in one statement (foreign keys into baskets are checked at
# commit). On PostgreSQL an UPDATE does it in place, 1.4 times faster (bench_retention at
# 20 k members, 494 k baskets and 1.5 M lines detached, same quiet machine: 17.5 s against
# 25.2 s); tests/privacy runs each on its engine and compares every column of every row
# before and after.
ANONYMOUS_OWNER = anonymous_owner_sql(store="b.store_id", purchased_at="b.purchased_at")
TILLS_SQL = """
tills AS (
    UPDATE checkout_postransaction p
    SET request = CASE WHEN p.request ? 'scanned'
                       THEN jsonb_set(p.request, '{scanned}', 'null') ELSE p.request END,
        response = CASE WHEN jsonb_typeof(p.response) = 'object'
                        THEN p.response || '{"member": null, "list_barcode": null}'::jsonb
                        ELSE p.response END
    FROM detached WHERE p.basket_id = detached.id
      AND (coalesce(p.request->>'scanned', '') <> ''
           OR coalesce(p.response->>'member', '') <> ''
           OR coalesce(p.response->>'list_barcode', '') <> '')
    RETURNING 1
)
SELECT (SELECT count(*) FROM detached), (SELECT count(*) FROM lines),
       (SELECT count(*) FROM tills)
"""
DETACH_IN_PLACE_SQL = f"""
WITH detached AS (
    UPDATE baskets_basket b
    SET member_id = NULL, owner_id = {ANONYMOUS_OWNER}
    WHERE b.id >= %(lo)s AND b.id < %(hi)s AND b.purchased_at < %(cutoff)s
      AND b.member_id IS NOT NULL
    RETURNING b.id, b.owner_id
), lines AS (
    UPDATE baskets_basketline l SET member_id = NULL, owner_id = detached.owner_id
    FROM detached WHERE l.basket_id = detached.id AND l.member_id IS NOT NULL
    RETURNING 1
), {TILLS_SQL}"""
DETACH_MOVE_SQL = f"""
WITH moved AS (
    DELETE FROM baskets_basket b
    WHERE b.id >= %(lo)s AND b.id < %(hi)s AND b.purchased_at < %(cutoff)s
      AND b.member_id IS NOT NULL
    RETURNING b.*
), detached AS (
    INSERT INTO baskets_basket
        (id, basket_id, member_id, owner_id, store_id, purchased_at, total_amount,
         total_discount, line_count, source, loaded_at)
    SELECT b.id, b.basket_id, NULL, {ANONYMOUS_OWNER}, b.store_id, b.purchased_at,
           b.total_amount, b.total_discount, b.line_count, b.source, b.loaded_at
    FROM moved b
    RETURNING id, owner_id
), gone_lines AS (
    DELETE FROM baskets_basketline l USING moved
    WHERE l.owner_id = moved.owner_id AND l.basket_id = moved.id
    RETURNING l.*
), lines AS (
    INSERT INTO baskets_basketline
        (id, basket_id, product_id, member_id, owner_id, purchased_at, quantity, amount,
         discount)
    SELECT l.id, l.basket_id, l.product_id, NULL, b.owner_id, l.purchased_at, l.quantity,
           l.amount, l.discount
    FROM gone_lines l JOIN detached b ON b.id = l.basket_id
    RETURNING 1
), {TILLS_SQL}"""

# Members of an id range inactive since the cutoff: joined before it, not erased, and since
# it no basket, no points they earned, spent or had returned or adjusted at their request,
# and no consent they gave or withdrew themselves (the till, a form, staff on their
# request). Lists printed for them, expiry and bonuses are the chain's doing, not theirs.
#
# The candidates are found first, then those of them active since the cutoff, by id lists:
# not correlated NOT EXISTS, which Citus does not run over sharded tables from a query on
# the members' reference table.
INACTIVE_SQL = """
WITH candidates AS MATERIALIZED (
    SELECT m.id FROM members_member m
    WHERE m.id >= %(lo)s AND m.id < %(hi)s
      AND m.status <> 'erased'
      AND coalesce(m.joined_on, (m.created_at AT TIME ZONE %(tz)s)::date) < %(day)s
), active AS MATERIALIZED (
    SELECT e.member_id FROM rights_erasure e
    WHERE e.member_id IN (SELECT id FROM candidates)
    UNION
    SELECT b.member_id FROM baskets_basket b
    WHERE b.member_id IN (SELECT id FROM candidates) AND b.purchased_at >= %(cutoff)s
    UNION
    SELECT p.member_id FROM rewards_pointsentry p
    WHERE p.member_id IN (SELECT id FROM candidates) AND p.created_at >= %(cutoff)s
      AND p.kind IN ('earn', 'redeem', 'reverse', 'adjust')
    UNION
    SELECT c.member_id FROM members_consentchange c
    WHERE c.member_id IN (SELECT id FROM candidates) AND c.at >= %(cutoff)s
      AND c.source IN ('till', 'form', 'staff')
)
SELECT c.id FROM candidates c
LEFT JOIN active a ON a.member_id = c.id
WHERE a.member_id IS NULL
ORDER BY c.id
"""

MEMBER_RANGE_SQL = "SELECT min(id), max(id) FROM members_member WHERE status <> 'erased'"


def _range_chunks(lo: int | None, hi: int | None, size: int) -> list[tuple[int, int]]:
    """Split the ids [lo, hi] into [a, b) chunks of `size` ids."""
    if lo is None or hi is None:
        return []
    return [(a, min(a + size, hi + 1)) for a in range(lo, hi + 1, size)]


def _bounds(sql: str, params: dict) -> list[int | None]:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return list(cursor.fetchone())


# Chunk keys on the job (`chunks_done`): a detach chunk by its first basket id, an erase
# chunk by minus its first member id (ids start at 1), so the two never collide.
def detach_chunks(params: dict) -> list[tuple[int, int]]:
    lo, hi = params.get("basket_ids") or (None, None)
    return _range_chunks(lo, hi, params["basket_chunk"])


def erase_chunks(params: dict) -> list[tuple[int, int]]:
    lo, hi = params.get("member_ids") or (None, None)
    return _range_chunks(lo, hi, params["member_chunk"])


# --- The work of one chunk ------------------------------------------------------------------


def retention_detach_range(*, cutoff: dt.date, lo: int, hi: int) -> tuple[int, int, int]:
    """Detach the baskets [lo, hi) bought before the cutoff day, their lines and till records.

    Return how many baskets, lines and till records were detached now (0s when done before).
    """
    sql = DETACH_MOVE_SQL if is_citus(connection) else DETACH_IN_PLACE_SQL
    with connection.cursor() as cursor:
        cursor.execute(sql, {"lo": lo, "hi": hi, "cutoff": local_midnight(cutoff)})
        baskets, lines, tills = cursor.fetchone()
    return baskets, lines, tills


def inactive_member_ids(*, cutoff: dt.date, lo: int, hi: int) -> list[int]:
    """Return the ids in [lo, hi) of members inactive since the cutoff day (see INACTIVE_SQL)."""
    params = {"lo": lo, "hi": hi, "day": cutoff, "cutoff": local_midnight(cutoff)}
    with connection.cursor() as cursor:
        cursor.execute(INACTIVE_SQL, {**params, "tz": settings.TIME_ZONE})
        return [row[0] for row in cursor.fetchall()]


def retention_erase_range(*, cutoff: dt.date, lo: int, hi: int, job_id: int | None) -> int:
    """Erase the members in [lo, hi) inactive since the cutoff; return how many."""
    from apps.rights.erasure import erase_members

    ids = inactive_member_ids(cutoff=cutoff, lo=lo, hi=hi)
    if not ids:
        return 0
    reference = RETENTION_REFERENCE % {"job": job_id} if job_id else "Retention"
    return erase_members(ids, reason=ErasureReason.RETENTION, reference=reference)


def retention_chunk(*, job_id: int, phase: str, lo: int, hi: int, enqueue: bool = True) -> int:
    """Do one chunk of a run and count it on the job, in one transaction.

    `phase` is "detach" or "erase". The last detach chunk counted queues the erase chunks
    (also when a redelivered chunk finds itself counted: its first delivery may have died
    between its commit and the queueing; erase chunks count once, whoever queues them).
    """
    job = Job.objects.get(pk=job_id)
    params = job.params
    try:
        with transaction.atomic():
            if phase == "detach":
                cutoff = dt.date.fromisoformat(params["basket_cutoff"])
                baskets, lines, tills = retention_detach_range(cutoff=cutoff, lo=lo, hi=hi)
                counts = {
                    "baskets_detached": baskets,
                    "lines_detached": lines,
                    "till_records_cleared": tills,
                }
                key, done = lo, baskets + lines
            else:
                cutoff = dt.date.fromisoformat(params["inactive_cutoff"])
                erased = retention_erase_range(cutoff=cutoff, lo=lo, hi=hi, job_id=job_id)
                counts, key, done = {"members_erased": erased}, -lo, erased
            count = job_advance_chunk(job_id=job_id, chunk=key, counts=counts)
            erases = len(erase_chunks(params))
            if enqueue and phase == "detach" and erases and count.remaining == erases:
                transaction.on_commit(lambda: _queue(job_id, "erase", erase_chunks(params)))
    except Exception as error:
        job_fail(job_id=job_id, error=error)
        raise
    return done


def _queue(job_id: int, phase: str, chunks: list[tuple[int, int]]) -> None:
    from celery import group

    from apps.rights.tasks import retention_chunk_task

    if chunks:
        group(retention_chunk_task.s(job_id, phase, lo, hi) for lo, hi in chunks).delay()


# --- Starting and resuming a run ------------------------------------------------------------


def retention_plan(*, policy: RetentionPolicy, today: dt.date) -> dict:
    """Return a run's parameters: the cutoffs and the id ranges its chunks split."""
    basket_cutoff = policy.basket_cutoff(today)
    inactive_cutoff = policy.inactive_cutoff(today)
    params: dict = {
        "basket_years": policy.basket_years,
        "inactive_years": policy.inactive_years,
        "basket_cutoff": basket_cutoff.isoformat() if basket_cutoff else None,
        "inactive_cutoff": inactive_cutoff.isoformat() if inactive_cutoff else None,
        "basket_chunk": BASKET_CHUNK,
        "member_chunk": MEMBER_CHUNK,
        "basket_ids": None,
        "member_ids": None,
    }
    if basket_cutoff:
        lo, hi = _bounds(DETACH_RANGE_SQL, {"cutoff": local_midnight(basket_cutoff)})
        params["basket_ids"] = [lo, hi] if lo is not None else None
    if inactive_cutoff:
        lo, hi = _bounds(MEMBER_RANGE_SQL, {})
        params["member_ids"] = [lo, hi] if lo is not None else None
    return params


def running_retention_job() -> Job | None:
    """Return a run still going (queued or running, younger than STALE_AFTER), if any."""
    return (
        Job.objects.filter(
            kind=JOB_KIND,
            status__in=[JobStatus.QUEUED, JobStatus.RUNNING],
            created_at__gte=timezone.now() - STALE_AFTER,
        )
        .order_by("-created_at")
        .first()
    )


def retention_start(
    *,
    policy: RetentionPolicy | None = None,
    today: dt.date | None = None,
    basket_chunk: int = BASKET_CHUNK,
    member_chunk: int = MEMBER_CHUNK,
    started_by=None,
) -> Job | None:
    """Record a run and queue its chunks on the workers; None when the policy is off.

    Refuses (ValidationError) while another run is going: two runs would do the same work.
    """
    policy = policy or RetentionPolicy.from_settings()
    if policy.is_off:
        return None
    if basket_chunk < 1 or member_chunk < 1:
        raise ValidationError(gettext("Chunk sizes must be at least 1."), code="chunk_size")
    today = today or timezone.localdate()
    with transaction.atomic():
        # One run at a time: the lock makes the check and the new record one step.
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(hashtext('rights.retention'))")
        running = running_retention_job()
        if running is not None:
            raise ValidationError(
                gettext("Retention job #%(job)s is still running.") % {"job": running.pk},
                code="already_running",
            )
        params = retention_plan(policy=policy, today=today)
        params |= {"basket_chunk": basket_chunk, "member_chunk": member_chunk}
        job = job_create(kind=JOB_KIND, params=params, started_by=started_by)
    return _run(job)


def retention_resume(*, job_id: int) -> Job:
    """Queue again the chunks of a run that are not counted yet (after a crash)."""
    job = Job.objects.get(pk=job_id, kind=JOB_KIND)
    if job.status == JobStatus.SUCCEEDED:
        return job
    return _run(job)


def _run(job: Job) -> Job:
    params = job.params
    done = set(job.result.get("chunks_done", []))
    detach = [(lo, hi) for lo, hi in detach_chunks(params) if lo not in done]
    erase = [(lo, hi) for lo, hi in erase_chunks(params) if -lo not in done]
    total = len(detach_chunks(params)) + len(erase_chunks(params))
    job_start(job_id=job.pk, total=total, message=_message(len(detach), len(erase)))
    if not total:
        job_succeed(job_id=job.pk, result=job.result, message=NOTHING_TO_DO())
    elif detach:
        transaction.on_commit(lambda: _queue(job.pk, "detach", detach))
    else:
        transaction.on_commit(lambda: _queue(job.pk, "erase", erase))
    job.refresh_from_db()
    return job


def _message(detach: int, erase: int) -> str:
    return RETENTION_PLAN(detach=detach, erase=erase)


# --- What the pages show --------------------------------------------------------------------


def last_retention_runs(limit: int = 5) -> list[Job]:
    """Return the latest runs, newest first."""
    return list(Job.objects.filter(kind=JOB_KIND).order_by("-created_at")[:limit])

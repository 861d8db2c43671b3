"""List generation: fan chunks of member ids out to Celery under one job; SQL per chunk."""

from __future__ import annotations

import datetime as dt
from dataclasses import asdict, dataclass
from decimal import Decimal

from celery import group
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.db.models import Max, Min
from django.utils import timezone
from django.utils.translation import gettext

from apps.campaigns.allocation import (  # PERIOD_DAYS: a list period, re-exported here
    PERIOD_DAYS,
    AllocationRules,
    Eligibility,
    allocation_decide,
    allocation_score,
    eligibility_params,
)
from apps.core.dates import local_date
from apps.jobs.models import Job
from apps.jobs.services import (
    job_advance_chunk,
    job_create,
    job_fail,
    job_start,
    job_succeed,
)
from apps.lists import sql
from apps.lists.job_messages import CHUNKS, NO_MEMBER
from apps.lists.wording import list_words
from apps.members.models import Member
from apps.rewards.birthday import birthday_points_grant
from apps.segments.timing import buy_probabilities_ensure

JOB_KIND = "lists"


@dataclass(frozen=True)
class ListRules:
    """The settable rules of list generation (defaults: the issue's)."""

    min_spend: Decimal = Eligibility.min_spend
    weeks: int = Eligibility.weeks
    reward_rate: Decimal = Decimal("0.05")
    reward_step: Decimal = Decimal("5")
    reward_cap: Decimal = Decimal("40")
    content_per_list: int = 2
    # A category is due when the member is more likely than not to buy it in the period.
    due_probability: float = 0.5

    def as_params(self) -> dict:
        return {k: str(v) for k, v in asdict(self).items()}

    @classmethod
    def from_params(cls, params: dict) -> ListRules:
        return cls(
            min_spend=Decimal(params["min_spend"]),
            weeks=int(params["weeks"]),
            reward_rate=Decimal(params["reward_rate"]),
            reward_step=Decimal(params["reward_step"]),
            reward_cap=Decimal(params["reward_cap"]),
            content_per_list=int(params["content_per_list"]),
            due_probability=float(params.get("due_probability", cls.due_probability)),
        )


def period_month(period_start: dt.date) -> int:
    """Return the month a period counts as for seasonal content: that of its middle day.

    A period from Dec 28 to Jan 10 is mostly January, and its tips should say so.
    """
    return (period_start + dt.timedelta(days=PERIOD_DAYS // 2)).month


def period_ended_error(*, period_start: dt.date, today: dt.date | None = None) -> str | None:
    """Return why lists cannot be made for the period, or None when it has not ended.

    A period that ended gives lists nobody can use (and a permanent "0 lists" row): lists
    are for the current period or a coming one.
    """
    today = today or timezone.localdate()
    last_day = period_start + dt.timedelta(days=PERIOD_DAYS - 1)
    if last_day >= today:
        return None
    return gettext(
        "This period ended on %(last_day)s; lists are for the current or a coming "
        "period (one whose last day is today, %(today)s, or later)."
    ) % {"last_day": _day(last_day), "today": _day(today)}


def _day(day: dt.date) -> str:
    return local_date(day, "D j M Y")


@transaction.atomic
def lists_generate_for_range(
    *, period_start: dt.date, lo: int, hi: int, rules: ListRules, job_id: int | None = None
) -> int:
    """Create the lists (and items but offers) of eligible members with lo <= id < hi.

    Then scores the candidate offers of every list holder of the range (allocation's
    phase one); offers are chosen for the whole period at once and printed by
    `lists_print_offers`. Returns the number of lists created; lists that exist already
    are left as they are, but their holders' new candidates (a campaign activated since)
    are scored.
    """
    params = {
        "lo": lo,
        "hi": hi,
        "start": period_start,
        "end": period_start + dt.timedelta(days=PERIOD_DAYS),
        **eligibility_params(
            period_start=period_start,
            eligibility=Eligibility(min_spend=rules.min_spend, weeks=rules.weeks),
        ),
        "job_id": job_id,
        "tz": settings.TIME_ZONE,
        "reward_rate": rules.reward_rate,
        "reward_step": rules.reward_step,
        "reward_cap": rules.reward_cap,
        "content_per_list": rules.content_per_list,
        "due_probability": rules.due_probability,
        "month": period_month(period_start),
        "words": list_words(),
    }
    # The due items read the members' chances of buying each category in the period.
    buy_probabilities_ensure(period_start=period_start, lo=lo, hi=hi)
    with connection.cursor() as cursor:
        cursor.execute(sql.INSERT_LISTS, params)
        params["list_ids"] = [row[0] for row in cursor.fetchall()]
        if params["list_ids"]:
            for statement in (sql.INSERT_DUE, sql.INSERT_REWARDS):
                cursor.execute(statement, params)
            if rules.content_per_list:
                cursor.execute(sql.INSERT_CONTENT, params)
        cursor.execute(sql.LIST_HOLDERS, params)
        holders = [row[0] for row in cursor.fetchall()]
    allocation_score(period_start=period_start, members=holders)
    # The period's list announces a birthday in it: its gift is given with the list (once a
    # year: a period made again gives nothing twice).
    birthday_points_grant(period_start=period_start, period_end=params["end"], members=holders)
    return len(params["list_ids"])


@dataclass(frozen=True)
class OffersPrinted:
    offers: int  # offer items added to lists
    lists: int  # lists that got them
    outcomes: dict  # allocation's decisions for the period, by outcome


@transaction.atomic
def lists_print_offers(*, period_start: dt.date, rules: AllocationRules | None = None):
    """Decide the period's undecided candidates and print what was given on the lists.

    Allocation's phase two runs once for the whole period (budgets are shared by every
    member), under the period's lock; each given offer is printed once. Lists printed
    before that get an offer now (a campaign activated mid-period) become a new version.
    """
    rules = rules or AllocationRules.from_settings()
    outcomes = allocation_decide(period_start=period_start, rules=rules)
    params = {
        "start": period_start,
        "end": period_start + dt.timedelta(days=PERIOD_DAYS),
        "words": list_words(),
    }
    with connection.cursor() as cursor:
        cursor.execute(sql.INSERT_OFFERS, params)
        printed = [row[0] for row in cursor.fetchall()]
        changed = sorted(set(printed))
        cursor.execute(sql.MARK_VERSIONS, {**params, "changed": changed})
    return OffersPrinted(offers=len(printed), lists=len(changed), outcomes=dict(outcomes))


def lists_generate_chunk(
    *,
    job_id: int,
    period_start: dt.date,
    lo: int,
    hi: int,
    rules: ListRules,
    enqueue_finish: bool = True,
) -> int:
    """Generate one chunk of a job and count it on the job, in one transaction.

    A redelivered chunk (its work committed) finds its lists made and creates none; the
    job counts each chunk once (apps.jobs.services.job_advance_chunk). When every member
    chunk is counted, the period's offers are chosen and printed (`lists_finish`), the
    job's last unit: it succeeds only with the offers on the lists.
    """
    from apps.lists.tasks import lists_finish_task

    try:
        with transaction.atomic():
            created = lists_generate_for_range(
                period_start=period_start, lo=lo, hi=hi, rules=rules, job_id=job_id
            )
            count = job_advance_chunk(job_id=job_id, chunk=lo, counts={"lists": created})
            if enqueue_finish and count.remaining == 1:
                # Also when a redelivered chunk finds itself counted: its first delivery
                # may have died between its commit and this enqueue. Finishing is idempotent.
                transaction.on_commit(
                    lambda: lists_finish_task.delay(job_id, period_start.isoformat())
                )
    except Exception as error:
        job_fail(job_id=job_id, error=error)
        raise
    return created


FINISH_CHUNK = 0  # the finishing unit's key among the job's chunks (member ids start at 1)


def lists_finish(*, job_id: int, period_start: dt.date) -> OffersPrinted | None:
    """Choose and print the period's offers and count it as the job's last unit, at once."""
    try:
        with transaction.atomic():
            printed = lists_print_offers(period_start=period_start)
            count = job_advance_chunk(
                job_id=job_id,
                chunk=FINISH_CHUNK,
                counts={"offers": printed.offers, "lists_with_new_offers": printed.lists},
            )
            return printed if count.counted else None
    except Exception as error:
        job_fail(job_id=job_id, error=error)
        raise


def member_id_chunks(*, chunk_size: int) -> list[tuple[int, int]]:
    """Split the member id range into [lo, hi) chunks of chunk_size ids."""
    bounds = Member.objects.aggregate(lo=Min("id"), hi=Max("id"))
    if bounds["lo"] is None:
        return []
    return [
        (lo, min(lo + chunk_size, bounds["hi"] + 1))
        for lo in range(bounds["lo"], bounds["hi"] + 1, chunk_size)
    ]


def chunks_message(count: int) -> str:
    """The job's message when its chunks are queued (the list page shows it)."""
    return CHUNKS(n=count)


def lists_generate(
    *,
    period_start: dt.date,
    rules: ListRules | None = None,
    chunk_size: int = 2000,
    started_by=None,
) -> Job:
    """Queue the lists of the period [start, start + 14 days), in chunks, under one job.

    Refuses (ValidationError, nothing written) a period that has already ended.
    """
    from apps.lists.tasks import lists_generate_chunk_task

    error = period_ended_error(period_start=period_start)
    if error:
        raise ValidationError(error, code="period_ended")
    rules = rules or ListRules()
    chunks = member_id_chunks(chunk_size=chunk_size)
    job = job_create(
        kind=JOB_KIND,
        params={"period_start": period_start.isoformat(), **rules.as_params()},
        started_by=started_by,
        total=len(chunks) + 1,
    )
    job_start(
        job_id=job.pk,
        total=len(chunks) + 1,
        message=chunks_message(len(chunks)),
    )
    if not chunks:
        job_succeed(job_id=job.pk, message=NO_MEMBER())
        job.refresh_from_db()
        return job
    signature = group(
        lists_generate_chunk_task.s(job.pk, period_start.isoformat(), lo, hi, rules.as_params())
        for lo, hi in chunks
    )
    transaction.on_commit(signature.delay)
    return job

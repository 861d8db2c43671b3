"""Seed the demo's marketing programme on top of its till history.

`generate_demo` loads 52 weeks of baskets; this adds what a chain running the product for a
few weeks would have: segment snapshots and member values, two manufacturer agreements,
three campaigns, two list periods, till tokens, and the tills' checkouts of those weeks
(with redemptions and a return), all through the apps' own services, so that the
dashboard, the manufacturer portal and the settlement pages show current data.

Dates line up with the history: its last day `end` (a Sunday, the day before `make run`
ran by default) anchors everything. The lists of the *previous* period [end-20, end-6)
and the *current* one [end-6, end+8) are generated as the biweekly job would have on
their first mornings; the current period holds today for a week after `end`, so a
checkout "now" finds the current list. Campaigns run from end-20 to end+21.

Idempotent: the whole seed is one transaction and each step looks for its own rows first
(snapshots and lists by their unique keys, agreements and campaigns by name, checkouts by
transaction id), so a second run changes nothing.
"""

from __future__ import annotations

import datetime as dt
import json
import time
from contextlib import contextmanager
from dataclasses import dataclass, field
from decimal import Decimal

from django.contrib.auth import get_user_model
from django.db import connection, transaction
from django.db.models import Max, OuterRef, Q, Subquery
from django.utils import timezone

from apps.accounts.services import demo_users_ensure
from apps.agreements.models import ManufacturerAgreement
from apps.baskets.models import Basket, BasketSource, Store
from apps.campaigns.models import Campaign, Goal
from apps.catalog.models import Category
from apps.checkout.models import PosTransaction, Redemption, TillToken
from apps.checkout.services import till_token_create
from apps.demo.campaigns import agreement_ensure, campaign_budget, campaign_ensure, campaign_offers
from apps.demo.plan import TEST_GOAL, Dates, campaigns_plan
from apps.demo.points import demo_points_seed
from apps.demo.settlement import statements_ensure
from apps.demo.simulate import DEMO_PREFIX, SimulationResult, tills_simulate
from apps.demo.till_try import TILL_NAME
from apps.jobs.models import Job, JobStatus
from apps.jobs.services import job_create, job_start
from apps.lists.models import ShoppingList
from apps.lists.services import (
    JOB_KIND,
    PERIOD_DAYS,
    ListRules,
    chunks_message,
    lists_finish,
    lists_generate_chunk,
)
from apps.lists.services import member_id_chunks as list_chunks
from apps.reports.services import JOB_KIND as REPORTS_JOB
from apps.reports.services import STEPS as REPORT_STEPS
from apps.reports.services import reports_refresh_job
from apps.segments.affinity import category_affinity_compute
from apps.segments.fits import repeat_model_fit
from apps.segments.models import RepeatModelFit
from apps.segments.services import basket_lines_vacuum, snapshots_compute
from apps.segments.stats import FitError

SNAPSHOT_WEEKS = 52
LIST_TASK_NAME = "Biweekly shopping lists"  # apps/lists/migrations/0003_biweekly_schedule.py


@dataclass
class ProgramResult:
    end: dt.date
    makers: tuple[str, ...] = ()
    agreements: list[str] = field(default_factory=list)
    campaigns: list[str] = field(default_factory=list)
    lists: dict[str, int] = field(default_factory=dict)
    simulation: list[SimulationResult] = field(default_factory=list)
    till_secrets: dict[str, str] = field(default_factory=dict)
    logins: list = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    statements: list[str] = field(default_factory=list)
    seconds: dict[str, float] = field(default_factory=dict)

    @property
    def checkouts(self) -> int:
        return sum(s.checkouts for s in self.simulation)

    @property
    def redemptions(self) -> int:
        return sum(s.redemptions for s in self.simulation)


def history_end() -> dt.date | None:
    """Return the local date of the last imported basket (the demo history's last day)."""
    last = Basket.objects.filter(source=BasketSource.IMPORT).aggregate(last=Max("purchased_at"))
    return None if last["last"] is None else timezone.localdate(last["last"])


def demo_program_seed(*, seed: int = 42, max_checkouts: int = 2000) -> ProgramResult:
    """Seed agreements, campaigns, lists, tills and simulated checkouts on the demo history.

    The basket lines are vacuumed first, as the nightly segments task does, so the
    snapshots read them by an index-only scan (apps.segments.services.basket_lines_vacuum):
    a freshly loaded history has no page marked all-visible. VACUUM cannot run inside the
    transaction that seeds the rest.
    """
    basket_lines_vacuum()
    return _program_seed(seed=seed, max_checkouts=max_checkouts)


@transaction.atomic
def _program_seed(*, seed: int, max_checkouts: int) -> ProgramResult:
    end = history_end()
    if end is None:
        raise ValueError("No till history: load the demo data first (generate_demo).")
    dates = Dates(end=end)
    result = ProgramResult(end=end)

    with _timed(result.seconds, "segments (previous period)"):
        _snapshots(window_end=dates.previous)
    with _timed(result.seconds, "plan"):
        trial, retain, convert = campaigns_plan(
            period_start=dates.previous, test_days=(dates.end - dates.previous).days + 1
        )
    makers = tuple(p.manufacturer_code for p in (trial, retain) if p is not None)
    result.makers = makers
    # maker1 and maker2 log in as the two funding makers (campaigns need a marketing user).
    result.logins = demo_users_ensure(manufacturer_codes=makers if len(makers) == 2 else None)
    marketing = get_user_model().objects.get(username="marketing")

    with _timed(result.seconds, "agreements and campaigns"):
        campaigns = []
        funded: list[ManufacturerAgreement] = []
        for pick, goal, share in ((trial, Goal.TRIAL, "50"), (retain, Goal.RETAIN, "60")):
            if pick is None:
                continue
            offers = campaign_offers(pick, goal)
            budget = campaign_budget(pick, offers)
            agreement = agreement_ensure(
                pick=pick, dates=dates, share_pct=Decimal(share), budget=budget
            )
            result.agreements.append(agreement.name)
            funded.append(agreement)
            campaigns.append((pick, goal, offers, budget, agreement))
        if convert is not None:
            offers = campaign_offers(convert, Goal.CONVERT)
            campaigns.append(
                (convert, Goal.CONVERT, offers, campaign_budget(convert, offers), None)
            )
        for number, (pick, goal, offers, budget, agreement) in enumerate(campaigns):
            campaign = campaign_ensure(
                pick=pick, goal=goal, offers=offers, budget=budget, agreement=agreement,
                dates=dates, user=marketing, holdout_seed=seed * 1000 + number,
            )  # fmt: skip
            result.campaigns.append(campaign.name)

    tills = _tills_ensure(result.till_secrets)
    test = frozenset(
        Campaign.objects.filter(name__in=result.campaigns, goal=TEST_GOAL).values_list(
            "pk", flat=True
        )
    )
    rules = ListRules()
    remaining = max_checkouts
    for label, start, until, window_end in (
        ("previous", dates.previous, dates.current - dt.timedelta(days=1), dates.previous),
        ("current", dates.current, dates.end, dates.current),
    ):
        with _timed(result.seconds, f"segments and lists ({label} period)"):
            _snapshots(window_end=window_end)
            result.lists[start.isoformat()] = _lists_ensure(period_start=start, rules=rules)
        with _timed(result.seconds, f"checkouts ({label} period)"):
            # The current period has run for 7 of its 14 days: fewer of its lists were used.
            elapsed_days = (until - start).days + 1
            simulated = tills_simulate(
                period_start=start, last_day=until, tills=tills, seed=seed,
                elapsed_share=min(1.0, elapsed_days / PERIOD_DAYS), max_checkouts=remaining,
                with_return=label == "previous", eager=test,
            )  # fmt: skip
            remaining -= simulated.checkouts
            result.simulation.append(simulated)

    with _timed(result.seconds, "segments and member values (today)"):
        # Also the month before's closing snapshot, made after the lists (which use the
        # latest snapshot): the dashboard's moves between cells compare two months.
        _snapshots(window_end=dates.end.replace(day=1))
        _snapshots(window_end=dates.end + dt.timedelta(days=1))
        # The bought-together rules of the same 52 weeks, as the nightly job makes them:
        # the "Together" page and the affinity audiences read them (a rerun replaces them).
        category_affinity_compute(window_end=dates.end + dt.timedelta(days=1), weeks=SNAPSHOT_WEEKS)
        if not RepeatModelFit.objects.filter(calibration_end=dates.end).exists():
            try:
                repeat_model_fit(calibration_end=dates.end)
            except (ValueError, FitError) as error:
                # A small or short demo may not support a fit; the rest of the demo stands.
                result.notes.append(f"Member-value models not fitted: {error}")
    with _timed(result.seconds, "points"):
        result.notes.append(demo_points_seed(end=dates.end))
    _backdate(dates=dates)
    _list_schedule_continue(dates=dates)
    with _timed(result.seconds, "settlement"):
        result.statements = statements_ensure(agreements=funded, dates=dates, user=marketing)
    with _timed(result.seconds, "dashboard figures"):
        _reports_ensure()
    return result


@contextmanager
def _timed(seconds: dict[str, float], label: str):
    t0 = time.perf_counter()
    yield
    seconds[label] = time.perf_counter() - t0


def _snapshots(*, window_end: dt.date) -> None:
    """Every category's snapshot for the 52 weeks before window_end (existing ones kept)."""
    snapshots_compute(
        category_ids=list(Category.objects.order_by("pk").values_list("pk", flat=True)),
        window_start=window_end - dt.timedelta(weeks=SNAPSHOT_WEEKS),
        window_end=window_end,
    )


def _tills_ensure(secrets: dict[str, str]) -> dict[str, TillToken]:
    """One till token per store (the simulation rings baskets up at home stores)."""
    tills = {}
    for store in Store.objects.order_by("code"):
        till = TillToken.objects.filter(store=store, name=TILL_NAME).first()
        if till is None:
            till, secret = till_token_create(store=store, name=TILL_NAME)
            secrets[store.code] = secret
        tills[store.code] = till
    return tills


def _lists_ensure(*, period_start: dt.date, rules: ListRules) -> int:
    """Generate the period's lists under a job, as the biweekly task does, but in-process.

    The workers are not running yet when `make run` seeds, so the chunks run here, one
    after the other, through the same chunk service the Celery task calls.
    """
    existing = ShoppingList.objects.filter(period_start=period_start).count()
    if existing:
        return existing
    chunks = list_chunks(chunk_size=2000)
    job = job_create(
        kind=JOB_KIND,
        params={"period_start": period_start.isoformat(), **rules.as_params()},
        total=len(chunks) + 1,
    )
    job_start(
        job_id=job.pk,
        total=len(chunks) + 1,
        message=chunks_message(len(chunks)),
    )
    created = 0
    for lo, hi in chunks:
        created += lists_generate_chunk(
            job_id=job.pk,
            period_start=period_start,
            lo=lo,
            hi=hi,
            rules=rules,
            enqueue_finish=False,
        )
    lists_finish(job_id=job.pk, period_start=period_start)
    return created


def _backdate(*, dates: Dates) -> None:
    """Date the seeded rows when they would have been made, not when the seed ran.

    Reports read redemptions, tills' transactions and lists by their timestamps; a demo
    whose three weeks of checkouts all carry today's time would show one spike.
    """
    morning = dt.time(6, 0)
    for start in (dates.previous, dates.current):
        made = timezone.make_aware(dt.datetime.combine(start, morning))
        ShoppingList.objects.filter(period_start=start).update(created_at=made)
        Job.objects.filter(kind=JOB_KIND, params__period_start=start.isoformat()).update(
            created_at=made, started_at=made, finished_at=made + dt.timedelta(minutes=2)
        )
    approved = timezone.make_aware(
        dt.datetime.combine(dates.previous - dt.timedelta(days=7), dt.time(10, 0))
    )
    Campaign.objects.filter(
        valid_from=dates.previous, valid_until=dates.campaigns_until, approved_at__gt=approved
    ).update(created_at=approved, approved_at=approved)
    ManufacturerAgreement.objects.filter(
        valid_from=dates.agreements_from, created_at__gt=approved
    ).update(created_at=approved - dt.timedelta(days=7))
    demo = PosTransaction.objects.filter(transaction_id__startswith=DEMO_PREFIX)
    # The sales' times read first, then written: a cluster shards the baskets by member and
    # keeps the till's transactions on its coordinator, where an UPDATE of one reading the
    # other is refused (docs/scale.md).
    times = Basket.objects.filter(pk__in=demo.values("basket")).values_list("pk", "purchased_at")
    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE checkout_postransaction p SET created_at = b.at "
            "FROM jsonb_to_recordset(%s::jsonb) b(id bigint, at timestamptz) "
            "WHERE p.basket_id = b.id AND p.transaction_id LIKE %s",
            [json.dumps([{"id": pk, "at": at.isoformat()} for pk, at in times]), f"{DEMO_PREFIX}%"],
        )
    Redemption.objects.filter(pos_transaction__in=demo).update(
        created_at=Subquery(
            PosTransaction.objects.filter(pk=OuterRef("pos_transaction")).values("created_at")[:1]
        )
    )
    # A reversed redemption was reversed by the (demo) return of its sale.
    Redemption.objects.filter(pos_transaction__in=demo, reversed_at__isnull=False).update(
        reversed_at=Subquery(
            PosTransaction.objects.filter(original=OuterRef("pos_transaction"))
            .order_by("created_at")
            .values("created_at")[:1]
        )
    )


def _list_schedule_continue(*, dates: Dates) -> None:
    """Let the biweekly list task go on from the current period: next run on its end."""
    from django_celery_beat.models import PeriodicTask

    ran = timezone.make_aware(dt.datetime.combine(dates.current, dt.time(6, 0)))
    PeriodicTask.objects.filter(name=LIST_TASK_NAME).filter(
        Q(last_run_at__isnull=True) | Q(last_run_at__lt=ran)
    ).update(last_run_at=ran)


def _reports_ensure() -> None:
    """Refresh the dashboard's aggregates once, under a job, as the nightly task would."""
    if Job.objects.filter(kind=REPORTS_JOB, status=JobStatus.SUCCEEDED).exists():
        return
    job = job_create(kind=REPORTS_JOB, params={"full": False}, total=len(REPORT_STEPS))
    reports_refresh_job(job_id=job.pk)


def demo_program_makers() -> tuple[str, str] | None:
    """Return the codes of the demo agreements' makers (maker1, maker2), if seeded."""
    codes: list[str] = []
    for code in ManufacturerAgreement.objects.order_by("pk").values_list(
        "manufacturer__code", flat=True
    ):
        if code not in codes:
            codes.append(code)
    return (codes[0], codes[1]) if len(codes) >= 2 else None

"""Retention: old baskets detached in chunks, inactive members erased, reruns change nothing."""

from __future__ import annotations

import datetime as dt
import io
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.db.models import Count, Sum

from apps.baskets.models import Basket, BasketLine
from apps.checkout.models import PosTransaction
from apps.jobs.models import Job, JobStatus
from apps.members.models import Member, MemberStatus
from apps.rights.models import Erasure
from apps.rights.retention import (
    JOB_KIND,
    RetentionPolicy,
    retention_chunk,
    retention_resume,
    retention_start,
    years_before,
)
from tests.privacy.retention_data import CUTOFF, TODAY, build_retention_chain, ownership

EPOCH = dt.date(1970, 1, 1)
POLICY = RetentionPolicy(basket_years=3, inactive_years=3)


@pytest.fixture
def eager(settings):
    """Run the chunk tasks in this process, as the workers would, one after the other."""
    from crm_site.celery import app

    settings.CELERY_TASK_ALWAYS_EAGER = True
    app.conf.task_always_eager = True
    yield
    app.conf.task_always_eager = False


@pytest.fixture
def chain(db):
    return build_retention_chain()


def run(capture, **kwargs) -> Job:
    with capture(execute=True):
        job = retention_start(policy=kwargs.pop("policy", POLICY), today=TODAY, **kwargs)
    job.refresh_from_db()
    return job


def totals() -> tuple:
    """What the chain's sales figures read: sums over every basket and line, by store."""
    baskets = Basket.objects.values("store").annotate(n=Count("id"), s=Sum("total_amount"))
    lines = BasketLine.objects.aggregate(n=Count("id"), s=Sum("amount"), q=Sum("quantity"))
    return sorted((r["store"], r["n"], r["s"]) for r in baskets), lines


def every_row_but_the_owner() -> tuple[list, list]:
    """Every basket and line with all its values but the member and the owner."""

    def rows(model):
        names = [f.attname for f in model._meta.concrete_fields]
        kept = [n for n in names if n not in ("member_id", "owner_id")]
        return sorted(model.objects.values_list(*kept), key=lambda row: row[0])

    return rows(Basket), rows(BasketLine)


def test_cutoff_is_the_same_day_years_before():
    assert years_before(TODAY, 3).isoformat() == "2023-12-06"
    assert years_before(TODAY.replace(year=2028, month=2, day=29), 3).isoformat() == "2025-02-28"


def test_run_detaches_exactly_the_old_baskets_and_lines(
    chain, eager, django_capture_on_commit_callbacks
):
    expected_baskets, expected_lines = chain.expected_detached()
    assert (expected_baskets, expected_lines) == (3, 6)  # the builder's plan, by hand
    before = totals()
    rows_before = every_row_but_the_owner()

    job = run(django_capture_on_commit_callbacks, basket_chunk=2, member_chunk=2)

    assert job.status == JobStatus.SUCCEEDED, job.error
    assert job.result["baskets_detached"] == expected_baskets
    assert job.result["lines_detached"] == expected_lines
    assert job.progress_done == job.progress_total == len(job.result["chunks_done"])
    old = Basket.objects.filter(purchased_at__lt=CUTOFF)
    assert not old.filter(member__isnull=False).exists()
    assert not BasketLine.objects.filter(purchased_at__lt=CUTOFF, member__isnull=False).exists()
    # Their owner is now the store-day key (apps/baskets/owners.py), lines like baskets.
    store_day = {
        b.pk: -(b.store_id * 100_000 + (b.purchased_at.astimezone(dt.UTC).date() - EPOCH).days)
        for b in chain.baskets
        if b.purchased_at < CUTOFF
    }
    assert dict(old.values_list("pk", "owner_id")) == store_day
    assert {
        (line.basket_id, line.owner_id)
        for line in BasketLine.objects.filter(basket_id__in=store_day)
    } == set(store_day.items())
    # At the cutoff and after: untouched, lines included.
    kept = {(b.pk, b.member_id) for b in chain.baskets if b.purchased_at >= CUTOFF}
    assert (
        set(Basket.objects.filter(purchased_at__gte=CUTOFF).values_list("pk", "member_id")) == kept
    )
    kept_lines = {(x.pk, x.member_id) for x in chain.lines if x.purchased_at >= CUTOFF}
    assert {
        (x.pk, x.member_id) for x in BasketLine.objects.filter(purchased_at__gte=CUTOFF)
    } == kept_lines
    assert all(member_id == chain.mixed.pk for _, member_id in kept_lines)
    # The old sale's till record no longer names the shopper; the recent one does.
    assert job.result["till_records_cleared"] == 1
    old_till, recent_till = (PosTransaction.objects.get(pk=t.pk) for t in chain.tills)
    assert old_till.request["scanned"] is None and old_till.response["member"] is None
    assert old_till.response["total"] == "5.98"
    assert recent_till.request == chain.tills[1].request
    assert recent_till.response == chain.tills[1].response
    # The chain's sales figures read the same: nothing deleted, no amount changed.
    assert totals() == before
    # The rows moved to their new owner (deleted and written again, apps/rights/retention.py)
    # with every other value as it was, ids and load times included.
    assert every_row_but_the_owner() == rows_before


def test_inactive_members_are_erased_and_active_ones_kept(
    chain, eager, django_capture_on_commit_callbacks
):
    job = run(django_capture_on_commit_callbacks)

    assert job.result["members_erased"] == 1
    erasure = Erasure.objects.get()
    assert erasure.member_id == chain.old_only.pk
    assert erasure.reason == "retention" and erasure.reference == f"Retention job #{job.pk}"
    assert Member.objects.get(pk=chain.old_only.pk).status == MemberStatus.ERASED
    for member in (chain.mixed, chain.newcomer, chain.consented, chain.adjusted):
        assert Member.objects.get(pk=member.pk).status == MemberStatus.ACTIVE, member


def test_a_rerun_changes_nothing(chain, eager, django_capture_on_commit_callbacks):
    run(django_capture_on_commit_callbacks, basket_chunk=2)
    after_first = ownership()
    erasures = list(Erasure.objects.values_list("pk", "member_id"))

    again = run(django_capture_on_commit_callbacks, basket_chunk=2)

    assert again.status == JobStatus.SUCCEEDED
    assert again.result.get("baskets_detached", 0) == 0
    assert again.result.get("lines_detached", 0) == 0
    assert again.result.get("members_erased", 0) == 0
    assert again.result.get("till_records_cleared", 0) == 0
    assert ownership() == after_first
    assert list(Erasure.objects.values_list("pk", "member_id")) == erasures


def test_a_crashed_run_resumes_and_counts_each_chunk_once(
    chain, eager, django_capture_on_commit_callbacks
):
    expected = chain.expected_detached()
    # Queued but the workers died: nothing ran (the callbacks that queue are not run).
    with django_capture_on_commit_callbacks(execute=False):
        job = retention_start(policy=POLICY, today=TODAY, basket_chunk=1, member_chunk=3)
    first_lo = job.params["basket_ids"][0]
    # One chunk committed before the crash, and is delivered again after it.
    retention_chunk(job_id=job.pk, phase="detach", lo=first_lo, hi=first_lo + 1, enqueue=False)
    assert (
        retention_chunk(job_id=job.pk, phase="detach", lo=first_lo, hi=first_lo + 1, enqueue=False)
        == 0
    )

    with django_capture_on_commit_callbacks(execute=True):
        retention_resume(job_id=job.pk)
    job.refresh_from_db()

    assert job.status == JobStatus.SUCCEEDED, job.error
    assert (job.result["baskets_detached"], job.result["lines_detached"]) == expected
    assert job.result["members_erased"] == 1
    assert job.progress_done == job.progress_total


def test_basket_retention_off_keeps_every_basket_tied(
    chain, eager, django_capture_on_commit_callbacks
):
    before = ownership()
    job = run(django_capture_on_commit_callbacks, policy=RetentionPolicy(0, 3))
    assert job.params["basket_cutoff"] is None
    assert ownership() == before
    assert job.result["members_erased"] == 1  # erased, their baskets kept as they were


def test_both_off_starts_nothing(chain):
    assert retention_start(policy=RetentionPolicy(0, 0), today=TODAY) is None
    assert not Job.objects.filter(kind=JOB_KIND).exists()


def test_a_second_run_is_refused_while_one_is_going(chain, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False):
        first = retention_start(policy=POLICY, today=TODAY)
    with pytest.raises(ValidationError, match=f"#{first.pk} is still running"):
        retention_start(policy=POLICY, today=TODAY)


def test_command_runs_and_reports(chain, eager, settings, monkeypatch):
    settings.CRM_RETENTION_BASKET_YEARS = 3
    settings.CRM_RETENTION_INACTIVE_YEARS = 3
    # The command waits for the job: what is queued on commit runs at once here.
    monkeypatch.setattr("django.db.transaction.on_commit", lambda fn, **kw: fn())
    out = io.StringIO()
    call_command(
        "retention_run", "--today", "2026-12-06", "--timeout", "30", "--verbosity", "0", stdout=out
    )
    text = out.getvalue()
    assert "older than 3 years are detached" in text
    assert "3 baskets and 6 lines detached, 1 inactive members erased" in text


def test_command_refuses_an_unknown_job(db):
    from django.core.management.base import CommandError

    with pytest.raises(CommandError, match="no retention job #999"):
        call_command("retention_run", "--resume", "999", stdout=io.StringIO())


def test_detached_lines_keep_their_amounts(chain, eager, django_capture_on_commit_callbacks):
    old_lines = {x.pk: x.amount for x in chain.lines if x.purchased_at < CUTOFF}
    run(django_capture_on_commit_callbacks)
    after = dict(BasketLine.objects.filter(pk__in=old_lines).values_list("pk", "amount"))
    assert after == old_lines and sum(after.values()) == Decimal("2.99") * len(old_lines)


def test_nightly_task_starts_a_run_once(chain, settings, django_capture_on_commit_callbacks):
    from apps.rights.tasks import retention_nightly_task

    settings.CRM_RETENTION_BASKET_YEARS = settings.CRM_RETENTION_INACTIVE_YEARS = 3
    with django_capture_on_commit_callbacks(execute=False):
        first = retention_nightly_task()
        # The first is still queued (no worker took it): the second night's start is skipped.
        assert retention_nightly_task() is None
    assert list(Job.objects.filter(kind=JOB_KIND).values_list("pk", flat=True)) == [first]
    settings.CRM_RETENTION_BASKET_YEARS = settings.CRM_RETENTION_INACTIVE_YEARS = 0
    Job.objects.filter(pk=first).update(status=JobStatus.SUCCEEDED)
    assert retention_nightly_task() is None
    assert Job.objects.filter(kind=JOB_KIND).count() == 1

"""Snapshots fanned out to a real Celery worker process."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest

from apps.jobs.models import JobStatus
from apps.jobs.waiting import job_wait
from apps.segments.models import SegmentMember, SegmentSnapshot
from apps.segments.services import snapshots_refresh_all
from tests.factories import (
    BasketFactory,
    BasketLineFactory,
    CategoryFactory,
    MemberFactory,
    ProductFactory,
)
from tests.segments.line_pages import line_vacuums

CHICAGO = ZoneInfo("America/Chicago")


@pytest.mark.slow
def test_refresh_all_runs_on_a_worker_and_is_safe_to_repeat(live_worker):
    categories = [CategoryFactory(name=f"Cat {i}") for i in range(7)]
    for i, category in enumerate(categories):
        product = ProductFactory(category=category)
        for j in range(i + 1):  # category i has i + 1 buyers
            basket = BasketFactory(
                member=MemberFactory(), purchased_at=dt.datetime(2026, 2, 1 + j, tzinfo=CHICAGO)
            )
            BasketLineFactory(basket=basket, product=product, amount=Decimal("1.00"))

    job = snapshots_refresh_all(
        window_start=dt.date(2026, 1, 1), window_end=dt.date(2026, 4, 1), batch_size=3
    )
    job = job_wait(job_id=job.pk, timeout=60, progress=False)
    assert job.status == JobStatus.SUCCEEDED, live_worker.output()
    assert (job.progress_done, job.progress_total) == (7, 7)
    buyers = dict(SegmentSnapshot.objects.values_list("category__name", "buyers"))
    assert buyers == {f"Cat {i}": i + 1 for i in range(7)}
    assert SegmentMember.objects.count() == sum(range(1, 8))

    again = snapshots_refresh_all(window_start=dt.date(2026, 1, 1), window_end=dt.date(2026, 4, 1))
    assert again.status == JobStatus.SUCCEEDED and again.progress_total == 0
    assert SegmentSnapshot.objects.count() == 7


def test_nightly_task_queues_snapshots_and_a_member_model_fit(
    db, django_capture_on_commit_callbacks
):
    from django.utils import timezone

    from apps.jobs.models import Job
    from apps.segments.tasks import segments_nightly_task

    CategoryFactory(name="Tea")
    today = timezone.localdate()
    member = MemberFactory()
    BasketFactory(member=member, purchased_at=timezone.now() - dt.timedelta(days=3))
    BasketFactory(member=member, purchased_at=timezone.now())  # the tills ran today
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        segments_nightly_task()
    snapshots = Job.objects.get(kind="segments")
    fit = Job.objects.get(kind="member_models")
    assert snapshots.params["window_end"] == today.isoformat()
    assert snapshots.params["window_start"] == (today - dt.timedelta(weeks=52)).isoformat()
    assert fit.params == {"calibration_end": (today - dt.timedelta(days=1)).isoformat()}
    assert len(callbacks) == 2  # the snapshot batches and the fit, queued after commit


def test_nightly_fit_stops_at_the_last_basket_when_the_tills_lag(
    db, django_capture_on_commit_callbacks
):
    from apps.jobs.models import Job
    from apps.segments.tasks import segments_nightly_task

    BasketFactory(member=MemberFactory(), purchased_at=dt.datetime(2026, 2, 1, 23, tzinfo=CHICAGO))
    with django_capture_on_commit_callbacks(execute=False):
        segments_nightly_task()
    fit = Job.objects.get(kind="member_models")
    assert fit.params == {"calibration_end": "2026-02-01"}


def test_nightly_fit_waits_for_a_whole_day_of_baskets(db, django_capture_on_commit_callbacks):
    from django.utils import timezone

    from apps.jobs.models import Job
    from apps.segments.tasks import segments_nightly_task

    with django_capture_on_commit_callbacks(execute=False):
        segments_nightly_task()  # no baskets at all
    BasketFactory(member=MemberFactory(), purchased_at=timezone.now())  # the first, today
    with django_capture_on_commit_callbacks(execute=False):
        segments_nightly_task()
    assert not Job.objects.filter(kind="member_models").exists()


@pytest.mark.django_db(transaction=True)
def test_nightly_task_vacuums_the_lines_before_the_snapshots():
    """The snapshots' index-only scan reads only the index on pages VACUUM marked all-visible."""
    from apps.segments.tasks import segments_nightly_task

    product = ProductFactory()
    for _ in range(3):
        basket = BasketFactory(member=MemberFactory())
        BasketLineFactory.create_batch(60, basket=basket, product=product)
    before = line_vacuums()
    segments_nightly_task()
    after = line_vacuums()
    assert len(after) == len(before) > 0
    assert after == [count + 1 for count in before]  # every shard vacuumed, once


def test_lines_are_not_vacuumed_inside_a_transaction(db):
    from apps.segments.services import basket_lines_vacuum

    assert basket_lines_vacuum() is False  # VACUUM cannot run in a transaction block

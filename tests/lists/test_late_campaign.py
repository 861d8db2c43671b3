"""A campaign activated after its period's lists were made reaches them: the activation's
signal queues a generation of the open period, a real worker allocates the campaign into
the lists already made, and each list that gets the offer becomes version 2."""

from __future__ import annotations

import datetime as dt
import time
from decimal import Decimal

import pytest

from apps.campaigns.models import CampaignAudience, CampaignStatus
from apps.campaigns.services import campaign_activate, campaign_audience_persist
from apps.catalog.models import Category
from apps.jobs.models import Job, JobStatus
from apps.lists.models import ListItem, ShoppingList
from apps.lists.services import ListRules, lists_generate_for_range, lists_print_offers
from apps.segments.models import SegmentSnapshot
from tests.campaigns.helpers import campaign_for, offer_for, segment_row
from tests.lists.conftest import PERIOD


@pytest.mark.slow
def test_a_campaign_activated_mid_period_reaches_the_lists_already_made(
    chain, live_worker, before_period, marketing_user, django_capture_on_commit_callbacks
):
    lists_generate_for_range(period_start=PERIOD, lo=0, hi=10**12, rules=ListRules())
    lists_print_offers(period_start=PERIOD)
    best = chain["members"]["best"]
    best_list = ShoppingList.objects.get(member=best, period_start=PERIOD)
    assert best_list.version == 1

    # A dog-food campaign, approved after the lists were printed; the best member buys kibble.
    dog_food = Category.objects.get(name="Dog-Food")
    snapshot = SegmentSnapshot.objects.create(
        category=dog_food, window_start=dt.date(2025, 3, 1), window_end=dt.date(2026, 3, 1)
    )
    segment_row(snapshot, best, "national", 1, next_purchase_on=dt.date(2026, 3, 6))
    late = campaign_for(
        dog_food, ["national-1"], name="Kibble trial", holdout_pct=Decimal("0"),
        status=CampaignStatus.APPROVED,
    )  # fmt: skip
    offer_for(late, 1, applies_to="brand_type", brand_type="national",
              discount_kind="amount", discount_value=Decimal("0.50"))  # fmt: skip
    campaign_audience_persist(campaign=late)
    assert CampaignAudience.objects.filter(campaign=late).count() == 1
    jobs_before = Job.objects.filter(kind="lists").count()

    with django_capture_on_commit_callbacks(execute=True):
        campaign_activate(campaign_id=late.pk, user=marketing_user)

    job = Job.objects.filter(kind="lists").latest("created_at")
    assert Job.objects.filter(kind="lists").count() == jobs_before + 1
    deadline = time.monotonic() + 120
    while job.status == JobStatus.RUNNING and time.monotonic() < deadline:
        time.sleep(0.2)
        job.refresh_from_db()
    assert job.status == JobStatus.SUCCEEDED, live_worker.output()
    assert job.result["offers"] == 1 and job.result["lists_with_new_offers"] == 1
    offer = ListItem.objects.get(shopping_list=best_list, kind="offer", campaign=late)
    assert offer.discount == Decimal("0.50")
    best_list.refresh_from_db()
    assert best_list.version == 2
    # The other lists did not change.
    assert set(ShoppingList.objects.exclude(pk=best_list.pk).values_list("version", flat=True)) == {
        1
    }

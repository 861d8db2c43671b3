"""Issue 15: an offer over the price, approval over budget, ended dates, the confirm steps,
plain words in the history, and the category choice grouped by department.

Every refusal is checked against the live rows afterwards: the campaign's status and
fields, its audience, its history and the audit trail are as they were.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from apps.audit.models import AuditEvent
from apps.campaigns.history import local_time
from apps.campaigns.models import Campaign, CampaignAudience, CampaignStatus, Offer
from apps.campaigns.services import campaign_activate, campaign_approve, campaign_end
from apps.campaigns.validation import campaign_ended_error
from tests.campaigns.helpers import (
    campaign_for,
    form_data,
    from_today,
    offer_for,
    running_campaign_for,
    snapshot_with,
)
from tests.factories import CategoryFactory, ProductFactory


@pytest.fixture
def dog_chews(db):
    category = CategoryFactory(name="Dog Chews", department="Pet")
    ProductFactory(
        upc="000000000101", name="Field Hound Dog Chews 12oz", category=category,
        brand="Field Hound", price=Decimal("10.99"),
    )  # fmt: skip
    ProductFactory(
        upc="000000000102", name="Field Hound Dog Chews 24oz", category=category,
        brand="Field Hound", price=Decimal("18.49"),
    )  # fmt: skip
    return category


def chews_form(category, value: str, min_quantity: str = "1", **overrides) -> dict:
    data = form_data(category, **{"offers-TOTAL_FORMS": "1"}) | {
        "name": "NC Field Hound Dog Chews switch",
        "target_cells": ["national-3"],
        "offers-0-usage_tier": "3",
        "offers-0-applies_to": "brand",
        "offers-0-brand": "Field Hound",
        "offers-0-discount_kind": "amount",
        "offers-0-discount_value": value,
        "offers-0-min_quantity": min_quantity,
        "offers-0-shopper_text": f"${value} off Field Hound Dog Chews",
    }
    for key in [k for k in data if k.startswith("offers-1-")]:
        del data[key]
    return data | overrides


def audit_overrides():
    return AuditEvent.objects.filter(detail__change="approved over budget")


# 1. An offer larger than the price --------------------------------------------------------


def test_an_amount_off_over_the_cheapest_price_is_a_form_error(client, marketing_user, dog_chews):
    client.force_login(marketing_user)
    response = client.post(reverse("campaigns:create"), chews_form(dog_chews, "999.00"))
    assert response.status_code == 200
    assert (
        "$999.00 off is more than the price: the cheapest product it applies to, Field Hound "
        "Dog Chews 12oz (UPC 000000000101), costs $10.99. An amount off can be at most $10.99."
    ) in response.content.decode()
    assert not Campaign.objects.exists() and not Offer.objects.exists()

    response = client.post(reverse("campaigns:create"), chews_form(dog_chews, "10.99"))
    assert response.status_code == 302  # the whole price off: a free item, allowed
    assert Offer.objects.get().discount_value == Decimal("10.99")


def test_with_a_minimum_quantity_the_limit_is_that_many_of_the_cheapest(dog_chews):
    campaign = running_campaign_for(dog_chews, ["national-3"])

    def offer(value: str) -> Offer:
        return Offer(
            campaign=campaign, usage_tier=3, applies_to="brand", brand="Field Hound",
            discount_kind="amount", discount_value=Decimal(value), min_quantity=2,
            shopper_text="Dog chews",
        )  # fmt: skip

    offer("21.98").full_clean()  # 2 × $10.99
    with pytest.raises(ValidationError) as info:
        offer("21.99").full_clean()
    assert info.value.message_dict["discount_value"] == [
        "$21.99 off is more than the price: the cheapest product it applies to, Field Hound "
        "Dog Chews 12oz (UPC 000000000101), costs $10.99, so 2 of them $21.98. An amount off "
        "can be at most $21.98."
    ]
    percent = offer("100")
    percent.discount_kind = "percent"
    percent.full_clean()  # 100 % off is the most a percentage can be
    percent.discount_value = Decimal("100.01")
    with pytest.raises(ValidationError) as info:
        percent.full_clean()
    assert info.value.message_dict["discount_value"] == ["A percentage is at most 100."]


def test_approving_a_draft_with_an_offer_over_the_price_is_refused(
    client, marketing_user, dog_chews
):
    # Saved before the rule existed (straight into the table): approval checks it again.
    campaign = running_campaign_for(dog_chews, ["national-3"], budget=Decimal("100"))
    offer_for(campaign, 3, applies_to="brand", brand="Field Hound", discount_value=Decimal("999"))
    snapshot_with(dog_chews, {"national-3": 4})
    client.force_login(marketing_user)

    response = client.post(reverse("campaigns:approve", args=[campaign.pk]), follow=True)

    assert "Offer for high usage: $999.00 off is more than the price" in response.content.decode()
    campaign.refresh_from_db()
    assert (campaign.status, campaign.approved_by, campaign.approved_at) == ("draft", None, None)
    assert not CampaignAudience.objects.filter(campaign=campaign).exists()
    assert campaign.history.count() == 1


# 1. Approving over budget needs a confirmation, which the audit trail keeps ----------------


@pytest.fixture
def over_budget(dog_chews):
    """20 heavy buyers, no holdout, $5.00 off, 15 % redemption: expected cost $15.00."""
    snapshot_with(dog_chews, {"national-3": 20})
    campaign = running_campaign_for(
        dog_chews, ["national-3"], holdout_pct=Decimal("0"), budget=Decimal("10.00")
    )
    offer_for(campaign, 3, applies_to="brand", brand="Field Hound", discount_value=Decimal("5"))
    return campaign


def assert_still_a_draft(campaign: Campaign) -> None:
    campaign.refresh_from_db()
    assert (campaign.status, campaign.approved_by, campaign.approved_at) == ("draft", None, None)
    assert campaign.budget == Decimal("10.00")
    assert not CampaignAudience.objects.filter(campaign=campaign).exists()
    assert campaign.history.count() == 1
    assert not audit_overrides().exists()


def test_over_budget_approval_without_confirmation_is_refused(client, marketing_user, over_budget):
    client.force_login(marketing_user)
    confirm = reverse("campaigns:approve_confirm", args=[over_budget.pk])
    page = client.get(confirm).content.decode()
    assert "Expected cost <strong>$15.00</strong>" in page
    assert "budget of <strong>$10.00</strong>" in page
    assert "I approve it although its expected cost ($15.00) is over its budget ($10.00)." in page
    assert 'name="expected_cost" value="15.00"' in page

    response = client.post(reverse("campaigns:approve", args=[over_budget.pk]))
    assert response.status_code == 302 and response["Location"] == confirm
    text = client.get(confirm).content.decode()
    assert (
        "Not approved: the expected cost, $15.00, is over the budget of $10.00. Confirm that "
        "you approve it anyway, or lower the offers or raise the budget."
    ) in text
    assert_still_a_draft(over_budget)

    # The box ticked, but for a figure that is not today's: asked again.
    client.post(
        reverse("campaigns:approve", args=[over_budget.pk]),
        {"confirm_over_budget": "on", "expected_cost": "14.00"},
    )
    assert_still_a_draft(over_budget)
    # A figure but no tick: not a confirmation either.
    client.post(reverse("campaigns:approve", args=[over_budget.pk]), {"expected_cost": "15.00"})
    assert_still_a_draft(over_budget)


def test_confirmed_over_budget_approval_is_audited_with_the_figures(
    client, marketing_user, over_budget
):
    client.force_login(marketing_user)
    response = client.post(
        reverse("campaigns:approve", args=[over_budget.pk]),
        {"confirm_over_budget": "on", "expected_cost": "15.00"},
    )
    assert response["Location"] == over_budget.get_absolute_url()
    over_budget.refresh_from_db()
    assert over_budget.status == CampaignStatus.APPROVED
    assert CampaignAudience.objects.filter(campaign=over_budget).count() == 20

    event = audit_overrides().get()
    assert (event.actor_id, event.actor_name) == (marketing_user.pk, "vp")
    assert (event.object_type, event.object_id) == ("campaign", str(over_budget.pk))
    assert {k: event.detail[k] for k in ("expected_cost", "budget", "redemption_rate_pct")} == {
        "expected_cost": "15.00",
        "budget": "10.00",
        "redemption_rate_pct": "15.00",
    }
    # The approval's history row carries the same figures (and the page shows them).
    approval = over_budget.history.get(status="approved")
    reason = "Approved over budget: expected cost $15.00, budget $10.00 (at 15% redemption)"
    assert approval.history_change_reason == reason
    assert event.detail["history_id"] == approval.history_id
    assert reason in client.get(over_budget.get_absolute_url()).content.decode()


def test_an_expected_cost_equal_to_the_budget_needs_no_confirmation(marketing_user, over_budget):
    Campaign.objects.filter(pk=over_budget.pk).update(budget=Decimal("15.00"))
    campaign = campaign_approve(campaign_id=over_budget.pk, user=marketing_user)
    assert campaign.status == CampaignStatus.APPROVED
    assert not audit_overrides().exists()


# 2. Dates that have ended -------------------------------------------------------------------


def test_ended_error_says_when_it_ended_and_today_is_still_fine():
    today = dt.date(2026, 12, 5)
    assert campaign_ended_error(dt.date(2026, 12, 5), today=today) is None
    assert campaign_ended_error(dt.date(2026, 12, 4), today=today) == (
        "This campaign's dates ended on Fri 4 Dec 2026; campaigns are for the current or a "
        "coming period: set dates that run until today (Sat 5 Dec 2026) or later."
    )


def test_saving_a_campaign_whose_dates_ended_is_refused(client, marketing_user):
    ketchup = CategoryFactory(name="Ketchup")
    ProductFactory(category=ketchup, brand_type="store", brand="Our Own")
    client.force_login(marketing_user)
    data = form_data(ketchup, valid_from="2020-01-01", valid_until="2020-01-14")
    response = client.post(reverse("campaigns:create"), data)
    assert response.status_code == 200
    assert "This campaign&#x27;s dates ended on Tue 14 Jan 2020" in response.content.decode()
    assert not Campaign.objects.exists()

    # Ending today is still on: today's lists and tills can use it.
    today = from_today(0).isoformat()
    response = client.post(reverse("campaigns:create"), form_data(ketchup, valid_from=today,
                                                                   valid_until=today))  # fmt: skip
    assert response.status_code == 302
    assert Campaign.objects.get().valid_until == from_today(0)


def test_approving_or_activating_an_ended_campaign_is_refused(client, marketing_user):
    ketchup = CategoryFactory(name="Ketchup")
    ProductFactory(category=ketchup, brand_type="store")
    old = campaign_for(
        ketchup, ["store-1"], valid_from=dt.date(2020, 1, 1), valid_until=dt.date(2020, 1, 14)
    )
    offer_for(old, 1)
    client.force_login(marketing_user)

    response = client.post(reverse("campaigns:approve", args=[old.pk]), follow=True)
    assert "This campaign&#x27;s dates ended on Tue 14 Jan 2020" in response.content.decode()
    old.refresh_from_db()
    assert (old.status, old.approved_at) == ("draft", None)
    assert not CampaignAudience.objects.filter(campaign=old).exists()

    Campaign.objects.filter(pk=old.pk).update(status=CampaignStatus.APPROVED)
    with pytest.raises(ValidationError) as info:
        campaign_activate(campaign_id=old.pk, user=marketing_user)
    assert info.value.messages[0].startswith("This campaign's dates ended on Tue 14 Jan 2020")
    response = client.post(reverse("campaigns:activate", args=[old.pk]), follow=True)
    assert "ended on Tue 14 Jan 2020" in response.content.decode()
    old.refresh_from_db()
    assert old.status == CampaignStatus.APPROVED

    # Ending is always possible: it only stops the offers.
    Campaign.objects.filter(pk=old.pk).update(status=CampaignStatus.ACTIVE)
    assert campaign_end(campaign_id=old.pk, user=marketing_user).status == CampaignStatus.ENDED


# 3. Approve, Activate and End each have a confirm step --------------------------------------


@pytest.fixture
def far_campaign(db):
    """A Ketchup campaign with fixed dates far ahead (the confirm texts name them)."""
    ketchup = CategoryFactory(name="Ketchup")
    ProductFactory(category=ketchup, brand_type="store")
    snapshot_with(ketchup, {"store-1": 25, "store-2": 5})
    campaign = campaign_for(
        ketchup, ["store-1", "store-2"], valid_from=dt.date(2099, 1, 5),
        valid_until=dt.date(2099, 3, 1), budget=Decimal("5000"),
    )  # fmt: skip
    offer_for(campaign, 1)
    offer_for(campaign, 2)
    return campaign


def test_each_confirm_page_says_what_happens_and_changes_nothing(
    client, marketing_user, far_campaign
):
    client.force_login(marketing_user)
    confirm = {
        action: reverse(f"campaigns:{action}_confirm", args=[far_campaign.pk])
        for action in ("approve", "activate", "end")
    }
    page = client.get(confirm["approve"]).content.decode()
    # 25 at 10 % → 3 held out (half up), 5 → 1 (0.5 rounds up): 30 members, 4 held out.
    assert (
        "Its audience is stored now, from the latest snapshot of Ketchup: 30 members, 4 of "
        "them held out at random"
    ) in page
    assert "Nothing reaches members yet" in page
    assert f'action="{reverse("campaigns:approve", args=[far_campaign.pk])}"' in page
    # Activate and End are not possible from a draft: said, and no button.
    page = client.get(confirm["activate"]).content.decode()
    assert "It is draft: only a campaign that is approved can be activated." in page
    assert 'method="post"' not in page.split("campaign-confirm")[1]
    far_campaign.refresh_from_db()
    assert far_campaign.status == "draft" and far_campaign.history.count() == 1
    assert not CampaignAudience.objects.filter(campaign=far_campaign).exists()

    client.post(reverse("campaigns:approve", args=[far_campaign.pk]))
    page = client.get(confirm["activate"]).content.decode()
    assert (
        "Its offers are allocated to the lists of the periods from Mon 5 Jan 2099 to Sun 1 Mar "
        "2099, by each member"
    ) in page
    assert "Lists already made for a period that has not ended get them now" in page
    assert "Of its audience, 26 members may get them; 4 held out get none." in page
    # No member has baskets here: nobody is eligible for a list, so nobody gets it yet.
    assert "In the lists of Mon 5 Jan 2099 to Sun 18 Jan 2099 (not made yet: they will get " in page
    assert f'action="{reverse("campaigns:activate", args=[far_campaign.pk])}"' in page

    client.post(reverse("campaigns:activate", args=[far_campaign.pk]))
    page = client.get(confirm["end"]).content.decode()
    assert "Members stop getting its offers: lists generated from now on leave them out" in page
    assert "Redemptions already made stay" in page
    far_campaign.refresh_from_db()
    assert far_campaign.status == CampaignStatus.ACTIVE  # the End page itself ended nothing


def test_a_confirm_page_for_an_ended_campaign_lists_the_problem_and_offers_no_button(
    client, marketing_user
):
    ketchup = CategoryFactory(name="Ketchup")
    ProductFactory(category=ketchup, brand_type="store")
    old = campaign_for(ketchup, ["store-1"], valid_until=dt.date(2020, 1, 14),
                       valid_from=dt.date(2020, 1, 1))  # fmt: skip
    client.force_login(marketing_user)
    page = client.get(reverse("campaigns:approve_confirm", args=[old.pk])).content.decode()
    assert "It cannot be approved now:" in page
    assert "dates ended on Tue 14 Jan 2020" in page
    assert "Add at least one offer before approving." in page
    assert "Back to the campaign" in page
    assert f'action="{reverse("campaigns:approve", args=[old.pk])}"' not in page


# 4. The history and the messages in plain words ---------------------------------------------


def test_history_names_people_local_times_and_tiers(client, marketing_user):
    ketchup = CategoryFactory(name="Ketchup")
    ProductFactory(category=ketchup, brand_type="store", brand="Our Own")
    snapshot_with(ketchup, {"national-3": 10})
    client.force_login(marketing_user)
    client.post(reverse("campaigns:create"), form_data(ketchup))
    campaign = Campaign.objects.get()
    client.post(reverse("campaigns:approve", args=[campaign.pk]))
    campaign.refresh_from_db()

    page = client.get(campaign.get_absolute_url()).content.decode()
    assert f"Approved by vp, {local_time(campaign.approved_at)}" in page
    assert "Status: Draft → Approved" in page
    assert "Offer for high usage created" in page and "Offer for medium usage created" in page
    internals = ("approved_at", "approved_by", "Approved at:", "Approved by:", "None →", "tier 3",
                 "seed")  # fmt: skip
    for internal in internals:
        assert internal not in page, internal
    assert str(campaign.holdout_seed) not in page
    assert "10% of each cell, drawn at random" in page


def test_local_time_reads_like_a_person_writes_it():
    moment = dt.datetime(2026, 12, 4, 21, 12, 8, 946987, tzinfo=dt.UTC)
    assert local_time(moment) == "4 Dec 2026 15:12"  # America/Chicago, 6 hours behind


def test_history_says_field_changes_in_words(marketing_user):
    ketchup = CategoryFactory(name="Ketchup")
    campaign = running_campaign_for(ketchup, ["store-1"], budget=Decimal("5000"))
    offer = offer_for(campaign, 1)
    campaign.budget = Decimal("1250.50")
    campaign.target_cells = ["store-1", "at_risk"]
    campaign._history_user = marketing_user
    campaign.save()
    offer.discount_value = Decimal("0.75")
    offer.save()
    from apps.campaigns.history import campaign_history

    changes = [line for entry in campaign_history(campaign=campaign) for line in entry.changes]
    assert "Total budget (discount money): $5,000.00 → $1,250.50" in changes
    assert (
        "Target cells: Store-brand loyal · low usage → Store-brand loyal · low usage; At risk "
        "(churn risk in the latest member-value fit)"
    ) in changes
    assert "Discount value: $1.00 → $0.75" in changes
    whats = [entry.what for entry in campaign_history(campaign=campaign)]
    assert whats == [
        "Offer for low usage changed",
        "Campaign changed",
        "Offer for low usage created",
        "Campaign created",
    ]


def test_two_offers_for_one_tier_say_the_rule(client, marketing_user):
    ketchup = CategoryFactory(name="Ketchup")
    ProductFactory(category=ketchup, brand_type="store", brand="Our Own")
    client.force_login(marketing_user)
    data = form_data(ketchup) | {"offers-1-usage_tier": "3"}
    response = client.post(reverse("campaigns:create"), data)
    content = response.content.decode()
    assert response.status_code == 200
    assert "Each usage tier can have only one offer." in content
    assert "Please correct the duplicate data" not in content
    assert not Campaign.objects.exists()


# 5. Offers need a text for shoppers ---------------------------------------------------------


def test_an_offer_without_a_text_for_shoppers_is_refused(client, marketing_user):
    ketchup = CategoryFactory(name="Ketchup")
    ProductFactory(category=ketchup, brand_type="store", brand="Our Own")
    client.force_login(marketing_user)
    response = client.post(
        reverse("campaigns:create"), form_data(ketchup) | {"offers-1-shopper_text": "  "}
    )
    assert response.status_code == 200
    assert "This field is required." in response.content.decode()
    assert not Campaign.objects.exists() and not Offer.objects.exists()


# 6. The category: a select grouped by department, with a filter box when scripts run --------


def test_the_category_select_is_grouped_by_department(client, marketing_user, dog_chews):
    coffee = CategoryFactory(name="Coffee", department="Beverages")
    client.force_login(marketing_user)
    page = client.get(reverse("campaigns:create")).content.decode()
    select = page[page.index('<select name="category"') :]
    select = select[: select.index("</select>")]
    assert 'data-choice-filter="category"' in select
    beverages = select.index('<optgroup label="Beverages">')
    pet = select.index('<optgroup label="Pet">')
    assert beverages < select.index(f'<option value="{coffee.pk}">Coffee</option>') < pet
    assert pet < select.index(f'<option value="{dog_chews.pk}">Dog Chews</option>')
    assert '<script src="/static/js/choice-filter.js" defer></script>' in page

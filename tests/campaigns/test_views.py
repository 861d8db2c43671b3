"""The browser flow from draft to approved, and who may use the campaign pages."""

from __future__ import annotations

import pytest
from django.urls import reverse

from apps.campaigns.models import Campaign, CampaignAudience, CampaignStatus
from tests.campaigns.helpers import form_data, offer_for, running_campaign_for, snapshot_with
from tests.factories import CategoryFactory, ProductFactory


def test_marketing_designs_approves_and_activates_in_the_browser(client, marketing_user):
    ketchup = CategoryFactory(name="Ketchup")
    ProductFactory(category=ketchup, brand_type="store", brand="Our Own")
    snapshot_with(ketchup, {"national-3": 10, "national-2": 20, "store-3": 5})
    client.force_login(marketing_user)

    assert client.get(reverse("campaigns:create")).status_code == 200
    response = client.post(reverse("campaigns:create"), form_data(ketchup))
    campaign = Campaign.objects.get()
    assert response.status_code == 302 and response["Location"] == campaign.get_absolute_url()
    assert campaign.status == CampaignStatus.DRAFT
    assert sorted(campaign.offers.values_list("usage_tier", "discount_kind")) == [
        (2, "percent"),
        (3, "amount"),
    ]

    page = client.get(campaign.get_absolute_url()).content.decode()
    assert "Allocation preview" in page and ">30<" in page  # 10 + 20 targeted members
    assert not CampaignAudience.objects.exists()  # the dry run keeps nothing

    # The detail page links to the confirm page; only its button (a POST) approves.
    confirm = reverse("campaigns:approve_confirm", args=[campaign.pk])
    assert f'href="{confirm}"' in page
    assert f'action="{reverse("campaigns:approve", args=[campaign.pk])}"' not in page
    client.post(reverse("campaigns:approve", args=[campaign.pk]))
    campaign.refresh_from_db()
    assert campaign.status == CampaignStatus.APPROVED
    assert campaign.approved_by == marketing_user
    assert CampaignAudience.objects.filter(campaign=campaign).count() == 30
    assert CampaignAudience.objects.filter(campaign=campaign, holdout=True).count() == 3

    # Approved campaigns are no longer editable; activation is the next step.
    response = client.post(reverse("campaigns:edit", args=[campaign.pk]), form_data(ketchup))
    assert response.status_code == 302
    client.post(reverse("campaigns:activate", args=[campaign.pk]))
    campaign.refresh_from_db()
    assert campaign.status == CampaignStatus.ACTIVE

    history = list(campaign.history.order_by("history_date"))
    assert [(h.status, h.history_user) for h in history] == [
        ("draft", marketing_user),
        ("approved", marketing_user),
        ("active", marketing_user),
    ]
    page = client.get(campaign.get_absolute_url()).content.decode()
    assert "Status: Approved → Active" in page


def test_an_invalid_offer_keeps_the_form_with_errors(client, marketing_user):
    ketchup = CategoryFactory(name="Ketchup")
    ProductFactory(category=ketchup, brand_type="national", brand="Red")
    client.force_login(marketing_user)
    response = client.post(reverse("campaigns:create"), form_data(ketchup))
    assert response.status_code == 200
    assert "The offer matches no product" in response.content.decode()
    assert not Campaign.objects.exists()


def test_approving_twice_is_refused(client, marketing_user):
    ketchup = CategoryFactory(name="Ketchup")
    ProductFactory(category=ketchup, brand_type="store")
    campaign = running_campaign_for(ketchup, ["store-1"])
    offer_for(campaign, 1)
    client.force_login(marketing_user)
    client.post(reverse("campaigns:approve", args=[campaign.pk]))
    response = client.post(reverse("campaigns:approve", args=[campaign.pk]), follow=True)
    assert "it can be approved only from draft" in response.content.decode()
    assert campaign.history.filter(status="approved").count() == 1


@pytest.mark.parametrize("persona", ["cashier", "manufacturer_a"])
def test_cashiers_and_manufacturers_are_refused(client, personas, persona):
    ketchup = CategoryFactory(name="Ketchup")
    ProductFactory(category=ketchup, brand_type="store")
    campaign = running_campaign_for(ketchup, ["store-1"])
    offer_for(campaign, 1)
    client.force_login(personas[persona])
    for name in ["list", "create"]:
        assert client.get(reverse(f"campaigns:{name}")).status_code == 403
    for name in ["detail", "edit"]:
        assert client.get(reverse(f"campaigns:{name}", args=[campaign.pk])).status_code == 403
    assert client.post(reverse("campaigns:approve", args=[campaign.pk])).status_code == 403
    for action in ["approve", "activate", "end"]:
        url = reverse(f"campaigns:{action}_confirm", args=[campaign.pk])
        assert client.get(url).status_code == 403
    campaign.refresh_from_db()
    assert campaign.status == CampaignStatus.DRAFT


def test_admin_history_shows_who_changed_the_campaign(client, marketing_user, admin_user_):
    ketchup = CategoryFactory(name="Ketchup")
    ProductFactory(category=ketchup, brand_type="store", brand="Our Own")
    snapshot_with(ketchup, {"national-3": 10})
    client.force_login(marketing_user)
    client.post(reverse("campaigns:create"), form_data(ketchup))
    campaign = Campaign.objects.get()
    client.post(reverse("campaigns:approve", args=[campaign.pk]))
    client.force_login(admin_user_)
    response = client.get(reverse("admin:campaigns_campaign_history", args=[campaign.pk]))
    content = response.content.decode()
    assert response.status_code == 200
    assert content.count(marketing_user.username) >= 2  # created, then approved
    assert "Changed" in content and "Created" in content


def test_a_stale_edit_with_a_tier_taken_is_a_form_error_not_a_crash(client, marketing_user):
    ketchup = CategoryFactory(name="Ketchup")
    ProductFactory(category=ketchup, brand_type="store", brand="Our Own")
    snapshot_with(ketchup, {"national-3": 10})
    client.force_login(marketing_user)
    client.post(reverse("campaigns:create"), form_data(ketchup))
    campaign = Campaign.objects.get()
    # The create form posted again as an edit: its offers come as new ones for taken tiers.
    response = client.post(reverse("campaigns:edit", args=[campaign.pk]), form_data(ketchup))
    assert response.status_code == 200
    assert "Each usage tier can have only one offer." in response.content.decode()
    assert campaign.offers.count() == 2

"""Writes for campaigns: save with offers, the status flow, and persisting the audience."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.utils import timezone

from apps.campaigns.models import Campaign, CampaignAudience, CampaignStatus
from apps.campaigns.selectors import AUDIENCE_SQL, audience_params

PERSIST_AUDIENCE_SQL = (
    AUDIENCE_SQL
    + """
INSERT INTO campaigns_campaignaudience (campaign_id, member_id, cell, usage_tier, holdout)
SELECT %(campaign_id)s, member_id, cell, usage_tier, holdout FROM audience
ON CONFLICT ON CONSTRAINT audience_one_per_member DO NOTHING
"""
)


@transaction.atomic
def campaign_save(*, form, offers, user) -> Campaign:
    """Save a validated campaign form and its inline offer formset, recording who did it."""
    campaign = form.save(commit=False)
    if campaign.pk is None:
        campaign.created_by = user
    elif campaign.status != CampaignStatus.DRAFT:
        raise ValidationError("Only a draft campaign can be edited.")
    campaign._history_user = user
    campaign.save()
    offers.instance = campaign
    for offer in offers.save(commit=False):
        offer._history_user = user
        offer.save()
    for offer in offers.deleted_objects:
        offer._history_user = user
        offer.delete()
    return campaign


def _transition(*, campaign_id: int, source: str, target: str, user, **fields) -> Campaign:
    # Claim the transition: only the request that moves the row from `source` goes on.
    campaign = Campaign.objects.select_for_update().get(pk=campaign_id)
    if campaign.status != source:
        raise ValidationError(
            f"The campaign is {campaign.get_status_display().lower()}; "
            f"it can be {target} only from {source}."
        )
    campaign.status = target
    for name, value in fields.items():
        setattr(campaign, name, value)
    campaign._history_user = user
    campaign.save()
    return campaign


@transaction.atomic
def campaign_approve(*, campaign_id: int, user) -> Campaign:
    """Approve a draft (marketing only), re-checking its rules, and fix its audience."""
    if not user.has_role("marketing"):
        raise ValidationError("Only a marketing user can approve a campaign.")
    campaign = Campaign.objects.select_for_update().get(pk=campaign_id)
    campaign.full_clean()
    if not campaign.offers.exists():
        raise ValidationError("Add at least one offer before approving.")
    for offer in campaign.offers.all():
        offer.full_clean()
    campaign = _transition(
        campaign_id=campaign_id,
        source=CampaignStatus.DRAFT,
        target=CampaignStatus.APPROVED,
        user=user,
        approved_by=user,
        approved_at=timezone.now(),
    )
    campaign_audience_persist(campaign=campaign)
    return campaign


@transaction.atomic
def campaign_activate(*, campaign_id: int, user) -> Campaign:
    """Put an approved campaign's offers on the lists from now on."""
    return _transition(
        campaign_id=campaign_id,
        source=CampaignStatus.APPROVED,
        target=CampaignStatus.ACTIVE,
        user=user,
    )


@transaction.atomic
def campaign_end(*, campaign_id: int, user) -> Campaign:
    """Stop putting an active campaign's offers on lists."""
    return _transition(
        campaign_id=campaign_id,
        source=CampaignStatus.ACTIVE,
        target=CampaignStatus.ENDED,
        user=user,
    )


@transaction.atomic
def campaign_audience_persist(*, campaign: Campaign) -> int:
    """Store the audience and holdout draw (once: existing rows are kept) and return the count."""
    with connection.cursor() as cursor:
        cursor.execute(PERSIST_AUDIENCE_SQL, audience_params(campaign))
    return CampaignAudience.objects.filter(campaign=campaign).count()

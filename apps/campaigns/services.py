"""Writes for campaigns: save with offers, the status flow, and persisting the audience."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from apps.accounts.models import Role, User
from apps.audit.models import AuditKind
from apps.audit.services import audit_record
from apps.campaigns.drafts import CampaignDraft, OfferChanges
from apps.campaigns.models import Campaign, CampaignAudience, CampaignStatus, Offer
from apps.campaigns.selectors import AUDIENCE_SQL, audience_params, campaign_preview
from apps.campaigns.signals import campaign_activated
from apps.campaigns.validation import (
    TIER_UNIQUE_MESSAGE,
    campaign_approval_problems,
    campaign_ended_error,
)

PERSIST_AUDIENCE_SQL = (
    AUDIENCE_SQL
    + """
INSERT INTO campaigns_campaignaudience (campaign_id, member_id, cell, usage_tier, holdout)
SELECT %(campaign_id)s, member_id, cell, usage_tier, holdout FROM audience
ON CONFLICT ON CONSTRAINT audience_one_per_member DO NOTHING
"""
)


@transaction.atomic
def campaign_save(
    *,
    campaign_id: int | None,
    draft: CampaignDraft,
    offers: OfferChanges | None = None,
    user: User,
    today: dt.date | None = None,
) -> Campaign:
    """Create a draft campaign (`campaign_id` None) or change one, with its offers.

    Checks the campaign's and each offer's rules (the models' `clean` and check
    constraints: dates, funding, coverage, price) and refuses dates that are over (`today`,
    default the local date, is for the demo), with a ValidationError that leaves nothing
    written. Offers to delete go first, so a tier can be given a new offer in the same save.
    Records who saved.
    """
    offers = offers or OfferChanges()
    if campaign_id is None:
        campaign = Campaign(created_by=user)
    else:
        campaign = Campaign.objects.select_for_update().get(pk=campaign_id)
        if campaign.status != CampaignStatus.DRAFT:
            raise ValidationError(gettext("Only a draft campaign can be edited."))
    draft.apply(campaign)
    ended = campaign_ended_error(campaign.valid_until, today=today)
    if ended:
        raise ValidationError({"valid_until": ended}, code="ended")
    campaign.full_clean()
    campaign._history_user = user
    campaign.save()
    saved = {offer.pk: offer for offer in campaign.offers.all()} if campaign_id else {}
    wanted = [o for o in (*offers.delete, *(c.offer_id for c in offers.save)) if o is not None]
    if any(offer_id not in saved for offer_id in wanted):
        raise ValidationError(
            gettext("An offer of this campaign is no longer there: open the campaign again."),
            code="stale",
        )
    changed = {c.offer_id for c in offers.save} | set(offers.delete)
    tiers = [o.usage_tier for pk, o in saved.items() if pk not in changed]
    tiers += [c.usage_tier for c in offers.save]
    if len(tiers) != len(set(tiers)):
        raise ValidationError(TIER_UNIQUE_MESSAGE, code="tier")
    for offer_id in offers.delete:
        offer = saved[offer_id]
        offer._history_user = user
        offer.delete()
    for change in offers.save:
        offer = Offer(campaign=campaign) if change.offer_id is None else saved[change.offer_id]
        change.apply(offer)
        # As the offer formset checks it; one offer per tier is checked above (and by the
        # database, offer_one_per_tier).
        try:
            offer.full_clean(exclude=["campaign"], validate_unique=False)
        except ValidationError as error:
            # Said of the offer, not of a campaign field the page would look for.
            raise ValidationError(
                [
                    gettext("The %(tier)s offer: %(problem)s")
                    % {"tier": offer.tier_text, "problem": message}
                    for message in error.messages
                ]
            ) from error
        offer._history_user = user
        offer.save()
    return campaign


# Why a campaign cannot move: one sentence per move ("it can be approved only from draft").
LOCKED_MESSAGES = {
    "approved": _("The campaign is %(status)s; it can be approved only from draft."),
    "activated": _("The campaign is %(status)s; it can be activated only from approved."),
    "ended": _("The campaign is %(status)s; it can be ended only from active."),
}


def _locked(campaign_id: int, *, source: str, action: str) -> Campaign:
    """Lock the campaign row and go on only from `source`: a double click acts once."""
    campaign = Campaign.objects.select_for_update().get(pk=campaign_id)
    if campaign.status != source:
        raise ValidationError(
            str(LOCKED_MESSAGES[action]) % {"status": campaign.get_status_display().lower()},
            code="status",
        )
    return campaign


def _transition(campaign: Campaign, *, target: str, user, reason: str = "", **fields) -> Campaign:
    campaign.status = target
    for name, value in fields.items():
        setattr(campaign, name, value)
    campaign._history_user = user
    if reason:
        campaign._change_reason = reason  # on the history row; the audit trigger copies it
    campaign.save()
    return campaign


def _money(amount: Decimal) -> str:
    return f"${amount:,.2f}"


@transaction.atomic
def campaign_approve(
    *,
    campaign_id: int,
    user,
    accepted_cost: Decimal | None = None,
    today: dt.date | None = None,
) -> Campaign:
    """Approve a draft (marketing only), re-checking its rules, and fix its audience.

    When the preview's expected cost (at the campaign's own redemption rate) is over the
    budget, approval needs `accepted_cost`: the expected cost the user saw and confirmed.
    If the figure moved since (a new snapshot), the user is asked again, so what was
    confirmed is what is approved. The confirmation goes to the audit trail with the
    figures. `today` (default: the local date) is for the demo, which seeds as of its day.
    """
    if not user.has_role(Role.MARKETING):
        raise ValidationError(gettext("Only a marketing user can approve a campaign."))
    campaign = _locked(campaign_id, source=CampaignStatus.DRAFT, action="approved")
    problems = campaign_approval_problems(campaign, today=today)
    if problems:
        raise ValidationError(problems)
    preview = campaign_preview(campaign=campaign)
    reason = ""
    if preview.over_budget:
        figures = {
            "cost": _money(preview.cost),
            "budget": _money(campaign.budget),
            "confirmed": _money(accepted_cost) if accepted_cost is not None else "",
        }
        if accepted_cost is None:
            raise ValidationError(
                gettext(
                    "Not approved: the expected cost, %(cost)s, is over the budget of "
                    "%(budget)s. Confirm that you approve it anyway, or lower the offers or "
                    "raise the budget."
                )
                % figures,
                code="over_budget",
            )
        if accepted_cost != preview.cost:
            raise ValidationError(
                gettext(
                    "Not approved: the expected cost, %(cost)s, is over the budget of "
                    "%(budget)s now (%(confirmed)s when you confirmed). Look at the figures "
                    "again and confirm."
                )
                % figures,
                code="over_budget_changed",
            )
        reason = (
            f"Approved over budget: expected cost {_money(preview.cost)}, budget "
            f"{_money(campaign.budget)} (at {preview.rate_pct.normalize():f}% redemption)"
        )
    campaign = _transition(
        campaign,
        target=CampaignStatus.APPROVED,
        user=user,
        reason=reason,
        approved_by=user,
        approved_at=timezone.now(),
    )
    if reason:
        audit_record(
            kind=AuditKind.CAMPAIGN_CHANGE,
            actor=user,
            object_type="campaign",
            object_id=str(campaign.pk),
            detail={
                "change": "approved over budget",
                "status": campaign.status,
                "name": campaign.name,
                "expected_cost": f"{preview.cost:.2f}",
                "budget": f"{campaign.budget:.2f}",
                "redemption_rate_pct": f"{preview.rate_pct:.2f}",
                "history_id": campaign.history.latest("history_id").history_id,
                "reason": reason,
            },
        )
    campaign_audience_persist(campaign=campaign)
    return campaign


@transaction.atomic
def campaign_activate(*, campaign_id: int, user, today: dt.date | None = None) -> Campaign:
    """Put an approved campaign's offers on the lists from now on (not once it has ended).

    Lists already made for a period that has not ended get its offers too: the lists room
    hears `campaign_activated` after the commit and allocates them into those lists.
    """
    campaign = _locked(campaign_id, source=CampaignStatus.APPROVED, action="activated")
    ended = campaign_ended_error(campaign.valid_until, today=today)
    if ended:
        raise ValidationError(ended, code="ended")
    campaign = _transition(campaign, target=CampaignStatus.ACTIVE, user=user)
    transaction.on_commit(
        lambda: campaign_activated.send(sender=Campaign, campaign=campaign, user=user)
    )
    return campaign


@transaction.atomic
def campaign_end(*, campaign_id: int, user) -> Campaign:
    """Stop putting an active campaign's offers on lists, and the tills taking them."""
    campaign = _locked(campaign_id, source=CampaignStatus.ACTIVE, action="ended")
    return _transition(campaign, target=CampaignStatus.ENDED, user=user)


@transaction.atomic
def campaign_audience_persist(*, campaign: Campaign) -> int:
    """Store the audience and holdout draw (once: existing rows are kept) and return the count."""
    with connection.cursor() as cursor:
        cursor.execute(PERSIST_AUDIENCE_SQL, audience_params(campaign))
    return CampaignAudience.objects.filter(campaign=campaign).count()

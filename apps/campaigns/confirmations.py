"""What the confirm step of Approve, Activate and End says will happen, and what stops it.

Each of the three used to act on one click. The confirm page (GET) says in plain words
what the step does, shows what blocks it, and only then offers the button (a POST).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

from django.utils import timezone

from apps.campaigns.allocation import allocation_preview
from apps.campaigns.models import Campaign, CampaignAudience, CampaignStatus
from apps.campaigns.selectors import Preview, campaign_preview
from apps.campaigns.validation import campaign_approval_problems, campaign_ended_error, day_text


@dataclass(frozen=True)
class Action:
    name: str
    source: str
    verb: str  # the button
    done: str  # "approved"
    button_class: str


ACTIONS = {
    "approve": Action("approve", CampaignStatus.DRAFT, "Approve", "approved", "btn-primary"),
    "activate": Action("activate", CampaignStatus.APPROVED, "Activate", "activated", "btn-success"),
    "end": Action("end", CampaignStatus.ACTIVE, "End", "ended", "btn-danger"),
}


@dataclass
class Confirmation:
    action: Action
    campaign: Campaign
    effects: list[str] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)
    preview: Preview | None = None

    @property
    def over_budget(self) -> bool:
        return self.preview is not None and self.preview.over_budget


def _money(amount: Decimal) -> str:
    return f"${amount:,.2f}"


def _members(count: int) -> str:
    return f"{count:,} member{'' if count == 1 else 's'}"


def campaign_confirmation(*, campaign: Campaign, action: str) -> Confirmation:
    """Return the effects of `action` on the campaign and what stops it now."""
    spec = ACTIONS[action]
    found = Confirmation(action=spec, campaign=campaign)
    if campaign.status != spec.source:
        found.problems.append(
            f"It is {campaign.get_status_display().lower()}: only a campaign that is "
            f"{CampaignStatus(spec.source).label.lower()} can be {spec.done}."
        )
        return found
    first_day = max(campaign.valid_from, timezone.localdate())
    dates = f"{day_text(first_day)} to {day_text(campaign.valid_until)}"
    if action == "approve":
        found.problems += campaign_approval_problems(campaign)
        preview = campaign_preview(campaign=campaign)
        found.preview = preview
        found.effects = [
            "Its design is locked: offers, dates and budget can no longer be edited.",
            f"Its audience is stored now, from the latest snapshot of {campaign.category}: "
            f"{_members(preview.members)}, {preview.holdout:,} of them held out at random "
            "(they get no offer, so that the campaign's effect can be measured).",
            "Nothing reaches members yet: its offers go on lists once you activate it.",
            "The expected cost below assumes every treated member gets the offer. Allocation "
            "never spends past the budget: it gives the offer to the members most likely to "
            "redeem while the expected cost fits, and the Activate step shows how many.",
        ]
    elif action == "activate":
        ended = campaign_ended_error(campaign.valid_until)
        if ended:
            found.problems.append(ended)
        audience = CampaignAudience.objects.filter(campaign=campaign)
        held_out = audience.filter(holdout=True).count()
        treated = audience.count() - held_out
        # The same dry run as the campaign page's: what allocation will give it.
        allocation = allocation_preview(campaign=campaign)
        period = f"{day_text(allocation.period_start)} to {day_text(allocation.last_day)}"
        made = "made already: they" if allocation.lists_made else "not made yet: they will"
        found.effects = [
            f"Its offers are allocated to the lists of the periods from {dates}, by each "
            "member's chance of redeeming, within each list's offers, one per category, its "
            "budget and its agreement's cap. Lists already made for a period that has not "
            "ended get them now, as a new version with the same barcode.",
            f"Of its audience, {_members(treated)} may get them; {held_out:,} held out get none.",
            f"In the lists of {period} ({made} get it): {_members(allocation.given)} "
            f"get the offer, expected to redeem {allocation.expected_redemptions:f} times "
            f"for {_money(allocation.expected_cost)}.",
            f"The tills take its offers until {day_text(campaign.valid_until)}, within the "
            f"budget of {_money(campaign.budget)}.",
        ]
    else:
        found.effects = [
            "Members stop getting its offers: lists generated from now on leave them out, "
            "and the tills no longer take them, also from lists already printed.",
            "Redemptions already made stay, with the reports and the manufacturer's "
            "settlement built on them.",
            "An ended campaign cannot be activated again.",
        ]
    return found

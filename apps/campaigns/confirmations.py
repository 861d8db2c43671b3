"""What the confirm step of Approve, Activate and End says will happen, and what stops it.

Each of the three used to act on one click. The confirm page (GET) says in plain words
what the step does, shows what blocks it, and only then offers the button (a POST).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

from django.utils import timezone
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _

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
    "approve": Action("approve", CampaignStatus.DRAFT, _("Approve"), _("approved"), "btn-primary"),
    "activate": Action(
        "activate", CampaignStatus.APPROVED, _("Activate"), _("activated"), "btn-success"
    ),
    "end": Action("end", CampaignStatus.ACTIVE, _("End"), _("ended"), "btn-danger"),
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
    return ngettext("%(count)s member", "%(count)s members", count) % {"count": f"{count:,}"}


def campaign_confirmation(*, campaign: Campaign, action: str) -> Confirmation:
    """Return the effects of `action` on the campaign and what stops it now."""
    spec = ACTIONS[action]
    found = Confirmation(action=spec, campaign=campaign)
    if campaign.status != spec.source:
        found.problems.append(
            gettext("It is %(status)s: only a campaign that is %(source)s can be %(done)s.")
            % {
                "status": campaign.get_status_display().lower(),
                "source": CampaignStatus(spec.source).label.lower(),
                "done": spec.done,
            }
        )
        return found
    first_day = max(campaign.valid_from, timezone.localdate())
    dates = gettext("%(start)s to %(end)s") % {
        "start": day_text(first_day),
        "end": day_text(campaign.valid_until),
    }
    if action == "approve":
        found.problems += campaign_approval_problems(campaign)
        preview = campaign_preview(campaign=campaign)
        found.preview = preview
        found.effects = [
            gettext("Its design is locked: offers, dates and budget can no longer be edited."),
            gettext(
                "Its audience is stored now, from the latest snapshot of %(category)s: "
                "%(members)s, %(holdout)s of them held out at random "
                "(they get no offer, so that the campaign's effect can be measured)."
            )
            % {
                "category": campaign.category,
                "members": _members(preview.members),
                "holdout": f"{preview.holdout:,}",
            },
            gettext("Nothing reaches members yet: its offers go on lists once you activate it."),
            gettext(
                "The expected cost below assumes every treated member gets the offer. "
                "Allocation never spends past the budget: it gives the offer to the members "
                "most likely to redeem while the expected cost fits, and the Activate step "
                "shows how many."
            ),
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
        period = gettext("%(start)s to %(end)s") % {
            "start": day_text(allocation.period_start),
            "end": day_text(allocation.last_day),
        }
        made = (
            gettext("made already: they")
            if allocation.lists_made
            else gettext("not made yet: they will")
        )
        found.effects = [
            gettext(
                "Its offers are allocated to the lists of the periods from %(dates)s, by each "
                "member's chance of redeeming, within each list's offers, one per category, "
                "its budget and its agreement's cap. Lists already made for a period that has "
                "not ended get them now, as a new version with the same barcode."
            )
            % {"dates": dates},
            gettext("Of its audience, %(treated)s may get them; %(held_out)s held out get none.")
            % {"treated": _members(treated), "held_out": f"{held_out:,}"},
            gettext(
                "In the lists of %(period)s (%(made)s get it): %(given)s get the offer, "
                "expected to redeem %(redemptions)s times for %(cost)s."
            )
            % {
                "period": period,
                "made": made,
                "given": _members(allocation.given),
                "redemptions": f"{allocation.expected_redemptions:f}",
                "cost": _money(allocation.expected_cost),
            },
            gettext("The tills take its offers until %(until)s, within the budget of %(budget)s.")
            % {"until": day_text(campaign.valid_until), "budget": _money(campaign.budget)},
        ]
    else:
        found.effects = [
            gettext(
                "Members stop getting its offers: lists generated from now on leave them out, "
                "and the tills no longer take them, also from lists already printed."
            ),
            gettext(
                "Redemptions already made stay, with the reports and the manufacturer's "
                "settlement built on them."
            ),
            gettext("An ended campaign cannot be activated again."),
        ]
    return found

"""What `campaign_save` is asked to save: a campaign's and its offers' values, typed.

The campaign page gets them from its form and offer formset (`CampaignForm.draft`,
`offer_changes`), the demo builds them directly; the service checks the model's rules
either way, so both obey the same ones.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from apps.campaigns.models import Campaign, Offer


@dataclass(frozen=True)
class CampaignDraft:
    """A campaign's own values, as the campaign form asks for them."""

    name: str
    goal: str  # a Goal value
    category_id: int
    target_cells: tuple[str, ...]  # "national-3" … and the member groups (AT_RISK, TOP_VALUE)
    valid_from: dt.date
    valid_until: dt.date
    budget: Decimal
    redemptions_per_member: int = 1
    holdout_pct: Decimal = Decimal("10")
    agreement_id: int | None = None
    redemption_rate_pct: Decimal = Decimal("15")

    def apply(self, campaign: Campaign) -> None:
        """Write the values onto the campaign (not saved)."""
        campaign.name = self.name
        campaign.goal = self.goal
        campaign.category_id = self.category_id
        campaign.target_cells = list(self.target_cells)
        campaign.valid_from = self.valid_from
        campaign.valid_until = self.valid_until
        campaign.budget = self.budget
        campaign.redemptions_per_member = self.redemptions_per_member
        campaign.holdout_pct = self.holdout_pct
        campaign.agreement_id = self.agreement_id
        campaign.redemption_rate_pct = self.redemption_rate_pct


@dataclass(frozen=True)
class OfferDraft:
    """One offer's values: new (`offer_id` None) or a change to a saved offer."""

    usage_tier: int
    applies_to: str  # an AppliesTo value
    discount_kind: str  # a DiscountKind value
    discount_value: Decimal
    shopper_text: str
    brand_type: str = ""
    brand: str = ""
    upcs: tuple[str, ...] = ()
    min_quantity: int = 1
    offer_id: int | None = None

    def apply(self, offer: Offer) -> None:
        """Write the values onto the offer (not saved)."""
        offer.usage_tier = self.usage_tier
        offer.applies_to = self.applies_to
        offer.brand_type = self.brand_type
        offer.brand = self.brand
        offer.upcs = list(self.upcs)
        offer.discount_kind = self.discount_kind
        offer.discount_value = self.discount_value
        offer.min_quantity = self.min_quantity
        offer.shopper_text = self.shopper_text


@dataclass(frozen=True)
class OfferChanges:
    """The offers to save (new or changed) and the saved offers to delete."""

    save: tuple[OfferDraft, ...] = ()
    delete: tuple[int, ...] = ()

"""The settable rules of allocation and the redemption model's prior.

Defaults follow the programmes this product is modelled on: Tesco's mailer carries 12
personalised coupons, 84.51°'s 11 (each for a product the household bought in the last
year), so a list holds at most 12 offers, one per category, and at most a fifth of them are
discovery offers (a category the member did not buy in 52 weeks, reached through basket
affinity).
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from decimal import Decimal

from django.conf import settings

# The features every candidate is scored on, in the order of the model's coefficients.
FEATURES = (
    "bought_target",  # bought the offer's products in the 52 weeks: 0 or 1
    "discovery",  # did not buy the offer's category in the 52 weeks: 0 or 1
    "buy_probability",  # chance of buying the category in the period (segments' timing)
    "usage_tier",  # 1 low, 2 medium, 3 high (centred: tier - 2)
    "past_rate",  # the member's redemption rate of past offers, shrunk to PAST_RATE_PRIOR
    "depth",  # the discount as a share of what the offer's units cost
)

# The prior: used until the reports room fits the model on the chain's own redemptions.
# Chosen so that a typical offer for a product the member buys, due in the period, at 20 %
# off, scores about 0.25 (84.51°'s mailers see up to half redeemed, untargeted coupons 1-3 %),
# one for a product they do not buy about 0.05 and a discovery offer about 0.02; each
# coefficient's sign is what every published redemption model finds.
PRIOR_INTERCEPT = -4.5
PRIOR = {
    "bought_target": 1.5,
    "discovery": -1.0,
    "buy_probability": 2.0,
    "usage_tier": 0.2,
    "past_rate": 3.0,
    "depth": 2.5,
}

# A member's past redemption rate is (redeemed + PRIOR · WEIGHT) / (given + WEIGHT): with no
# history it is the prior rate, after many offers it is their own.
PAST_RATE_PRIOR = 0.15
PAST_RATE_WEIGHT = 5.0

# Buy probability where segments has none for the pair: a category the member did not buy
# in 52 weeks is rarely bought in two weeks; one they buy, at the chain's typical rate.
BUY_PROBABILITY_NEW = 0.02
BUY_PROBABILITY_KNOWN = 0.25


@dataclass(frozen=True)
class AllocationRules:
    """How many offers a list holds, and how many of them may be discovery offers."""

    slots: int = 12
    discovery_share: Decimal = Decimal("0.20")

    @property
    def max_discovery(self) -> int:
        """Whole discovery offers a list may hold: the share of the slots, rounded down."""
        return int(self.slots * self.discovery_share)

    def as_params(self) -> dict:
        return {k: str(v) for k, v in asdict(self).items()}

    @classmethod
    def from_settings(cls) -> AllocationRules:
        """The chain's rules: CRM_LIST_OFFER_SLOTS and CRM_DISCOVERY_SHARE."""
        return cls(
            slots=settings.CRM_LIST_OFFER_SLOTS,
            discovery_share=Decimal(settings.CRM_DISCOVERY_SHARE),
        )

    @classmethod
    def from_params(cls, params: dict) -> AllocationRules:
        defaults = cls()
        return cls(
            slots=int(params.get("slots", defaults.slots)),
            discovery_share=Decimal(params.get("discovery_share", defaults.discovery_share)),
        )


@dataclass(frozen=True)
class Eligibility:
    """Who gets a list: an active, consenting member who spent min_spend over `weeks`."""

    min_spend: Decimal = Decimal("200.00")
    weeks: int = 8

"""Offer allocation: which offers each member's list carries in a period, and why.

Phase one (`allocation_score`, per chunk of members) scores every candidate offer with the
redemption model; phase two (`allocation_decide`, once per period) chooses greedily by
expected value under the list's slots, one offer per category, the discovery share, the
campaigns' budgets and the agreements' caps. `allocation_preview` is the same two phases
run for one campaign and rolled back. The lists room prints what was given.
"""

from apps.campaigns.allocation.decide import allocation_decide
from apps.campaigns.allocation.eligibility import ELIGIBLE_SQL, eligibility_params
from apps.campaigns.allocation.preview import (
    MEMBER_GROUPS,
    AllocationPreview,
    allocation_figures,
    allocation_members,
    allocation_preview,
    campaign_reach,
    open_periods,
    preview_period,
)
from apps.campaigns.allocation.rules import AllocationRules, Eligibility
from apps.campaigns.allocation.scoring import PERIOD_DAYS, allocation_score

__all__ = [
    "ELIGIBLE_SQL",
    "PERIOD_DAYS",
    "AllocationPreview",
    "AllocationRules",
    "Eligibility",
    "allocation_decide",
    "MEMBER_GROUPS",
    "allocation_figures",
    "allocation_members",
    "allocation_preview",
    "allocation_score",
    "campaign_reach",
    "eligibility_params",
    "open_periods",
    "preview_period",
]

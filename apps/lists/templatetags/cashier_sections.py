"""The member's value tier for the cashier screen, from the latest member-value fit.

Segments owns the scores; this tag sits with the list sections of the cashier screen because
the members app never imports segments, and lists already read segments (data flows one way).
"""

from __future__ import annotations

from django import template

from apps.campaigns.selectors import TOP_VALUE_CUMULATIVE_SHARE
from apps.segments.selectors import member_score

register = template.Library()

# Members at or under this cumulative share of sales bring 80 % of it (the Pareto "vital few").
VALUED_CUMULATIVE_SHARE = 0.8

# (key, label, what the cashier should take from it)
TIERS = {
    "top": ("Top customer", "among the members who bring half of all sales"),
    "valued": ("Valued customer", "among the members who bring 80 % of sales"),
    "occasional": ("Occasional customer", "outside the members who bring 80 % of sales"),
}


def value_tier(cumulative_share: float) -> str:
    """Return the cashier's tier of a member by their place on the Pareto curve of sales.

    The share of sales of the members at least as valuable (stored per member by the fit)
    needs no ranking at read time; "top" is the campaigns' "top value" group.
    """
    if cumulative_share <= TOP_VALUE_CUMULATIVE_SHARE:
        return "top"
    if cumulative_share <= VALUED_CUMULATIVE_SHARE:
        return "valued"
    return "occasional"


@register.inclusion_tag("lists/sections/value_tier.html")
def member_value_tier(member):
    """Render the tier badge, churn-risk flag, P(active) and 12-month value (1 query)."""
    score = member_score(member=member)
    if score is None:
        return {"score": None}
    tier = value_tier(score.cumulative_share)
    label, meaning = TIERS[tier]
    return {"score": score, "tier": tier, "label": label, "meaning": meaning}

"""Every section of a member's record, in the order the export shows them.

What belongs here (tests/privacy/test_access_completeness.py checks it): every model with
a relation (a foreign key, with or without a database constraint, or a one-to-one) to
`members.Member`, and, repeatedly, every model with a relation to one of those: rows that
hang from the member's own rows (a basket's lines, a list's items, a redemption's settlement
lines, the lots a points entry took from). Models that the member's rows point *at* (stores,
products, campaigns, tiers) are the chain's reference data, named beside the ids instead.
A model that the rule catches but holds nothing about the member goes in NOT_MEMBER_DATA,
with the reason.
"""

from __future__ import annotations

from apps.rights.access import analytics, lists, points, profile, shopping, trail
from apps.rights.access.base import Section, Table

SECTIONS: tuple[Section, ...] = (
    profile.SECTION,
    shopping.SECTION,
    lists.SECTION,
    points.SECTION,
    analytics.SEGMENTS,
    analytics.CAMPAIGNS,
    trail.SECTION,
)

# Model label → why the rule above catches it and yet it holds nothing about the member.
NOT_MEMBER_DATA: dict[str, str] = {}


def all_tables() -> list[Table]:
    return [table for section in SECTIONS for table in section.tables]


def covered_models() -> set[str]:
    """Labels ("baskets.BasketLine") of the models the record covers."""
    return {table.label for table in all_tables()}

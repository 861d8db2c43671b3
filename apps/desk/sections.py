"""The sections the desk's pages gather from other apps, each through that app's selectors.

The member page and the cashier's scan screen show parts that belong to lists, checkout,
segments and campaigns. Each part is built here from its app's reads and shown with its
app's section template; no app reaches up to the desk, and none reaches into another's page.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from apps.accounts.models import Role
from apps.campaigns.selectors import TOP_VALUE_CUMULATIVE_SHARE
from apps.checkout.selectors import live_redemptions_by_item
from apps.lists import selectors as list_selectors
from apps.lists.models import ItemKind, ListItem, ShoppingList
from apps.members.models import Member, MemberStatus
from apps.segments import selectors as segment_selectors
from apps.segments.models import MemberScore

# --- The member's shopping list (templates/lists/sections/current_list.html) ---------------


@dataclass(frozen=True)
class OfferLine:
    """An offer of the list and where it stands: redeemed, partly used, expired or open."""

    item: ListItem
    redemptions: list  # apps.checkout.models.Redemption, live ones, oldest first
    expired: bool

    @property
    def allowed(self) -> int:
        """How often the member may redeem it (the campaign's redemptions per member)."""
        campaign = self.item.campaign
        return max(campaign.redemptions_per_member, 1) if campaign is not None else 1

    @property
    def state(self) -> str:
        if len(self.redemptions) >= self.allowed:
            return "redeemed"
        if self.expired:
            return "expired"
        return "partly" if self.redemptions else "open"


@dataclass(frozen=True)
class ListSection:
    """What the list section shows: the list, its offers with their redemptions, its rewards."""

    shopping_list: ShoppingList | None
    scanned: bool
    period_state: str | None
    offers: list[OfferLine]
    redeemed_count: int
    rewards: list[ListItem]
    rewards_total: Decimal
    due: list[ListItem]
    card_closed: bool
    can_open: bool


def _period_state(shopping_list: ShoppingList, today: dt.date) -> str:
    if today < shopping_list.period_start:
        return "upcoming"
    return "running" if today < shopping_list.period_end else "ended"


def list_section(*, member: Member, user, list_id: int | None = None) -> ListSection:
    """Return the member's current list, or the list `list_id` (a scanned list barcode).

    Three queries at most: the list, its items, the live redemptions of its offers.
    """
    today = timezone.localdate()
    if list_id is not None:
        shopping_list = list_selectors.member_list(member=member, list_id=list_id)
    else:
        shopping_list = list_selectors.member_current_list(member=member, today=today)
    items: list[ListItem] = []
    if shopping_list is not None:
        # With each item's campaign; the item carries its own description and price.
        items = list_selectors.list_items_shown(shopping_list)
    return list_section_of(
        member=member, user=user, shopping_list=shopping_list, items=items,
        scanned=list_id is not None, today=today,
    )  # fmt: skip


def list_section_of(
    *,
    member: Member,
    user,
    shopping_list: ShoppingList | None,
    items: list[ListItem],
    scanned: bool,
    today: dt.date,
) -> ListSection:
    """Return the section of a list already read with its items (as `list_items_shown`
    gives them); reads the live redemptions of its offers, if it has any (one query)."""
    offers = [item for item in items if item.kind == ItemKind.OFFER]
    redeemed = live_redemptions_by_item(list_item_ids=[item.pk for item in offers])
    offer_lines = [
        OfferLine(
            item=item,
            redemptions=redeemed.get(item.pk, []),
            expired=item.valid_until is not None and item.valid_until < today,
        )
        for item in offers
    ]
    rewards = [item for item in items if item.kind == ItemKind.REWARD]
    return ListSection(
        shopping_list=shopping_list,
        scanned=scanned,
        period_state=_period_state(shopping_list, today) if shopping_list else None,
        offers=offer_lines,
        redeemed_count=sum(1 for line in offer_lines if line.redemptions),
        rewards=rewards,
        rewards_total=sum((item.discount or Decimal("0") for item in rewards), Decimal("0")),
        due=[item for item in items if item.kind == ItemKind.DUE],
        card_closed=member.status == MemberStatus.CLOSED,
        can_open=user.has_role(Role.MARKETING),
    )


# --- The cashier's value tier (templates/desk/sections/value_tier.html) --------------------

# Members at or under this cumulative share of sales bring 80 % of it (the Pareto "vital few").
VALUED_CUMULATIVE_SHARE = 0.8

# (key, label, what the cashier should take from it)
TIERS = {
    "top": (_("Top customer"), _("among the members who bring half of all sales")),
    "valued": (
        _("Valued customer"),
        # xgettext:no-python-format
        _("among the members who bring 80 % of sales"),
    ),
    "occasional": (
        _("Occasional customer"),
        # xgettext:no-python-format
        _("outside the members who bring 80 % of sales"),
    ),
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


@dataclass(frozen=True)
class ValueTierSection:
    """The tier badge, churn-risk flag, P(active) and 12-month value; score None: not scored."""

    score: MemberScore | None
    tier: str = ""
    label: str = ""
    meaning: str = ""


def value_tier_section(*, member: Member) -> ValueTierSection:
    """Return the member's value tier under the live fit (1 query)."""
    return value_tier_of(segment_selectors.member_score(member=member))


def value_tier_of(score: MemberScore | None) -> ValueTierSection:
    """Return the value tier section of a score read already (None: not scored)."""
    if score is None:
        return ValueTierSection(score=None)
    tier = value_tier(score.cumulative_share)
    label, meaning = TIERS[tier]
    return ValueTierSection(score=score, tier=tier, label=label, meaning=meaning)

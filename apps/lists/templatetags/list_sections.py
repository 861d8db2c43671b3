"""The member's shopping list, as a section of the member page and the cashier screen.

Lists own this template tag so that the members app never imports lists (data flows one way).
Which offers were redeemed comes from the checkout app's selector: the till records them.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from django import template
from django.utils import timezone

from apps.checkout.selectors import live_redemptions_by_item
from apps.lists import selectors
from apps.lists.models import ItemKind, ListItem, ShoppingList
from apps.members.models import MemberStatus

register = template.Library()


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


def _period_state(shopping_list: ShoppingList, today: dt.date) -> str:
    if today < shopping_list.period_start:
        return "upcoming"
    return "running" if today < shopping_list.period_end else "ended"


@register.inclusion_tag("lists/sections/current_list.html", takes_context=True)
def current_list_section(context, member, list_id: int | None = None):
    """Render the member's current list, or the list `list_id` (a scanned list barcode).

    Three queries at most: the list, its items, the live redemptions of its offers.
    """
    today = timezone.localdate()
    if list_id is not None:
        shopping_list = ShoppingList.objects.filter(pk=list_id, member=member).first()
    else:
        shopping_list = selectors.member_current_list(member=member, today=today)
    items: list[ListItem] = []
    if shopping_list is not None:
        items = list(
            shopping_list.items.exclude(kind=ItemKind.CONTENT)
            .select_related("campaign")  # the item carries its own description and price
            .order_by("kind", "id")
        )
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
    user = context["request"].user
    return {
        "shopping_list": shopping_list,
        "scanned": list_id is not None,
        "period_state": _period_state(shopping_list, today) if shopping_list else None,
        "offers": offer_lines,
        "redeemed_count": sum(1 for line in offer_lines if line.redemptions),
        "rewards": rewards,
        "rewards_total": sum((item.discount or Decimal("0") for item in rewards), Decimal("0")),
        "due": [item for item in items if item.kind == ItemKind.DUE],
        "card_closed": member.status == MemberStatus.CLOSED,
        "can_open": user.has_role("marketing"),
    }

"""The member's shopping lists, their items and offers, redemptions and their settlement."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from apps.agreements.models import SettlementLine
from apps.checkout.models import Redemption
from apps.lists.models import ListItem, ShoppingList
from apps.rights.access.base import Section, Table

SECTION = Section(
    key="lists",
    title=_("Shopping lists, offers and redemptions"),
    why=_(
        "The biweekly list the member receives (with their consent to lists): the products "
        "they are due to buy and the offers chosen for them; the offers used at the till and "
        "given back by returns; and the lines by which the chain claimed a maker's share of "
        "a redeemed offer (the member is not named to the maker)."
    ),
    tables=(
        Table(
            ShoppingList,
            _("Shopping lists"),
            lambda m: ShoppingList.objects.filter(member=m).order_by("period_start", "id"),
        ),
        Table(
            ListItem,
            _("List items and offers"),
            lambda m: ListItem.objects.filter(member=m).order_by(
                "shopping_list__period_start", "shopping_list_id", "id"
            ),
        ),
        Table(
            Redemption,
            _("Redemptions and returns (reversed_at: given back by a return)"),
            lambda m: Redemption.objects.filter(member=m).order_by("created_at", "id"),
            extra=("campaign__name", "product__name"),
        ),
        Table(
            SettlementLine,
            _("Settlement lines claiming the member's redemptions"),
            lambda m: SettlementLine.objects.filter(redemption__member=m).order_by(
                "redemption_id", "id"
            ),
        ),
    ),
)

"""What the member bought: baskets, their lines and the till transactions behind them."""

from __future__ import annotations

from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from apps.baskets.models import Basket, BasketLine
from apps.baskets.owners import owned_by
from apps.checkout.models import PosTransaction
from apps.members.models import Member
from apps.rights.access.base import Section, Table


def member_baskets(member: Member):
    """The member's baskets: what their lines and transactions are found by."""
    return Basket.objects.filter(**owned_by(member.pk))


def member_basket_ids(member: Member) -> list[int]:
    """The ids of the member's baskets, as a list.

    A list, not a subquery: `member_id = … OR basket_id IN (1, 2, …)` lets PostgreSQL combine
    two index scans, where `OR basket_id IN (SELECT …)` scans the whole table (tens of
    millions of lines at a chain's scale). A member's baskets are at most a few thousand.
    """
    return list(member_baskets(member).values_list("id", flat=True))


def _lines(member: Member):
    # Lines carry the member too; both ways, so that a line whose basket still names the
    # member is listed even after retention detached the line (and the other way round).
    return BasketLine.objects.filter(
        Q(member=member) | Q(basket_id__in=member_basket_ids(member))
    ).order_by("purchased_at", "basket_id", "id")


def _transactions(member: Member):
    baskets = member_basket_ids(member)
    sales = list(PosTransaction.objects.filter(basket_id__in=baskets).values_list("id", flat=True))
    # A return's own basket names the member too; its sale is found either way.
    return PosTransaction.objects.filter(
        Q(basket_id__in=baskets) | Q(original_id__in=sales)
    ).order_by("created_at", "id")


SECTION = Section(
    key="shopping",
    title=_("Baskets and their lines"),
    why=_(
        "Every visit the card was shown at: the store, the time, what was bought and paid. "
        "Points are earned on them, the shopping list's offers are chosen from them and the "
        "chain's sales figures are made of them."
    ),
    tables=(
        Table(
            Basket,
            _("Baskets"),
            lambda m: member_baskets(m).order_by("purchased_at", "id"),
            extra=("store__code", "store__name"),
        ),
        Table(BasketLine, _("Basket lines"), _lines, extra=("product__upc", "product__name")),
        Table(
            PosTransaction,
            _("Till transactions (as the till sent them, and the answer it got)"),
            _transactions,
            extra=("store__code",),
        ),
    ),
)

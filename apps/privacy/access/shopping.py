"""What the member bought: baskets, their lines and the till transactions behind them."""

from __future__ import annotations

from django.db.models import Q

from apps.baskets.models import Basket, BasketLine
from apps.checkout.models import PosTransaction
from apps.members.models import Member
from apps.privacy.access.base import Section, Table


def member_baskets(member: Member):
    """The member's baskets: what their lines and transactions are found by."""
    return Basket.objects.filter(member=member)


def _lines(member: Member):
    # Lines carry the member too; both ways, so that a line whose basket still names the
    # member is listed even after retention detached the line (and the other way round).
    return BasketLine.objects.filter(
        Q(member=member) | Q(basket_id__in=member_baskets(member).values("id"))
    ).order_by("purchased_at", "basket_id", "id")


def _transactions(member: Member):
    baskets = member_baskets(member).values("id")
    sales = PosTransaction.objects.filter(basket_id__in=baskets).values("id")
    # A return's own basket names the member too; its sale is found either way.
    return PosTransaction.objects.filter(
        Q(basket_id__in=baskets) | Q(original_id__in=sales)
    ).order_by("created_at", "id")


SECTION = Section(
    key="shopping",
    title="Baskets and their lines",
    why=(
        "Every visit the card was shown at: the store, the time, what was bought and paid. "
        "Points are earned on them, the shopping list's offers are chosen from them and the "
        "chain's sales figures are made of them."
    ),
    tables=(
        Table(
            Basket,
            "Baskets",
            lambda m: member_baskets(m).order_by("purchased_at", "id"),
            extra=("store__code", "store__name"),
        ),
        Table(BasketLine, "Basket lines", _lines, extra=("product__upc", "product__name")),
        Table(
            PosTransaction,
            "Till transactions (as the till sent them, and the answer it got)",
            _transactions,
            extra=("store__code",),
        ),
    ),
)

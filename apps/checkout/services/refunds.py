"""What a return of units of one UPC refunds, and which live offers it undoes."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from apps.checkout.models import Redemption
from apps.checkout.services.amounts import ZERO, money


@dataclass(frozen=True, slots=True)
class Sold:
    """A UPC's lines in the original sale: units bought, amount paid, discount given."""

    quantity: Decimal
    paid: Decimal
    discount: Decimal


@dataclass(frozen=True, slots=True)
class ReturnedBefore:
    """What the sale's earlier returns of a UPC took back (positive)."""

    quantity: Decimal = ZERO
    refunded: Decimal = ZERO


def offers_undone(kept: Decimal, live: list[Redemption]) -> list[Redemption]:
    """Return the live offers the kept units no longer reach, taking the largest first."""
    undone = []
    left = kept
    for redemption in live:
        if left >= redemption.list_item.min_quantity:
            left -= redemption.list_item.min_quantity
        else:
            undone.append(redemption)
    return undone


def return_refund(
    *, sold: Sold, before: ReturnedBefore, quantity: Decimal, live: list[Redemption]
) -> tuple[Decimal, list[Redemption]]:
    """Refund of `quantity` units of one UPC of a sale, and the live redemptions it undoes.

    A live offer's discount is spread over the units bought, so a returned unit refunds its
    full price less its share of the discounts still live. The units kept must still reach
    each offer's minimum quantity (offers with the largest discount are kept first, `live`
    in that order); an offer they no longer reach is reversed, and its discount on the kept
    units is taken back. After a reversal the units carry no share of it any more, so a
    later return of them refunds the full price.

    Summed over the returns so far, that is exact: (B − k)·G/B − D + L·k/B for B units
    bought at G gross with D discount, k kept and L of the discount still live; all returned
    (k = 0), G − D, what was paid. The refund is that cumulative amount rounded to the cent,
    less what earlier returns refunded: rounding each return on its own could give back
    more than was paid (1.5 at 1.99 charged 2.99, returned in three halves of 0.9967 each
    rounded to 1.00, would refund 3.00).
    """
    bought, paid, discount = sold.quantity, sold.paid, sold.discount
    kept = bought - before.quantity - quantity
    undone = offers_undone(kept, live)
    still_live = sum((r.discount for r in live if r not in undone), ZERO)
    # One division, so an exact half cent stays exact and rounds the same every time.
    owed = ((bought - kept) * (paid + discount) + still_live * kept) / bought - discount
    # `+ ZERO`: a refund of nothing reads 0.00, never -0.00 (money(owed) may round to it).
    return money(owed) - before.refunded + ZERO, undone

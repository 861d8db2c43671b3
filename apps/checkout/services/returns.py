"""return_record: goods of an earlier sale brought back, recorded exactly once.

The steps, in order: claim the transaction (claim.py), lock the sale, read what it sold and
what its earlier returns took back, check the return fits, refund each UPC and reverse the
offers the kept goods no longer reach (refunds.py, funding.totals_subtract), record the
return's basket (apps.baskets.services), take back the points the returned goods earned
(apps.rewards), give the tenders back their share (tenders.py), answer.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from django.db import transaction
from django.db.models import Sum
from django.utils import timezone

from apps.baskets.models import Basket, BasketLine
from apps.baskets.services import LineRecord, basket_clash_described, basket_record
from apps.catalog.models import Product
from apps.checkout.models import PosTransaction, Redemption, TillToken
from apps.checkout.services.amounts import ZERO, answer_number
from apps.checkout.services.claim import transaction_claim
from apps.checkout.services.funding import totals_subtract
from apps.checkout.services.refunds import ReturnedBefore, Sold, offers_undone, return_refund
from apps.checkout.services.tenders import GivenBack, refunded_before, tenders_give_back
from apps.checkout.validation import ReturnRequest
from apps.rewards.bonus import bonus_points_take_back
from apps.rewards.earning import PointsAnswer, points_reverse_for_return


class ReturnInvalid(Exception):
    """The return does not fit its original sale; `errors` by field."""

    def __init__(self, errors: dict[str, list[str]]):
        super().__init__(errors)
        self.errors = errors


@dataclass(frozen=True, slots=True)
class ReturnedLine:
    upc: str
    quantity: Decimal
    refund: Decimal


@dataclass(slots=True)
class Return:
    """A recorded return: each UPC's refund, and the redemptions it reversed."""

    transaction_id: str
    original_transaction_id: str
    lines: list[ReturnedLine]
    reversed: list[Redemption]
    points: PointsAnswer | None = None
    given_back: GivenBack | None = None

    @property
    def refund_total(self) -> Decimal:
        return sum((li.refund for li in self.lines), ZERO)

    def points_warnings(self) -> list[str]:
        if self.points is None or self.points.balance >= 0:
            return []
        return [
            f"The member's points balance is now {self.points.balance:,}: the returned "
            "goods' points had been spent. Points they earn next settle it first."
        ]

    def answer(self) -> dict:
        """Return the till's answer (stored as the transaction's response, replayed as is)."""
        return {
            "transaction_id": self.transaction_id,
            "original_transaction_id": self.original_transaction_id,
            "lines": [
                {"upc": li.upc, "quantity": answer_number(li.quantity), "refund": str(li.refund)}
                for li in self.lines
            ],
            "refund_total": str(self.refund_total),
            "tenders": (self.given_back or GivenBack(cash=self.refund_total)).answer(),
            "reversed": [
                {
                    "offer": r.offer_id,
                    "campaign": r.campaign_id,
                    "upc": r.product.upc,
                    "discount": str(r.discount),
                    "bonus_points": r.bonus_points,
                    "manufacturer_share": str(r.manufacturer_share),
                }
                for r in self.reversed
            ],
            "points": None if self.points is None else self.points.as_dict("reversed"),
            "warnings": self.points_warnings(),
        }


def _sale_locked(*, till: TillToken, transaction_id: str) -> PosTransaction:
    """Lock the original sale, which serializes its returns: each sees the others'.

    The sale is locked alone and its basket read after: joined with the basket, which a
    cluster shards by member while the till's transactions stay on its coordinator, the
    lock was lost (Citus planned the join in two steps, and twenty concurrent returns of
    one sale all went through; docs/scale.md).
    """
    original = (
        PosTransaction.objects.select_for_update()
        .filter(store=till.store, transaction_id=transaction_id, kind=PosTransaction.Kind.SALE)
        .first()
    )
    if original is None or original.basket is None:
        raise ReturnInvalid({"original_transaction_id": ["No such sale in this store."]})
    return original


def _sold(original: PosTransaction) -> dict[str, Sold]:
    """Return what the sale's basket holds of each UPC."""
    totals: dict[str, list[Decimal]] = {}
    for line in BasketLine.objects.filter(basket=original.basket).select_related("product"):
        entry = totals.setdefault(line.product.upc, [ZERO, ZERO, ZERO])
        entry[0] += line.quantity
        entry[1] += line.amount
        entry[2] += line.discount
    return {upc: Sold(*entry) for upc, entry in totals.items()}


def _returned_before(*, original: PosTransaction, pos: PosTransaction) -> dict[str, ReturnedBefore]:
    """Return what the sale's earlier returns took back of each UPC (stored negative)."""
    earlier_baskets = PosTransaction.objects.filter(original=original).exclude(pk=pos.pk)
    return {
        upc: ReturnedBefore(quantity=-quantity, refunded=-amount)
        for upc, quantity, amount in BasketLine.objects.filter(
            basket__in=earlier_baskets.values("basket")
        )
        .values_list("product__upc")
        .annotate(quantity=Sum("quantity"), amount=Sum("amount"))
        .order_by()
    }


def _asked(
    *, request: ReturnRequest, sold: dict[str, Sold], before: dict[str, ReturnedBefore]
) -> dict[str, Decimal]:
    """Return the units asked back per UPC; raise ReturnInvalid if they do not fit the sale."""
    errors: dict[str, list[str]] = {}
    asked: dict[str, Decimal] = {}
    for i, line in enumerate(request.lines):
        if line.upc not in sold:
            errors.setdefault(f"lines[{i}].upc", []).append("Not in the original sale.")
            continue
        asked[line.upc] = asked.get(line.upc, ZERO) + line.quantity
        left = sold[line.upc].quantity - before.get(line.upc, ReturnedBefore()).quantity
        if asked[line.upc] > left:
            errors.setdefault(f"lines[{i}].quantity", []).append(
                f"At most {left.normalize():f} left to return."
            )
    if errors:
        raise ReturnInvalid(errors)
    return asked


def _refund_and_reverse(
    *,
    original: PosTransaction,
    asked: dict[str, Decimal],
    sold: dict[str, Sold],
    before: dict[str, ReturnedBefore],
) -> tuple[list[ReturnedLine], list[Redemption]]:
    """Refund each UPC asked back; reverse (and take out of the totals) the offers undone.

    A bonus-points offer took nothing off the price, so it plays no part in the refund; it
    is undone, like an amount off, when the kept units no longer reach its minimum.
    """
    live: dict[str, list[Redemption]] = {}
    bonus_live: dict[str, list[Redemption]] = {}
    for r in (
        Redemption.objects.select_for_update(of=("self",))
        .filter(pos_transaction=original, reversed_at__isnull=True)
        .select_related("product")
        .order_by("-discount", "pk")
    ):
        (bonus_live if r.bonus_points else live).setdefault(r.product.upc, []).append(r)
    now = timezone.now()
    lines, reversed_ = [], []
    for upc, quantity in asked.items():
        refund, undone = return_refund(
            sold=sold[upc],
            before=before.get(upc, ReturnedBefore()),
            quantity=quantity,
            live=live.get(upc, []),
        )
        kept = sold[upc].quantity - before.get(upc, ReturnedBefore()).quantity - quantity
        undone = [*undone, *offers_undone(kept, bonus_live.get(upc, []))]
        for redemption in undone:
            redemption.reversed_at = now
        reversed_.extend(undone)
        lines.append(ReturnedLine(upc=upc, quantity=quantity, refund=refund))
    Redemption.objects.bulk_update(reversed_, ["reversed_at"])
    totals_subtract(reversed_)
    return lines, reversed_


def _basket_record(
    *, till: TillToken, request: ReturnRequest, original: PosTransaction, result: Return
) -> Basket:
    """Record the return in history: the sale's member's basket of negative quantities and
    amounts (the refunds), discount 0."""
    products = {p.upc: p for p in Product.objects.filter(upc__in=[li.upc for li in result.lines])}
    return basket_record(
        store=till.store,
        transaction_id=request.transaction_id,
        member=original.basket.member,
        purchased_at=request.returned_at,
        lines=[
            LineRecord(product=products[li.upc], quantity=-li.quantity, amount=-li.refund)
            for li in result.lines
        ],
    )


@basket_clash_described
@transaction.atomic
def return_record(*, till: TillToken, request: ReturnRequest, raw: dict) -> dict:
    """Record a return of goods of an earlier sale once; reverse the offers it undoes.

    Each returned unit is refunded what was paid for it: its price less its share of the
    discounts still live. An offer whose minimum quantity the kept goods no longer reach is
    reversed, and its discount on the kept units is taken back from the refund (see
    refunds.return_refund). Raises ReturnInvalid (and records nothing) when the return does
    not fit the sale.
    """
    pos, replay = transaction_claim(
        till=till, transaction_id=request.transaction_id, raw=raw, kind=PosTransaction.Kind.RETURN
    )
    if replay is not None:
        return replay
    original = _sale_locked(till=till, transaction_id=request.original_transaction_id)
    sold = _sold(original)
    before = _returned_before(original=original, pos=pos)
    asked = _asked(request=request, sold=sold, before=before)
    lines, reversed_ = _refund_and_reverse(original=original, asked=asked, sold=sold, before=before)
    result = Return(request.transaction_id, request.original_transaction_id, lines, reversed_)
    before_refunds = refunded_before(original=original, pos=pos)
    pos.original = original
    pos.basket = _basket_record(till=till, request=request, original=original, result=result)
    earlier = PosTransaction.objects.filter(original=original, basket__isnull=False).exclude(
        pk=pos.pk
    )
    result.points = points_reverse_for_return(
        sale_basket=original.basket,
        return_baskets=[
            *(p.basket for p in earlier.select_related("basket").order_by("pk")),
            pos.basket,
        ],
        at=request.returned_at,
    )
    bonus_back = [r.pk for r in reversed_ if r.bonus_points]
    if bonus_back and result.points is not None:
        taken, balance = bonus_points_take_back(
            member_id=original.basket.member_id, basket_id=pos.basket.pk,
            redemption_ids=bonus_back, at=request.returned_at,
        )  # fmt: skip
        result.points = PointsAnswer(result.points.points + taken, balance)
    result.given_back = tenders_give_back(
        original=original, pos=pos, refund=result.refund_total, refunded_before=before_refunds,
        at=request.returned_at, day=timezone.localdate(request.returned_at),
    )  # fmt: skip
    if result.given_back.balance is not None and result.points is not None:
        result.points = PointsAnswer(result.points.points, result.given_back.balance)
    pos.response = result.answer()
    pos.save(update_fields=["original", "basket", "response"])
    return pos.response

"""checkout_record: a till sale, recorded exactly once, answered with its discounts.

The steps, in order: claim the transaction (claim.py), resolve who is at the till and
read the lines' products (shopper.py, one statement; the products alone without a member),
match the list's offers (offers.py) and fund them (funding.py), record the basket
(apps.baskets.services) and the redemptions with the new running totals, take the tenders
(certificates, points: tenders.py), record the points the member earns (apps.rewards),
answer.

The statements are raw SQL into small records: the ORM's query building and model
instances were most of a checkout's CPU. tests/checkout/test_statements.py pins what each
kind of checkout runs, statement by statement.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db import connection, transaction
from django.utils import timezone
from psycopg.types.json import Jsonb

from apps.baskets.models import Basket
from apps.baskets.services import LineRecord, basket_clash_described, basket_record
from apps.checkout.models import PosTransaction, TillToken
from apps.checkout.services.amounts import ZERO, answer_number, money
from apps.checkout.services.claim import transaction_claim
from apps.checkout.services.funding import TOTALS_SET_CTES, Totals, offers_fund
from apps.checkout.services.offers import ProductRef, SaleLine, offers_match
from apps.checkout.services.shopper import Shopper, shopper_resolve
from apps.checkout.services.tenders import Taken, tenders_take
from apps.checkout.validation import CheckoutRequest
from apps.rewards.bonus import bonus_points_give
from apps.rewards.earning import PointsAnswer, points_earn_for_sale


@dataclass(slots=True)
class Sale:
    """A recorded sale: who bought, its lines with the offers they got, and the warnings."""

    transaction_id: str
    shopper: Shopper
    lines: list[SaleLine]
    warnings: list[str]
    points: PointsAnswer | None = None
    tenders: Taken | None = None
    bonus: int = 0

    @property
    def total(self):
        return sum((line.amount for line in self.lines), ZERO)

    def points_answer(self) -> dict:
        """Points earned by the goods and by bonus offers (both in `earned`), the balance."""
        return {
            "earned": self.points.points + self.bonus,
            "bonus": self.bonus,
            "balance": self.points.balance,
        }

    def answer(self) -> dict:
        """Return the till's answer (stored as the transaction's response, replayed as is)."""
        member = self.shopper.member
        shopping_list = self.shopper.shopping_list
        return {
            "transaction_id": self.transaction_id,
            "member": None
            if member is None
            else {"card_number": member.card_number, "first_name": member.first_name},
            "list_barcode": shopping_list.barcode if shopping_list is not None else None,
            "lines": [
                {
                    "upc": line.upc,
                    "quantity": answer_number(line.quantity),
                    "amount": str(line.amount),
                    "discount": str(line.discount),
                    "offer": line.offer.item.offer_id if line.offer is not None else None,
                }
                for line in self.lines
            ],
            "total": str(self.total),
            "discount_total": str(sum((line.discount for line in self.lines), ZERO)),
            "redemptions": [
                {
                    "offer": line.offer.item.offer_id,
                    "campaign": line.offer.item.campaign_id,
                    "upc": line.upc,
                    "discount": str(line.offer.discount),
                    "bonus_points": line.offer.bonus_points,
                    "manufacturer_share": str(line.offer.share),
                }
                for line in self.lines
                if line.offer is not None
            ],
            "tenders": (self.tenders or Taken()).answer(self.total),
            "points": None if self.points is None else self.points_answer(),
            "warnings": self.warnings,
        }


# The lines' products when no member was found (with one, they come with the member:
# shopper.WHO_SQL).
PRODUCTS_SQL = """
SELECT upc, id, category_id, manufacturer_id, brand FROM catalog_product WHERE upc = ANY(%s)
"""


def _upcs(request: CheckoutRequest) -> list[str]:
    return sorted({line.upc for line in request.lines})


def _sale_lines(request: CheckoutRequest, shopper: Shopper) -> list[SaleLine]:
    """Return the request's lines with their products (None for a UPC not in the catalog),
    as read with the member (shopper.WHO_SQL), else read here."""
    if shopper.products is None:
        with connection.cursor() as cursor:
            cursor.execute(PRODUCTS_SQL, [_upcs(request)])
            found = {row[0]: row[1:] for row in cursor.fetchall()}
    else:
        found = shopper.products
    products = {upc: ProductRef(*row) for upc, row in found.items()}
    return [
        SaleLine(
            upc=line.upc,
            quantity=line.quantity,
            gross=money(line.unit_price * line.quantity),
            product=products.get(line.upc),
        )
        for line in request.lines
    ]


def _unknown_warnings(lines: list[SaleLine]) -> list[str]:
    return [
        f"Line {number}: unknown UPC {line.upc}; kept with the transaction, "
        "not in the member's history."
        for number, line in enumerate(lines, start=1)
        if line.product is None
    ]


def _basket_record(*, till: TillToken, request: CheckoutRequest, sale: Sale) -> Basket:
    """Record the sale's basket: its known lines only (a line needs a product), so the
    basket's totals stay the sums of its lines; unknown ones stay with the transaction."""
    return basket_record(
        store=till.store,
        transaction_id=request.transaction_id,
        member=sale.shopper.member,
        purchased_at=request.purchased_at,
        lines=[
            LineRecord(
                product=line.product,
                quantity=line.quantity,
                amount=line.amount,
                discount=line.discount,
            )
            for line in sale.lines
            if line.product is not None
        ],
    )


# The sale's redemptions and the running totals they change (funding.py: the rows are
# locked already), in one statement; each redemption's id and bonus points come back.
REDEMPTIONS_SQL = f"""
WITH {TOTALS_SET_CTES}
INSERT INTO checkout_redemption (
    pos_transaction_id, basket_id, member_id, purchased_at, store_id, created_at,
    list_item_id, offer_id, campaign_id, agreement_id, product_id, quantity, discount,
    bonus_points, manufacturer_share, slot
)
SELECT %(pos)s, %(basket)s, %(member)s, %(at)s, %(store)s, now(), r.*
FROM unnest(
    %(items)s::bigint[], %(offers)s::bigint[], %(campaigns_of)s::bigint[],
    %(agreements_of)s::bigint[], %(products)s::bigint[], %(quantities)s::numeric[],
    %(discounts)s::numeric[], %(bonus)s::integer[], %(shares)s::numeric[], %(slots)s::integer[]
) AS r
RETURNING id, bonus_points
"""


def _redemptions_record(
    *, pos: PosTransaction, basket: Basket, sale: Sale, totals: Totals
) -> list[tuple[int, int]]:
    """Insert the sale's redemptions and store the new running totals; return each
    redemption's (id, bonus points), in the order of the lines."""
    offers = [(line, line.offer) for line in sale.lines if line.offer is not None]
    if not offers:
        return []
    params = {
        "pos": pos.pk, "basket": basket.pk, "member": sale.shopper.member.pk,
        "at": basket.purchased_at, "store": basket.store_id,
        "items": [o.item.pk for _, o in offers], "offers": [o.item.offer_id for _, o in offers],
        "campaigns_of": [o.item.campaign_id for _, o in offers],
        "agreements_of": [o.agreement_id for _, o in offers],
        "products": [line.product.pk for line, _ in offers],
        "quantities": [line.quantity for line, _ in offers],
        "discounts": [o.discount for _, o in offers], "bonus": [o.bonus_points for _, o in offers],
        "shares": [o.share for _, o in offers], "slots": [o.slot for _, o in offers],
        **totals.params(),
    }  # fmt: skip
    with connection.cursor() as cursor:
        cursor.execute(REDEMPTIONS_SQL, params)
        return sorted(cursor.fetchall())


ANSWER_SQL = """
UPDATE checkout_postransaction SET basket_id = %s, unknown_lines = %s, response = %s
WHERE id = %s
"""


@basket_clash_described
@transaction.atomic
def checkout_record(*, till: TillToken, request: CheckoutRequest, raw: dict) -> dict:
    """Record a till transaction once: basket, lines, redemptions; return the answer.

    The same (store, transaction id) again returns the stored answer; with another body it
    raises CheckoutConflict. Concurrent duplicates wait on the unique index of the
    PosTransaction inserted first, so only one of them does the work.
    """
    pos, replay = transaction_claim(till=till, transaction_id=request.transaction_id, raw=raw)
    if replay is not None:
        return replay
    day = timezone.localdate(request.purchased_at)
    shopper = shopper_resolve(scanned=request.scanned, day=day, upcs=_upcs(request))
    lines = _sale_lines(request, shopper)
    matched = offers_match(shopper=shopper, lines=lines, day=day)
    unfunded, totals = offers_fund(matched=matched, day=day)
    warnings = shopper.warnings + _unknown_warnings(lines) + unfunded
    sale = Sale(request.transaction_id, shopper=shopper, lines=lines, warnings=warnings)
    basket = _basket_record(till=till, request=request, sale=sale)
    redemptions = _redemptions_record(pos=pos, basket=basket, sale=sale, totals=totals)
    sale.tenders = tenders_take(
        basket_id=basket.pk, member=shopper.member, total=sale.total,
        codes=request.certificates, points=request.points, at=request.purchased_at, day=day,
    )  # fmt: skip
    sale.points = points_earn_for_sale(
        member_id=basket.member_id,
        basket_id=basket.pk,
        lines=[(line.product.category_id, line.amount) for line in lines if line.product],
        at=request.purchased_at,
        day=day,
    )
    bonuses = [(pk, points) for pk, points in redemptions if points]
    if bonuses:
        sale.bonus, balance = bonus_points_give(
            member_id=basket.member_id, basket_id=basket.pk, bonuses=bonuses,
            at=request.purchased_at,
        )  # fmt: skip
        sale.points = PointsAnswer(sale.points.points, balance)
    unknown = [raw["lines"][i] for i, line in enumerate(lines) if line.product is None]
    response = sale.answer()
    with connection.cursor() as cursor:
        cursor.execute(ANSWER_SQL, [basket.pk, Jsonb(unknown), Jsonb(response), pos.pk])
    return response

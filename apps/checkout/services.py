"""Writes of the checkout app: till tokens, and recording a till transaction exactly once."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from django.db import IntegrityError, transaction
from django.db.models import F, Sum
from django.db.models.expressions import RawSQL
from django.utils import timezone

from apps.agreements.models import AgreementStatus, ManufacturerAgreement
from apps.baskets.models import BasketLine, Store
from apps.baskets.services import (
    BasketIdTaken,  # noqa: F401 - the views catch it from here
    LineRecord,
    basket_clash_described,
    basket_record,
)
from apps.campaigns.models import Campaign, CampaignAudience, CampaignStatus
from apps.campaigns.selectors import offer_matching_products_sql
from apps.catalog.models import Product
from apps.checkout.models import (
    AgreementTotal,
    CampaignTotal,
    PosTransaction,
    Redemption,
    TillToken,
)
from apps.checkout.validation import CheckoutRequest, ReturnRequest
from apps.lists.models import ItemKind, ListItem, ShoppingList
from apps.lists.selectors import member_current_list
from apps.members.models import Member, MemberStatus

# The list item's offer, in the ORM's query of list items.
MATCHING_PRODUCTS_SQL = offer_matching_products_sql(offer_id='"lists_listitem"."offer_id"')
CENT = Decimal("0.01")
ZERO = Decimal("0.00")


class CheckoutConflict(Exception):
    """The transaction id was already used for a different body."""


class ReturnInvalid(Exception):
    """The return does not fit its original sale; `errors` by field."""

    def __init__(self, errors: dict[str, list[str]]):
        super().__init__(errors)
        self.errors = errors


def money(value: Decimal) -> Decimal:
    return value.quantize(CENT, rounding=ROUND_HALF_UP)


def body_hash(raw: dict) -> str:
    """Hash the body's JSON canonically: key order and whitespace do not change it."""
    canonical = json.dumps(raw, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(canonical.encode()).hexdigest()


@transaction.atomic
def till_token_create(*, store: Store, name: str) -> tuple[TillToken, str]:
    """Create a till token; return it and its secret (not stored, shown once)."""
    token = TillToken(store=store, name=name)
    secret = token.set_new_secret()
    token.save()
    return token, secret


def _claim(
    *, till: TillToken, transaction_id: str, raw: dict, kind: str = PosTransaction.Kind.SALE
) -> tuple[PosTransaction | None, dict | None]:
    """Insert the transaction's row first: (row, None) for the first, (None, answer) after.

    A concurrent duplicate waits on the unique index until the first commits, then gets
    the unique violation here and replays the stored answer (or a conflict).
    """
    digest = body_hash(raw)
    try:
        with transaction.atomic():
            pos = PosTransaction.objects.create(
                store=till.store,
                transaction_id=transaction_id,
                kind=kind,
                body_hash=digest,
                request=raw,
                till=till,
            )
    except IntegrityError:
        done = PosTransaction.objects.get(store=till.store, transaction_id=transaction_id)
        if done.body_hash != digest:
            raise CheckoutConflict from None
        return None, done.response
    return pos, None


@dataclass
class _Line:
    upc: str
    quantity: Decimal
    gross: Decimal
    product: Product | None
    discount: Decimal = ZERO
    item: ListItem | None = None
    slot: int = 0  # of the item's redemptions per member, when an offer is applied

    @property
    def amount(self) -> Decimal:
        return self.gross - self.discount


def _offer_matches(item: ListItem, product: Product) -> bool:
    """Tell whether the item's offer matches the product, as PostgreSQL judged it.

    The rule is apps.campaigns.selectors.OFFER_MATCHES_PRODUCT, asked in the statement that
    locks the items (`matching_products`), so the checkout judges brands exactly as the
    campaign preview and the reports do.
    """
    return product.pk in item.matching_products


def _item_discount(item: ListItem, line: _Line) -> Decimal:
    if item.discount_pct:
        return money(line.gross * item.discount_pct / 100)
    if item.discount:
        return min(item.discount, line.gross)
    return ZERO


def _agreement_covers(agreement: ManufacturerAgreement, product: Product, day) -> bool:
    if agreement.status != AgreementStatus.ACTIVE:
        return False
    if not agreement.valid_from <= day <= agreement.valid_until:
        return False
    if product.manufacturer_id != agreement.manufacturer_id:
        return False
    brands = {b.casefold() for b in agreement.brands}
    return not brands or product.brand.casefold() in brands


def _number(value: Decimal) -> int | float:
    return int(value) if value == value.to_integral_value() else float(value)


@basket_clash_described
@transaction.atomic
def checkout_record(*, till: TillToken, request: CheckoutRequest, raw: dict) -> dict:
    """Record a till transaction once: basket, lines, redemptions; return the answer.

    The same (store, transaction id) again returns the stored answer; with another body it
    raises CheckoutConflict. Concurrent duplicates wait on the unique index of the
    PosTransaction inserted first, so only one of them does the work.
    """
    store = till.store
    pos, replay = _claim(till=till, transaction_id=request.transaction_id, raw=raw)
    if replay is not None:
        return replay

    warnings: list[str] = []
    day = timezone.localdate(request.purchased_at)

    # Who: a list barcode names the list (and its member); a card number names the member.
    member: Member | None = None
    shopping_list: ShoppingList | None = None
    if request.scanned:
        shopping_list = (
            ShoppingList.objects.select_related("member").filter(barcode=request.scanned).first()
        )
        if shopping_list is not None:
            member = shopping_list.member
        else:
            member = Member.objects.filter(card_number=request.scanned).first()
            if member is not None:
                shopping_list = member_current_list(member=member, today=day)
            else:
                warnings.append(
                    f"Unknown card or list {request.scanned!r}: recorded as an anonymous basket."
                )
    if member is not None and member.status != MemberStatus.ACTIVE:
        warnings.append(f"Card {member.card_number} is {member.status}: no offers applied.")
        shopping_list = None

    products = {
        p.upc: p for p in Product.objects.filter(upc__in={line.upc for line in request.lines})
    }
    lines = []
    unknown = []
    for number, line in enumerate(request.lines, start=1):
        product = products.get(line.upc)
        lines.append(
            _Line(
                upc=line.upc,
                quantity=line.quantity,
                gross=money(line.unit_price * line.quantity),
                product=product,
            )
        )
        if product is None:
            unknown.append(raw["lines"][number - 1])
            warnings.append(
                f"Line {number}: unknown UPC {line.upc}; kept with the transaction, "
                "not in the member's history."
            )

    pending = _redeem(member=member, shopping_list=shopping_list, lines=lines, day=day)
    for note in pending.pop("warnings"):
        warnings.append(note)

    basket = basket_record(
        store=store,
        transaction_id=request.transaction_id,
        member=member,
        purchased_at=request.purchased_at,
        lines=[
            LineRecord(
                product=line.product,
                quantity=line.quantity,
                amount=line.amount,
                discount=line.discount,
            )
            for line in lines
            if line.product is not None
        ],
    )
    redemptions = [
        Redemption(
            pos_transaction=pos,
            basket=basket,
            list_item=line.item,
            offer=line.item.offer,
            campaign=line.item.offer.campaign,
            agreement=pending["agreements"].get(id(line)),
            member=member,
            product=line.product,
            quantity=line.quantity,
            discount=line.discount,
            manufacturer_share=pending["shares"].get(id(line), ZERO),
            slot=line.slot,
        )
        for line in lines
        if line.item is not None
    ]
    Redemption.objects.bulk_create(redemptions)

    response = {
        "transaction_id": request.transaction_id,
        "member": None
        if member is None
        else {"card_number": member.card_number, "first_name": member.first_name},
        "list_barcode": shopping_list.barcode if shopping_list is not None else None,
        "lines": [
            {
                "upc": line.upc,
                "quantity": _number(line.quantity),
                "amount": str(line.amount),
                "discount": str(line.discount),
                "offer": line.item.offer_id if line.item is not None else None,
            }
            for line in lines
        ],
        "total": str(sum((line.amount for line in lines), ZERO)),
        "discount_total": str(sum((line.discount for line in lines), ZERO)),
        "redemptions": [
            {
                "offer": r.offer_id,
                "campaign": r.campaign_id,
                "upc": r.product.upc,
                "discount": str(r.discount),
                "manufacturer_share": str(r.manufacturer_share),
            }
            for r in redemptions
        ],
        "warnings": warnings,
    }
    pos.basket = basket
    pos.unknown_lines = unknown
    pos.response = response
    pos.save(update_fields=["basket", "unknown_lines", "response"])
    return response


def _free_slot(taken: set[int], limit: int) -> int | None:
    """Return the lowest free slot of an item, or None when its live redemptions reach the
    limit (counted, not just looked up: a limit lowered mid-campaign leaves higher slots)."""
    if len(taken) >= limit:
        return None
    return min(set(range(1, limit + 1)) - taken)


def _redeem(*, member, shopping_list, lines: list[_Line], day) -> dict:
    """Match the list's offers to the lines; set each matched line's item and discount.

    Locks, always in this order so that concurrent checkouts cannot deadlock: the list's
    offer items (their slots: at most redemptions_per_member live redemptions per item,
    whatever arrives concurrently), then the campaigns (their budget), then the agreements
    (their cap), each by id. Budget and cap are checked against the running totals
    (CampaignTotal, AgreementTotal), not a sum over all redemptions, and the new totals are
    written under the same locks. An item applies at most once per transaction.
    """
    result: dict = {"warnings": [], "shares": {}, "agreements": {}}
    if member is None or shopping_list is None:
        return result
    product_ids = sorted({line.product.pk for line in lines if line.product is not None})
    items = list(
        ListItem.objects.select_for_update(of=("self",))
        .filter(shopping_list=shopping_list, kind=ItemKind.OFFER, offer__isnull=False)
        .select_related("offer__campaign")
        .annotate(matching_products=RawSQL(MATCHING_PRODUCTS_SQL, (product_ids,)))
        .order_by("id")
    )
    if not items:
        return result
    taken: dict[int, set[int]] = {}
    for item_id, slot in Redemption.objects.filter(
        list_item__in=items, reversed_at__isnull=True
    ).values_list("list_item_id", "slot"):
        taken.setdefault(item_id, set()).add(slot)
    held_out = set(
        CampaignAudience.objects.filter(
            member=member, holdout=True, campaign_id__in={i.offer.campaign_id for i in items}
        ).values_list("campaign_id", flat=True)
    )
    matched: list[_Line] = []
    for item in items:
        campaign = item.offer.campaign
        slot = _free_slot(taken.get(item.pk, set()), campaign.redemptions_per_member)
        if (
            slot is None
            or campaign.pk in held_out
            or campaign.status != CampaignStatus.ACTIVE
            or not campaign.valid_from <= day <= campaign.valid_until
            or (item.valid_until is not None and day > item.valid_until)
        ):
            continue
        for line in lines:
            if (
                line.item is None
                and line.product is not None
                and line.quantity >= item.min_quantity
                and _offer_matches(item, line.product)
            ):
                discount = _item_discount(item, line)
                if discount > 0:
                    line.item, line.discount, line.slot = item, discount, slot
                    matched.append(line)
                break
    if not matched:
        return result

    campaign_ids = sorted({line.item.offer.campaign_id for line in matched})
    campaigns = {
        c.pk: c
        for c in Campaign.objects.select_for_update().filter(pk__in=campaign_ids).order_by("pk")
    }
    # Running totals, read under the row locks (they are written only under them).
    spent = dict(
        CampaignTotal.objects.filter(campaign_id__in=campaign_ids).values_list(
            "campaign_id", "spent"
        )
    )
    agreement_ids = sorted({c.agreement_id for c in campaigns.values() if c.agreement_id})
    agreements = {
        a.pk: a
        for a in ManufacturerAgreement.objects.select_for_update()
        .filter(pk__in=agreement_ids)
        .order_by("pk")
    }
    charged = dict(
        AgreementTotal.objects.filter(agreement_id__in=agreement_ids).values_list(
            "agreement_id", "charged"
        )
    )
    spent_before, charged_before = dict(spent), dict(charged)
    for line in matched:
        campaign = campaigns[line.item.offer.campaign_id]
        used = spent.get(campaign.pk) or ZERO
        if used + line.discount > campaign.budget:
            result["warnings"].append(
                f"Campaign {campaign.name!r} has used up its budget: offer not applied."
            )
            line.item, line.discount, line.slot = None, ZERO, 0
            continue
        spent[campaign.pk] = used + line.discount
        agreement = agreements.get(campaign.agreement_id)
        if agreement is not None and _agreement_covers(agreement, line.product, day):
            used_share = charged.get(agreement.pk) or ZERO
            share = money(line.discount * agreement.manufacturer_share_pct / 100)
            # Beyond the cap the discount is ours: charge at most what is left.
            share = max(ZERO, min(share, agreement.budget_cap - used_share))
            charged[agreement.pk] = used_share + share
            result["shares"][id(line)] = share
            result["agreements"][id(line)] = agreement
    _totals_save(
        campaigns={k: v for k, v in spent.items() if v != spent_before.get(k)},
        agreements={k: v for k, v in charged.items() if v != charged_before.get(k)},
    )
    return result


def _totals_save(*, campaigns: dict[int, Decimal], agreements: dict[int, Decimal]) -> None:
    """Store new running totals; the caller holds the campaign and agreement row locks."""
    if campaigns:
        CampaignTotal.objects.bulk_create(
            [CampaignTotal(campaign_id=pk, spent=v) for pk, v in sorted(campaigns.items())],
            update_conflicts=True,
            unique_fields=["campaign"],
            update_fields=["spent"],
        )
    if agreements:
        AgreementTotal.objects.bulk_create(
            [AgreementTotal(agreement_id=pk, charged=v) for pk, v in sorted(agreements.items())],
            update_conflicts=True,
            unique_fields=["agreement"],
            update_fields=["charged"],
        )


def _totals_subtract(reversed_: list[Redemption]) -> None:
    """Take reversed redemptions out of the running totals, under the same row locks as a
    checkout (campaigns, then agreements, each by id), so no checkout reads a stale total."""
    if not reversed_:
        return
    by_campaign: dict[int, Decimal] = {}
    by_agreement: dict[int, Decimal] = {}
    for r in reversed_:
        by_campaign[r.campaign_id] = by_campaign.get(r.campaign_id, ZERO) + r.discount
        if r.agreement_id is not None:
            by_agreement[r.agreement_id] = (
                by_agreement.get(r.agreement_id, ZERO) + r.manufacturer_share
            )
    list(Campaign.objects.select_for_update().filter(pk__in=by_campaign).order_by("pk"))
    list(
        ManufacturerAgreement.objects.select_for_update().filter(pk__in=by_agreement).order_by("pk")
    )
    for pk, amount in sorted(by_campaign.items()):
        CampaignTotal.objects.filter(campaign_id=pk).update(spent=F("spent") - amount)
    for pk, amount in sorted(by_agreement.items()):
        AgreementTotal.objects.filter(agreement_id=pk).update(charged=F("charged") - amount)


def _return_refund(
    *,
    sold: list[Decimal],
    returned_before: Decimal,
    refunded_before: Decimal,
    quantity: Decimal,
    live: list[Redemption],
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
    bought, paid, discount = sold
    kept = bought - returned_before - quantity
    undone = []
    left = kept
    for redemption in live:
        if left >= redemption.list_item.min_quantity:
            left -= redemption.list_item.min_quantity
        else:
            undone.append(redemption)
    still_live = sum((r.discount for r in live if r not in undone), ZERO)
    # One division, so an exact half cent stays exact and rounds the same every time.
    owed = ((bought - kept) * (paid + discount) + still_live * kept) / bought - discount
    return money(owed) - refunded_before, undone


@basket_clash_described
@transaction.atomic
def return_record(*, till: TillToken, request: ReturnRequest, raw: dict) -> dict:
    """Record a return of goods of an earlier sale once; reverse the offers it undoes.

    Each returned unit is refunded what was paid for it: its price less its share of the
    discounts still live. An offer whose minimum quantity the kept goods no longer reach is
    reversed, and its discount on the kept units is taken back from the refund (see
    _return_refund). Raises ReturnInvalid (and records nothing) when the return does not
    fit the sale.
    """
    store = till.store
    pos, replay = _claim(
        till=till, transaction_id=request.transaction_id, raw=raw, kind=PosTransaction.Kind.RETURN
    )
    if replay is not None:
        return replay
    # Locking the sale serializes its returns: each sees what the others returned.
    original = (
        PosTransaction.objects.select_for_update(of=("self",))
        .filter(
            store=store,
            transaction_id=request.original_transaction_id,
            kind=PosTransaction.Kind.SALE,
        )
        .select_related("basket")
        .first()
    )
    if original is None or original.basket is None:
        raise ReturnInvalid({"original_transaction_id": ["No such sale in this store."]})
    sold: dict[str, list[Decimal]] = {}  # upc → [quantity, amount, discount]
    for line in BasketLine.objects.filter(basket=original.basket).select_related("product"):
        entry = sold.setdefault(line.product.upc, [ZERO, ZERO, ZERO])
        entry[0] += line.quantity
        entry[1] += line.amount
        entry[2] += line.discount
    earlier_baskets = PosTransaction.objects.filter(original=original).exclude(pk=pos.pk)
    # Per UPC: quantity and refund of the earlier returns, both stored negative.
    earlier = {
        upc: (quantity, amount)
        for upc, quantity, amount in BasketLine.objects.filter(
            basket__in=earlier_baskets.values("basket")
        )
        .values_list("product__upc")
        .annotate(quantity=Sum("quantity"), amount=Sum("amount"))
        .order_by()
    }
    returned_before = {upc: quantity for upc, (quantity, _) in earlier.items()}
    errors: dict[str, list[str]] = {}
    asked: dict[str, Decimal] = {}
    for i, line in enumerate(request.lines):
        if line.upc not in sold:
            errors.setdefault(f"lines[{i}].upc", []).append("Not in the original sale.")
            continue
        asked[line.upc] = asked.get(line.upc, ZERO) + line.quantity
        left = sold[line.upc][0] + (returned_before.get(line.upc) or ZERO)  # stored negative
        if asked[line.upc] > left:
            errors.setdefault(f"lines[{i}].quantity", []).append(
                f"At most {left.normalize():f} left to return."
            )
    if errors:
        raise ReturnInvalid(errors)

    live: dict[str, list[Redemption]] = {}
    for r in (
        Redemption.objects.select_for_update(of=("self",))
        .filter(pos_transaction=original, reversed_at__isnull=True)
        .select_related("product", "list_item")
        .order_by("-discount", "pk")
    ):
        live.setdefault(r.product.upc, []).append(r)
    now = timezone.now()
    reversed_: list[Redemption] = []
    refunds: dict[str, Decimal] = {}
    for upc, quantity in asked.items():
        before_quantity, before_amount = earlier.get(upc, (ZERO, ZERO))
        refund, undone = _return_refund(
            sold=sold[upc],
            returned_before=-before_quantity,
            refunded_before=-before_amount,
            quantity=quantity,
            live=live.get(upc, []),
        )
        for redemption in undone:
            redemption.reversed_at = now
        reversed_.extend(undone)
        refunds[upc] = refund
    Redemption.objects.bulk_update(reversed_, ["reversed_at"])
    _totals_subtract(reversed_)

    member = original.basket.member
    products = {p.upc: p for p in Product.objects.filter(upc__in=asked)}
    # In history a return is a basket of negative quantities and amounts.
    basket = basket_record(
        store=store,
        transaction_id=request.transaction_id,
        member=member,
        purchased_at=request.returned_at,
        lines=[
            LineRecord(product=products[upc], quantity=-quantity, amount=-refunds[upc])
            for upc, quantity in asked.items()
        ],
    )
    response = {
        "transaction_id": request.transaction_id,
        "original_transaction_id": request.original_transaction_id,
        "lines": [
            {"upc": upc, "quantity": _number(quantity), "refund": str(refunds[upc])}
            for upc, quantity in asked.items()
        ],
        "refund_total": str(sum(refunds.values(), ZERO)),
        "reversed": [
            {
                "offer": r.offer_id,
                "campaign": r.campaign_id,
                "upc": r.product.upc,
                "discount": str(r.discount),
                "manufacturer_share": str(r.manufacturer_share),
            }
            for r in reversed_
        ],
        "warnings": [],
    }
    pos.original = original
    pos.basket = basket
    pos.response = response
    pos.save(update_fields=["original", "basket", "response"])
    return response

"""Rules checked when a campaign or an offer is saved: dates, funding, coverage, price."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from apps.agreements.models import AgreementStatus
from apps.agreements.selectors import agreement_budget_errors
from apps.catalog.models import Product
from apps.core.dates import local_date

CENT = Decimal("0.01")
TIER_UNIQUE_MESSAGE = _("Each usage tier can have only one offer.")


def offer_products(offer) -> QuerySet[Product]:
    """Return the products of the campaign's category that the offer applies to."""
    products = Product.objects.filter(category_id=offer.campaign.category_id)
    if offer.applies_to == "brand_type":
        return products.filter(brand_type=offer.brand_type)
    if offer.applies_to == "brand":
        return products.filter(brand__iexact=offer.brand)
    return products.filter(upc__in=offer.upcs)


def day_text(day: dt.date) -> str:
    """Return a date as people read it: "Tue 14 Jan 2020" ("2020年1月14日 星期二")."""
    return local_date(day, "D j M Y")


def campaign_ended_error(
    valid_until: dt.date | None, *, today: dt.date | None = None
) -> str | None:
    """Return why a campaign whose dates are over cannot be saved, approved or activated.

    A campaign valid 2020-01-01..14 used to be approved and shown "Active": no list would
    ever carry its offers and no till would take them.
    """
    if valid_until is None:
        return None
    today = today or timezone.localdate()
    if valid_until >= today:
        return None
    return gettext(
        "This campaign's dates ended on %(ended)s; campaigns are for the current or a coming "
        "period: set dates that run until today (%(today)s) or later."
    ) % {"ended": day_text(valid_until), "today": day_text(today)}


def campaign_funding_errors(campaign) -> list[str]:
    """Return why the campaign's agreement cannot fund it (empty when it can or has none).

    The agreement must be active over every day of the campaign, cover its category, and
    have room under its budget cap for its share of this campaign's budget on top of the
    shares already committed by its other campaigns (apps.agreements.selectors).
    """
    agreement = campaign.agreement
    if agreement is None:
        return []
    errors = []
    if agreement.status != AgreementStatus.ACTIVE:
        errors.append(
            gettext("The agreement is %(status)s, not active.")
            % {"status": agreement.get_status_display().lower()}
        )
    if (
        campaign.valid_from
        and campaign.valid_until
        and (
            campaign.valid_from < agreement.valid_from
            or campaign.valid_until > agreement.valid_until
        )
    ):
        errors.append(
            gettext(
                "The agreement is valid %(start)s to %(end)s; the campaign dates must lie "
                "within it."
            )
            % {"start": agreement.valid_from, "end": agreement.valid_until}
        )
    category_ids = set(agreement.categories.values_list("pk", flat=True))
    if category_ids and campaign.category_id not in category_ids:
        errors.append(gettext("The agreement does not cover the campaign's category."))
    # The agreement's own figures and words (the statement's "Not yet committed" and "Not
    # yet used"), one computation for the campaign form and the settlement pages.
    errors += agreement_budget_errors(agreement=agreement, campaign=campaign)
    return errors


MAX_BONUS_POINTS = 100_000


def offer_errors(offer) -> dict[str, list[str]]:
    """Return field errors of an offer: its target must exist and be covered by the funding."""
    errors: dict[str, list[str]] = {}
    if offer.applies_to == "brand_type" and not offer.brand_type:
        errors["brand_type"] = [gettext("Choose the brand type.")]
    elif offer.applies_to == "brand" and not offer.brand:
        errors["brand"] = [gettext("Name the brand.")]
    elif offer.applies_to == "upcs" and not offer.upcs:
        errors["upcs"] = [gettext("List at least one UPC.")]
    if offer.discount_kind == "percent" and offer.discount_value and offer.discount_value > 100:
        errors["discount_value"] = [gettext("A percentage is at most 100.")]
    if offer.discount_kind == "points" and offer.discount_value is not None:
        value = offer.discount_value
        if value != value.to_integral_value() or not 1 <= value <= MAX_BONUS_POINTS:
            errors["discount_value"] = [
                gettext("Bonus points are a whole number from 1 to %(max)s.")
                % {"max": f"{MAX_BONUS_POINTS:,}"}
            ]
    if errors or getattr(offer, "campaign", None) is None or not offer.campaign.category_id:
        return errors
    products = offer_products(offer)
    if offer.applies_to == "upcs":
        found = set(products.values_list("upc", flat=True))
        missing = [upc for upc in offer.upcs if upc not in found]
        if missing:
            errors["upcs"] = [
                gettext("Not in the campaign's category: %(upcs)s.")
                % {"upcs": ", ".join(missing[:5])}
            ]
            return errors
    if not products.exists():
        return {"applies_to": [gettext("The offer matches no product of the campaign's category.")]}
    price_error = offer_price_error(offer, products)
    if price_error:
        errors["discount_value"] = [price_error]
    agreement = offer.campaign.agreement
    if agreement is not None:
        covered = Q(manufacturer_id=agreement.manufacturer_id)
        if agreement.brands:
            covered &= Q(brand__in=agreement.brands)
        uncovered = list(products.exclude(covered).values_list("upc", flat=True)[:6])
        if uncovered:
            more = "…" if len(uncovered) > 5 else ""
            errors["applies_to"] = [
                gettext(
                    "The funding agreement does not cover these products: %(upcs)s. Narrow "
                    "the offer to %(manufacturer)s's covered brands."
                )
                % {
                    "upcs": f"{', '.join(uncovered[:5])}{more}",
                    "manufacturer": agreement.manufacturer.name,
                }
            ]
    return errors


def offer_price_error(offer, products: QuerySet[Product]) -> str | None:
    """Return why an amount off is more than the products it applies to cost, if it is.

    "$999.00 off" an $11 bag of dog chews was saved, approved and activated. The till never
    takes off more than a line costs, but the preview counted $999 a redemption and the
    list printed it. The cheapest matching product bounds the amount: the offer applies
    to that one too, bought in the minimum quantity.
    """
    if offer.discount_kind != "amount" or not offer.discount_value:
        return None
    cheapest = products.filter(price__isnull=False).order_by("price", "upc").first()
    if cheapest is None:
        return None
    quantity = offer.min_quantity or 1
    limit = cheapest.price * quantity
    if offer.discount_value <= limit:
        return None
    values = {
        "amount": f"${offer.discount_value:,.2f}",
        "product": cheapest.name,
        "upc": cheapest.upc,
        "price": f"${cheapest.price:,.2f}",
        "quantity": quantity,
        "limit": f"${limit:,.2f}",
    }
    if quantity > 1:
        return (
            gettext(
                "%(amount)s off is more than the price: the cheapest product it applies to, "
                "%(product)s (UPC %(upc)s), costs %(price)s, so %(quantity)s of them "
                "%(limit)s. An amount off can be at most %(limit)s."
            )
            % values
        )
    return (
        gettext(
            "%(amount)s off is more than the price: the cheapest product it applies to, "
            "%(product)s (UPC %(upc)s), costs %(price)s. An amount off can be at most "
            "%(limit)s."
        )
        % values
    )


def campaign_approval_problems(campaign, *, today: dt.date | None = None) -> list[str]:
    """Return what stops the campaign's approval: ended dates, broken rules, no offer.

    The confirm page lists them before anyone clicks; the approval checks them again under
    the row lock (an agreement may have been suspended in between).
    """
    problems = []
    ended = campaign_ended_error(campaign.valid_until, today=today)
    if ended:
        problems.append(ended)
    try:
        campaign.full_clean()
    except ValidationError as error:
        problems += error.messages
    offers = list(campaign.offers.all())
    if not offers:
        problems.append(gettext("Add at least one offer before approving."))
    for offer in offers:
        try:
            offer.full_clean()
        except ValidationError as error:
            problems += [
                gettext("Offer for %(tier)s: %(problem)s")
                % {"tier": offer.tier_text, "problem": text}
                for text in error.messages
            ]
    return problems

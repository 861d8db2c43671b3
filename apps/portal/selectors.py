"""Reads of the manufacturer portal: agreements, releases and privacy budgets.

The figures themselves are computed once per release (`apps.portal.figures`, called by
`apps.portal.services.release_month`) and read back from the stored release here.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.db.models import Exists, OuterRef, Q, QuerySet, Sum
from django.db.models.functions import Coalesce

from apps.agreements.models import AgreementStatus, ManufacturerAgreement
from apps.catalog.models import Category, Manufacturer
from apps.portal.models import PrivacyBudget, Release
from apps.portal.periods import Period

# Agreements -------------------------------------------------------------------------------


def reporting_agreements(*, manufacturer: Manufacturer) -> QuerySet[ManufacturerAgreement]:
    """Return the manufacturer's agreements that include reporting (drafts are no deal yet)."""
    return (
        ManufacturerAgreement.objects.filter(manufacturer=manufacturer, reporting_included=True)
        .exclude(status=AgreementStatus.DRAFT)
        .select_related("manufacturer")
        .prefetch_related("categories")
        .order_by("-valid_from", "name")
    )


def manufacturer_agreements(*, manufacturer: Manufacturer) -> QuerySet[ManufacturerAgreement]:
    """Return all of the manufacturer's agreements, newest first."""
    return (
        ManufacturerAgreement.objects.filter(manufacturer=manufacturer)
        .prefetch_related("categories")
        .order_by("-valid_from", "name")
    )


def agreement_has_reporting(agreement: ManufacturerAgreement) -> bool:
    """Return whether the deal gives report access: reporting included, and not a draft."""
    return agreement.reporting_included and agreement.status != AgreementStatus.DRAFT


def manufacturers_with_agreements() -> QuerySet[Manufacturer]:
    """Return the manufacturers with at least one agreement, flagged when one has reporting."""
    reporting = ManufacturerAgreement.objects.filter(
        manufacturer=OuterRef("pk"), reporting_included=True
    ).exclude(status=AgreementStatus.DRAFT)
    return (
        Manufacturer.objects.filter(agreements__isnull=False)
        .distinct()
        .annotate(has_reporting=Exists(reporting))
        .order_by("name")
    )


def agreement_categories(*, agreement: ManufacturerAgreement) -> list[Category]:
    """Return the agreement's categories; with none named, those of the products it covers."""
    named = list(agreement.categories.all())
    if named:
        return sorted(named, key=lambda c: c.name)
    products = agreement.manufacturer.products.all()
    if agreement.brands:
        brands = Q()
        for brand in agreement.brands:
            brands |= Q(brand__iexact=brand)
        products = products.filter(brands)
    return list(Category.objects.filter(pk__in=products.values("category_id")).order_by("name"))


def release_for(*, agreement: ManufacturerAgreement, period: Period) -> Release | None:
    """Return the agreement's stored release of the month, if it was released."""
    return (
        Release.objects.select_related("agreement__manufacturer")
        .filter(agreement=agreement, period_start=period.start)
        .first()
    )


def released_months(*, agreement: ManufacturerAgreement) -> set[dt.date]:
    """Return the first days of the months released for the agreement."""
    return set(Release.objects.filter(agreement=agreement).values_list("period_start", flat=True))


def budgets_of(*, manufacturer_ids: list[int]) -> dict[tuple[int, int | None], PrivacyBudget]:
    """Return the budgets of the manufacturers, by (manufacturer id, agreement id or None)."""
    return {
        (b.manufacturer_id, b.agreement_id): b
        for b in PrivacyBudget.objects.filter(manufacturer_id__in=manufacturer_ids)
    }


def budget_drift() -> list[tuple[PrivacyBudget, Decimal]]:
    """Return the budgets whose kept `spent` differs from the sum of their releases' ε."""
    zero = Decimal(0)
    found = []
    for budget in PrivacyBudget.objects.select_related("agreement", "manufacturer"):
        releases = Release.objects.filter(agreement__manufacturer_id=budget.manufacturer_id)
        if budget.agreement_id is not None:
            releases = releases.filter(agreement_id=budget.agreement_id)
        total = releases.aggregate(total=Coalesce(Sum("epsilon"), zero))["total"]
        if total != budget.spent:
            found.append((budget, total))
    return found

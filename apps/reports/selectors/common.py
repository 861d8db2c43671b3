"""What every dashboard read shares: the filters as a WHERE clause, sums read as figures."""

from __future__ import annotations

from decimal import Decimal

from django.db.models import Q

from apps.reports.forms import ReportFilters

ZERO = Decimal("0")


def money(value) -> Decimal:
    # Sums of numeric(…, 2) columns: already in cents.
    return value or ZERO


def ratio(numerator, denominator) -> float | None:
    return float(numerator) / float(denominator) if denominator else None


def where(filters: ReportFilters, *, category: bool = True) -> Q:
    q = Q()
    if filters.store_id is not None:
        q &= Q(store_id=filters.store_id)
    if category and filters.category_id is not None:
        q &= Q(category_id=filters.category_id)
    return q


def rolled_up(filters: ReportFilters) -> Q:
    """Cells and moves: the category's rows, or without a category filter the rows that
    already add up all categories (category NULL)."""
    q = where(filters, category=False)
    if filters.category_id is None:
        return q & Q(category_id__isnull=True)
    return q & Q(category_id=filters.category_id)

"""Manufacturer portal pages: a maker's agreements and anonymized reports.

A manufacturer user sees only their own manufacturer; marketing (and admins) may open any
manufacturer's portal to see what the maker sees. Report pages need an agreement that
includes reporting.
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils import timezone
from django.utils.text import slugify
from django_tables2 import RequestConfig

from apps.accounts.models import Role
from apps.accounts.permissions import role_required
from apps.agreements.models import ManufacturerAgreement
from apps.audit.exports import csv_response
from apps.catalog.models import Category, Manufacturer
from apps.portal import charts, selectors
from apps.portal.export import section_lines, write_csv
from apps.portal.formatting import as_text
from apps.portal.forms import agreement_default_period, period_from_request
from apps.portal.report import REDEMPTION_COLUMNS, agreement_report
from apps.portal.tables import section_table

PORTAL_ROLES = (Role.MANUFACTURER, Role.MARKETING)
ROWS_PER_PAGE = 20


def _check_manufacturer(user, manufacturer_id: int) -> None:
    """403 unless the user may see this manufacturer's portal."""
    if not user.has_role(Role.MARKETING) and user.manufacturer_id != manufacturer_id:
        raise PermissionDenied


def _reporting_agreement(request, pk: int) -> ManufacturerAgreement:
    agreement = get_object_or_404(
        ManufacturerAgreement.objects.select_related("manufacturer"), pk=pk
    )
    _check_manufacturer(request.user, agreement.manufacturer_id)
    if not selectors.agreement_has_reporting(agreement):
        raise PermissionDenied("Reporting is not part of this agreement.")
    return agreement


def _period(request, agreement):
    default = agreement_default_period(agreement, today=timezone.localdate())
    return period_from_request(request.GET, default=default)


def _period_query(period) -> str:
    return f"start={period.start.isoformat()}&end={period.end.isoformat()}"


def _csv_response(report, sections, filename: str) -> HttpResponse:
    response = csv_response(filename)
    write_csv(response, section_lines(report, sections))
    return response


@role_required(*PORTAL_ROLES)
def index(request):
    """A manufacturer's own portal; for marketing, the manufacturers to look at."""
    if request.user.has_role(Role.MARKETING):
        manufacturers = selectors.manufacturers_with_agreements()
        return render(request, "portal/index.html", {"manufacturers": manufacturers})
    return _home(request, request.user.manufacturer)


@role_required(*PORTAL_ROLES)
def manufacturer_home(request, code: str):
    manufacturer = get_object_or_404(Manufacturer, code=code)
    _check_manufacturer(request.user, manufacturer.pk)
    return _home(request, manufacturer)


def _home(request, manufacturer: Manufacturer):
    agreements = list(selectors.manufacturer_agreements(manufacturer=manufacturer))
    return render(
        request,
        "portal/home.html",
        {
            "manufacturer": manufacturer,
            "agreements": agreements,
            "reporting": [a for a in agreements if selectors.agreement_has_reporting(a)],
        },
    )


@role_required(*PORTAL_ROLES)
def agreement_detail(request, pk: int):
    """The agreement's report: redemptions, category sales by brand type, buyer flow."""
    agreement = _reporting_agreement(request, pk)
    form, period = _period(request, agreement)
    report = agreement_report(agreement=agreement, period=period, categories=[])
    query = _period_query(period)

    def link(record):
        if "category_id" not in record:
            return None
        url = reverse("portal:category", args=[agreement.pk, record["category_id"]])
        return f"{url}?{query}"

    sections = report.agreement_sections()
    tables = []
    for section in sections:
        table = section_table(section, prefix=section.key, link=link)
        RequestConfig(request, paginate={"per_page": ROWS_PER_PAGE}).configure(table)
        tables.append((section, table))
    return render(
        request,
        "portal/agreement.html",
        {
            "agreement": agreement,
            "manufacturer": agreement.manufacturer,
            "report": report,
            "form": form,
            "period_query": query,
            "tables": tables,
            "summary_text": {
                c.key: as_text(sections[0].total[c.key], c.kind) for c in REDEMPTION_COLUMNS
            },
            "weekly_figure": charts.weekly_funding_figure(sections[1]),
            "sales_figure": charts.sales_mix_figure(sections[2]),
        },
    )


@role_required(*PORTAL_ROLES)
def agreement_export(request, pk: int):
    """Every published figure of the agreement and its categories, as CSV."""
    agreement = _reporting_agreement(request, pk)
    _, period = _period(request, agreement)
    report = agreement_report(agreement=agreement, period=period)
    name = f"{agreement.manufacturer.code}-{slugify(agreement.name)}-{period.start}-{period.end}"
    return _csv_response(report, report.all_sections(), f"{name}.csv")


def _agreement_category(request, pk: int, category_id: int):
    agreement = _reporting_agreement(request, pk)
    category = get_object_or_404(Category, pk=category_id)
    if category not in selectors.agreement_categories(agreement=agreement):
        raise Http404("The agreement does not cover this category.")
    return agreement, category


@role_required(*PORTAL_ROLES)
def category_detail(request, pk: int, category_id: int):
    """One category of the agreement: brand types, cells, switching, buyer flow."""
    agreement, category = _agreement_category(request, pk, category_id)
    form, period = _period(request, agreement)
    report = agreement_report(agreement=agreement, period=period, categories=[category])
    sections = {s.key: s for s in report.category_sections(category)}
    tables = {key: section_table(section, prefix=key) for key, section in sections.items()}
    return render(
        request,
        "portal/category.html",
        {
            "agreement": agreement,
            "manufacturer": agreement.manufacturer,
            "category": category,
            "report": report,
            "form": form,
            "period_query": _period_query(period),
            "sections": sections,
            "tables": tables,
            "cells_figure": charts.matrix_figure(
                sections["buyers_by_cell"], title="Buyers of your brands by cell"
            ),
            "switching_figure": charts.matrix_figure(
                sections["switching"],
                title="Main brand type: the period before (rows) → this period (columns)",
            ),
        },
    )


@role_required(*PORTAL_ROLES)
def category_export(request, pk: int, category_id: int):
    """The category page's published figures, as CSV."""
    agreement, category = _agreement_category(request, pk, category_id)
    _, period = _period(request, agreement)
    report = agreement_report(agreement=agreement, period=period, categories=[category])
    sections = [(category, s) for s in report.category_sections(category)]
    name = f"{agreement.manufacturer.code}-{slugify(category.name)}-{period.start}-{period.end}"
    return _csv_response(report, sections, f"{name}.csv")

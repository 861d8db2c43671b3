"""Manufacturer portal pages: a maker's agreements and its monthly released reports.

A manufacturer user sees only its own manufacturer: another maker's code or agreement is
answered exactly as a missing one (404), so the answer tells nothing about what exists.
Marketing (and admins) may open any manufacturer's portal to see what the maker sees.
Every figure on these pages comes from a stored release (`apps.portal.services`); GET
requests never release anything: a month is released by its button (POST), once.
"""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponse, HttpResponseNotAllowed
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext
from django_tables2 import RequestConfig

from apps.accounts.models import Role
from apps.accounts.permissions import role_required
from apps.agreements.models import ManufacturerAgreement
from apps.audit.exports import csv_response
from apps.catalog.models import Category, Manufacturer
from apps.portal import charts, selectors, services
from apps.portal.export import report_lines, write_csv
from apps.portal.formatting import as_text
from apps.portal.forms import month_from_request
from apps.portal.periods import Period, agreement_months
from apps.portal.report import Report
from apps.portal.sections import REDEMPTION_COLUMNS
from apps.portal.tables import section_table

PORTAL_ROLES = (Role.MANUFACTURER, Role.MARKETING)
ROWS_PER_PAGE = 20
NOT_FOUND = "No such page."


def _check_manufacturer(user, manufacturer_id: int) -> None:
    """404, as for a missing one, unless the user may see this manufacturer's portal."""
    if not user.has_role(Role.MARKETING) and user.manufacturer_id != manufacturer_id:
        raise Http404(NOT_FOUND)


def _reporting_agreement(request, pk: int) -> ManufacturerAgreement:
    agreement = ManufacturerAgreement.objects.select_related("manufacturer").filter(pk=pk).first()
    if agreement is None:
        raise Http404(NOT_FOUND)
    _check_manufacturer(request.user, agreement.manufacturer_id)
    if not selectors.agreement_has_reporting(agreement):
        raise PermissionDenied(gettext("Reporting is not part of this agreement."))
    return agreement


def _month(request, agreement):
    months = agreement_months(agreement, today=timezone.localdate())
    form, period = month_from_request(request.GET, months=months)
    return form, period, months


@role_required(*PORTAL_ROLES)
def index(request):
    """A manufacturer's own portal; for marketing, the manufacturers and their budgets."""
    if request.user.has_role(Role.MARKETING):
        manufacturers = list(selectors.manufacturers_with_agreements())
        budgets = selectors.budgets_of(manufacturer_ids=[m.pk for m in manufacturers])
        for manufacturer in manufacturers:
            manufacturer.budget = budgets.get((manufacturer.pk, None))
        return render(request, "portal/index.html", {"manufacturers": manufacturers})
    return _home(request, request.user.manufacturer)


@role_required(*PORTAL_ROLES)
def manufacturer_home(request, code: str):
    manufacturer = Manufacturer.objects.filter(code=code).first()
    if manufacturer is None:
        raise Http404(NOT_FOUND)
    _check_manufacturer(request.user, manufacturer.pk)
    return _home(request, manufacturer)


def _home(request, manufacturer: Manufacturer):
    agreements = list(selectors.manufacturer_agreements(manufacturer=manufacturer))
    budgets = selectors.budgets_of(manufacturer_ids=[manufacturer.pk])
    for agreement in agreements:
        agreement.privacy = budgets.get((manufacturer.pk, agreement.pk))
    return render(
        request,
        "portal/home.html",
        {
            "manufacturer": manufacturer,
            "agreements": agreements,
            "reporting": [a for a in agreements if selectors.agreement_has_reporting(a)],
            "budget": budgets.get((manufacturer.pk, None)),
        },
    )


def _not_released(request, agreement, form, period, months, template_context: dict):
    categories = selectors.agreement_categories(agreement=agreement)
    context = {
        "agreement": agreement,
        "manufacturer": agreement.manufacturer,
        "form": form,
        "period": period,
        "months": months,
        "cost": services.release_cost(agreement=agreement, categories=categories)
        if period
        else None,
        **template_context,
    }
    return render(request, "portal/not_released.html", context)


@role_required(*PORTAL_ROLES)
def agreement_detail(request, pk: int):
    """The agreement's released report for a month: redemptions, sales, buyer flow."""
    agreement = _reporting_agreement(request, pk)
    form, period, months = _month(request, agreement)
    release = period and selectors.release_for(agreement=agreement, period=period)
    if not release:
        return _not_released(request, agreement, form, period, months, {})
    report = Report(release)
    query = f"month={period.key}"

    def link(record):
        if "category_id" not in record:
            return None
        url = reverse("portal:category", args=[agreement.pk, record["category_id"]])
        return f"{url}?{query}"

    sections = report.agreement_sections()
    tables = []
    for section in sections.values():
        table = section_table(section, prefix=section.key, link=link)
        RequestConfig(request, paginate={"per_page": ROWS_PER_PAGE}).configure(table)
        tables.append((section, table))
    by_category = sections["redemptions_by_category"]
    summary = {c.key: as_text(by_category.total[c.key], c.kind) for c in by_category.columns[1:]}
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
            "summary_text": summary,
            "redemption_columns": REDEMPTION_COLUMNS,
            "weekly_figure": charts.weekly_funding_figure(sections["redemptions_by_week"]),
            "sales_figure": charts.sales_mix_figure(sections["sales_by_brand_type"]),
        },
    )


@role_required(*PORTAL_ROLES)
def agreement_release(request, pk: int):
    """Release a month of the agreement (once; charged to the privacy budgets).

    Another maker's agreement is a 404 whatever the method, before the method is checked:
    a 405 would tell them the agreement exists.
    """
    agreement = _reporting_agreement(request, pk)
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    url = reverse("portal:agreement", args=[agreement.pk])
    months = agreement_months(agreement, today=timezone.localdate())
    try:
        period = Period.parse(request.POST.get("month", ""))
    except ValueError:
        period = None
    if period not in months:
        messages.error(request, gettext("Pick a month of the agreement's term that has ended."))
        return redirect(url)
    try:
        services.release_month(
            agreement=agreement,
            period=period,
            categories=selectors.agreement_categories(agreement=agreement),
            user=request.user,
            today=timezone.localdate(),
        )
    except ValidationError as error:
        for text in error.messages:
            messages.error(request, text)
    return redirect(f"{url}?month={period.key}")


def _released_report(request, agreement) -> Report | HttpResponse:
    form, period, _ = _month(request, agreement)
    if form.is_bound and not form.is_valid():
        return HttpResponse(
            " ".join(form.errors["month"]) + "\n",
            status=400,
            content_type="text/plain; charset=utf-8",
        )
    release = period and selectors.release_for(agreement=agreement, period=period)
    if not release:
        return HttpResponse(
            gettext("This month is not released yet: release it on the report page first.") + "\n",
            status=404,
            content_type="text/plain; charset=utf-8",
        )
    return Report(release)


@role_required(*PORTAL_ROLES)
def agreement_export(request, pk: int):
    """Every table of the agreement and its categories for the month, as CSV."""
    agreement = _reporting_agreement(request, pk)
    report = _released_report(request, agreement)
    if isinstance(report, HttpResponse):
        return report
    name = f"{agreement.manufacturer.code}-{slugify(agreement.name)}-{report.period.key}"
    response = csv_response(f"{name}.csv")
    write_csv(response, report_lines(report, report.all_sections()))
    return response


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
    form, period, months = _month(request, agreement)
    release = period and selectors.release_for(agreement=agreement, period=period)
    if not release:
        return _not_released(request, agreement, form, period, months, {"category": category})
    report = Report(release)
    if category.pk not in dict(report.categories):
        raise Http404("This month's release does not cover this category.")
    sections = report.category_sections(category.pk)
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
            "period_query": f"month={period.key}",
            "sections": sections,
            "tables": tables,
            "cells_figure": charts.matrix_figure(
                sections["buyers_by_cell"], title=gettext("Buyers of your brands by cell")
            ),
            "switching_figure": charts.matrix_figure(
                sections["switching"],
                title=gettext("Main brand type: the month before (rows) → this month (columns)"),
            ),
        },
    )


@role_required(*PORTAL_ROLES)
def category_export(request, pk: int, category_id: int):
    """The category page's tables for the month, as CSV."""
    agreement, category = _agreement_category(request, pk, category_id)
    report = _released_report(request, agreement)
    if isinstance(report, HttpResponse):
        return report
    if category.pk not in dict(report.categories):
        raise Http404("This month's release does not cover this category.")
    sections = [(category.name, s) for s in report.category_sections(category.pk).values()]
    name = f"{agreement.manufacturer.code}-{slugify(category.name)}-{report.period.key}"
    response = csv_response(f"{name}.csv")
    write_csv(response, report_lines(report, sections))
    return response

"""Marketing dashboard: a loyalty page and a redemption page over pre-computed aggregates.

Each chart has its table behind it (sortable, paged where long), loaded when the reader
opens it (`?_fragment=<name>`, static/js/reports-tables.js): rendering every table up front
cost more than all the page's SQL. Each table also exports whole as CSV with the page's
filters: `?_export=csv&_table=<name>`.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import replace
from functools import cached_property
from operator import attrgetter

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext
from django.views.decorators.http import require_POST
from django_tables2 import RequestConfig

from apps.accounts.models import Role
from apps.accounts.permissions import role_required
from apps.audit.exports import EXPORT_FORMAT, table_csv_response
from apps.core.dates import local_date
from apps.core.labels import COLORS
from apps.reports import charts, selectors, tables, wording
from apps.reports.forms import ReportFilterForm, ReportFilters
from apps.reports.selectors import (
    CalibrationDecile,
    CampaignResult,
    CellMove,
    CellRedemption,
    CellTotal,
    HistogramBin,
    MonthCost,
    OfferPrediction,
    PeriodReach,
    StoreValue,
)
from apps.reports.selectors.common import ZERO
from apps.reports.selectors.retention import retention_line
from apps.reports.services import reports_refresh_queue
from apps.reports.stats import POWER_METHOD, PROPORTION_METHOD, SIZE_METHOD, WELCH_METHOD
from apps.segments.charts import TOP_SHARE_CAPTION, top_share_percent

FILTER_PARAMS = ("month_from", "month_to", "store", "category")


class _Data:
    """The page's figures, each read on first use: a table fragment reads only its own."""

    def __init__(self, filters: ReportFilters):
        self.filters = filters

    @cached_property
    def month(self):
        return selectors.snapshot_month(self.filters)

    @cached_property
    def cells(self) -> list[CellTotal]:
        return selectors.cell_totals(self.filters, self.month) if self.month else []

    @cached_property
    def cell_rows(self):
        return selectors.cell_rows_by_category(self.filters, self.month) if self.month else []

    @cached_property
    def moves(self) -> list[CellMove]:
        return selectors.moves(self.filters, self.month) if self.month else []

    @cached_property
    def previous(self):
        return selectors.previous_snapshot_month(self.filters, self.month) if self.month else None

    @cached_property
    def points(self) -> list[dict]:
        return selectors.pareto(self.filters)

    @cached_property
    def clv_bins(self) -> list[HistogramBin]:
        return selectors.histogram(self.filters, "clv")

    @cached_property
    def alive_bins(self) -> list[HistogramBin]:
        return selectors.histogram(self.filters, "p_alive")

    @cached_property
    def stores(self) -> list[StoreValue]:
        return selectors.value_by_store(self.filters)

    @cached_property
    def reach(self) -> list[PeriodReach]:
        return selectors.list_reach(self.filters)

    @cached_property
    def campaigns(self) -> list:
        return list(selectors.campaigns_in_period(self.filters))

    @cached_property
    def campaign_rows(self) -> list[CampaignResult]:
        return selectors.campaign_rows(self.filters, self.campaigns)

    @cached_property
    def win_back(self) -> list[CampaignResult]:
        return [row for row in self.campaign_rows if row.is_win_back]

    @cached_property
    def campaign_cells(self) -> list[CellRedemption]:
        return selectors.campaign_cell_rows(self.filters, self.campaigns)

    @cached_property
    def months(self) -> list[MonthCost]:
        return selectors.cost_by_month(self.filters)

    @cached_property
    def calibration(self) -> list[CalibrationDecile]:
        return selectors.calibration(self.filters)

    @cached_property
    def offer_predictions(self) -> list[OfferPrediction]:
        return selectors.offer_predictions(self.filters, self.campaigns)


# name → (table class, rows, rows per page; None: not paged)
TableSpec = tuple[type[tables.DashboardTable], Callable[[_Data], object], int | None]

LOYALTY_TABLES: dict[str, TableSpec] = {
    "cells": (tables.CellTable, lambda d: d.cell_rows, 10),
    "moves": (tables.MoveTable, lambda d: d.moves, 10),
    "pareto": (tables.ParetoTable, lambda d: d.points, 10),
    "value_distribution": (tables.HistogramTable, lambda d: d.clv_bins + d.alive_bins, 10),
    "at_risk": (tables.StoreValueTable, lambda d: d.stores, 10),
    "win_back": (tables.WinBackTable, lambda d: d.win_back, 10),
    "list_reach": (tables.ReachTable, lambda d: d.reach, 10),
}
REDEMPTION_TABLES: dict[str, TableSpec] = {
    "campaigns": (tables.CampaignTable, lambda d: d.campaign_rows, 10),
    "cells": (tables.CampaignCellTable, lambda d: d.campaign_cells, 15),
    "cost_by_month": (tables.CostMonthTable, lambda d: d.months, 12),
    "lift": (tables.LiftTable, lambda d: d.campaign_rows, 10),
    "calibration": (tables.CalibrationTable, lambda d: d.calibration, None),
    "offers": (tables.OfferPredictionTable, lambda d: d.offer_predictions, 10),
}


def _table(request: HttpRequest, specs: dict[str, TableSpec], data: _Data, name: str):
    table_class, rows, per_page = specs[name]
    table = table_class(rows(data), prefix=f"{name}-")
    RequestConfig(request, paginate={"per_page": per_page} if per_page else False).configure(table)
    return table


def _table_response(request: HttpRequest, specs: dict[str, TableSpec], data: _Data):
    """The CSV export or the HTML fragment of one table, when the request asks for one."""
    export, name = request.GET.get("_export"), request.GET.get("_table")
    if export == EXPORT_FORMAT and name in specs:
        table = _table(request, specs, data, name)
        return table_csv_response(table, f"{name}.csv")
    fragment = request.GET.get("_fragment")
    if fragment is not None:
        if fragment not in specs:
            raise Http404("No such table")
        table = _table(request, specs, data, fragment)
        return render(request, "reports/includes/table_fragment.html", {"table": table})
    return None


def _filters(request: HttpRequest):
    form = ReportFilterForm(request.GET or None, default_month=selectors.default_month())
    return form, form.filters()


def _context(request: HttpRequest, form, filters, **extra) -> dict:
    query = request.GET.copy()
    for key in list(query):
        if key not in FILTER_PARAMS:
            del query[key]
    return {
        "form": form,
        "filters": filters,
        # Options drawn by a plain loop: Django's Select renders a template per option
        # (tens of ms for 300 categories).
        "store_choices": list(form.fields["store"].queryset.values_list("pk", "code", "name")),
        "category_choices": list(form.fields["category"].queryset.values_list("pk", "name")),
        "filter_query": query.urlencode(),
        "refresh": selectors.refresh_state(),
        **extra,
    }


@role_required(Role.MARKETING)
def index(request: HttpRequest) -> HttpResponse:
    return redirect("reports:loyalty")


@role_required(Role.MARKETING)
def loyalty(request: HttpRequest) -> HttpResponse:
    """Cells, moves between cells, Pareto, CLV and P(active), risk, win-back, list reach."""
    form, filters = _filters(request)
    d = _Data(filters)
    response = _table_response(request, LOYALTY_TABLES, d)
    if response is not None:
        return response

    since = local_date(d.previous, "M Y") if d.previous else gettext("the previous snapshot")
    top = selectors.top_share(d.points)
    loyalty_moves = selectors.loyalty_moves(d.moves)
    figures = {
        "cells_members": charts.cells_figure(d.cells, measure="members") if d.cells else None,
        "cells_sales": charts.cells_figure(d.cells, measure="sales") if d.cells else None,
        "moves": charts.moves_figure(loyalty_moves, since=since) if d.moves else None,
        "pareto": charts.pareto_figure(d.points, top) if d.points else None,
        "clv": charts.histogram_figure(d.clv_bins, measure="clv") if d.clv_bins else None,
        "alive": (
            charts.histogram_figure(d.alive_bins, measure="p_alive") if d.alive_bins else None
        ),
        "risk": charts.at_risk_figure(d.stores) if d.stores else None,
        "reach": charts.reach_figure(d.reach) if d.reach else None,
    }
    # Buyers won or lost are a measurement only when two months' snapshots are compared:
    # without an earlier month there is nothing to count, which is not zero.
    won = lost = None
    if d.previous is not None:
        won = sum(v for (a, b), v in loyalty_moves.items() if a == "national" and b == "store")
        lost = sum(v for (a, b), v in loyalty_moves.items() if a == "store" and b == "national")
    context = _context(
        request,
        form,
        filters,
        tab="loyalty",
        month=d.month,
        previous=d.previous,
        cells=d.cells,
        win_back_table=_table(request, LOYALTY_TABLES, d, "win_back"),
        figures=figures,
        summary=selectors.value_summary(filters),
        top_share=top,
        top_share_caption=TOP_SHARE_CAPTION,
        top_share_text=top_share_percent(top),
        won_to_store=won,
        lost_to_national=lost,
        moves_missing=(
            wording.next_snapshot(
                d.month,
                selectors.next_snapshot(d.month),
                selectors.snapshot_month(replace(filters, month_to=dt.date.max)),
            )
            if d.previous is None
            else ""
        ),
        buyers=sum(c.members for c in d.cells) if d.month else None,
        colors=COLORS,
        reachable=selectors.reachable_members(filters),
        fit_id=selectors.value_fit_id(),
        retention=retention_line(),
    )
    return render(request, "reports/loyalty.html", context)


@role_required(Role.MARKETING)
def redemption(request: HttpRequest) -> HttpResponse:
    """Redemption rates, cost split, lift against the holdout with 95 % intervals, ROI, and
    the offer model's predictions against what was redeemed."""
    form, filters = _filters(request)
    d = _Data(filters)
    response = _table_response(request, REDEMPTION_TABLES, d)
    if response is not None:
        return response

    rows = d.campaign_rows
    ran = [r for r in rows if r.lift_treated_members and r.lift_holdout_members]
    figures = {
        "rate": charts.redemption_rate_figure(d.campaign_cells) if d.campaign_cells else None,
        "cost_split": charts.cost_split_figure(rows) if rows else None,
        "cost_month": charts.cost_month_figure(d.months) if d.months else None,
        "lift_spend": charts.lift_figure(ran, measure="sales") if ran else None,
        "lift_conv": charts.lift_figure(ran, measure="conversion") if ran else None,
        "calibration": charts.calibration_figure(d.calibration) if d.calibration else None,
    }
    spent = [r.redemption for r in rows]
    totals = {
        "discount": sum((f.discount for f in spent), ZERO),
        "manufacturer_share": sum((f.manufacturer_share for f in spent), ZERO),
        "store_cost": sum((f.store_cost for f in spent), ZERO),
        "redeemers": sum(f.redeemers for f in spent),
        "reached": sum(f.reached for f in spent),
    }
    context = _context(
        request,
        form,
        filters,
        tab="redemption",
        lift_table=_table(request, REDEMPTION_TABLES, d, "lift"),
        offers_table=_table(request, REDEMPTION_TABLES, d, "offers"),
        offer_model=selectors.current_offer_model(),
        figures=figures,
        campaigns=rows,
        totals=totals,
        ran=ran,
        verdicts=[
            {
                "label": label,
                "significant": [r.name for r in ran if verdict_of(r).significant],
                "not_yet": [
                    (r.name, verdict_of(r).too_few)
                    for r in ran
                    if verdict_of(r).significant is False
                ],
            }
            for verdict_of, label in (
                (attrgetter("sales.lift.verdict"), "Sales lift"),
                (attrgetter("conversion.lift.verdict"), "Conversion lift"),
            )
        ],
        welch_method=WELCH_METHOD,
        proportion_method=PROPORTION_METHOD,
        power_method=POWER_METHOD,
        size_method=SIZE_METHOD,
        colors=COLORS,
    )
    return render(request, "reports/redemption.html", context)


@role_required(Role.MARKETING)
@require_POST
def refresh(request: HttpRequest) -> HttpResponse:
    """Queue a refresh of every aggregate; back to the page it was asked from."""
    job = reports_refresh_queue(started_by=request.user)
    messages.success(
        request,
        gettext("Refresh queued (job %(job)s); the page reloads when done.") % {"job": job.pk},
    )
    back = request.POST.get("next", "")
    if not back.startswith("/") or not url_has_allowed_host_and_scheme(
        back, allowed_hosts={request.get_host()}
    ):
        back = reverse("reports:loyalty")
    # A plain redirect: `redirect()` would take a bare word for a URL name and fail.
    return HttpResponseRedirect(back)

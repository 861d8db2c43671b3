"""Marketing dashboard: a loyalty page and a redemption page over pre-computed aggregates.

Each chart has its table on the page (sortable, paged where long) and a CSV export of the
whole table: `?_export=csv&_table=<name>` with the page's filters.
"""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST
from django_tables2 import RequestConfig
from django_tables2.export import TableExport

from apps.accounts.models import Role
from apps.accounts.permissions import role_required
from apps.reports import charts, selectors, tables
from apps.reports.forms import ReportFilterForm
from apps.reports.services import reports_refresh_queue
from apps.reports.stats import PROPORTION_METHOD, WELCH_METHOD

FILTER_PARAMS = ("month_from", "month_to", "store", "category")


def _filters(request: HttpRequest):
    form = ReportFilterForm(request.GET or None, default_month=selectors.default_month())
    return form, form.filters()


def _configure(request: HttpRequest, named: dict[str, tuple[tables._Table, int | None]]):
    """Give each table its sort and page parameters; return an export response if asked."""
    for table, per_page in named.values():
        RequestConfig(request, paginate={"per_page": per_page} if per_page else False).configure(
            table
        )
    export, name = request.GET.get("_export"), request.GET.get("_table")
    if TableExport.is_valid_format(export) and name in named:
        table = named[name][0]
        return TableExport(export, table).response(f"{name}.{export}")
    return None


def _open_tables(request: HttpRequest, named: dict) -> dict[str, bool]:
    """Tables being sorted or paged: shown open after the reload."""
    return {
        name: any(key.startswith(table.prefix) for key in request.GET)
        for name, (table, _) in named.items()
    }


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
    month = selectors.snapshot_month(filters)
    cells = selectors.cell_totals(filters, month) if month else []
    cell_rows = selectors.cell_rows_by_category(filters, month) if month else []
    move_rows = selectors.moves(filters, month) if month else []
    previous = selectors.previous_snapshot_month(filters, month) if month else None
    points = selectors.pareto(filters)
    clv_bins = selectors.histogram(filters, "clv")
    alive_bins = selectors.histogram(filters, "p_alive")
    stores = selectors.value_by_store(filters)
    summary = selectors.value_summary(filters)
    campaigns = list(selectors.campaigns_in_period(filters))
    win_back = [row for row in selectors.campaign_rows(filters, campaigns) if row["is_win_back"]]
    reach = selectors.list_reach(filters)

    named = {
        "cells": (tables.CellTable(cell_rows, prefix="cells-"), 10),
        "moves": (tables.MoveTable(move_rows, prefix="moves-"), 10),
        "pareto": (tables.ParetoTable(points, prefix="pareto-"), 10),
        "value_distribution": (
            tables.HistogramTable(clv_bins + alive_bins, prefix="hist-"),
            10,
        ),
        "at_risk": (tables.StoreValueTable(stores, prefix="risk-"), 10),
        "win_back": (tables.WinBackTable(win_back, prefix="winback-"), 10),
        "list_reach": (tables.ReachTable(reach, prefix="reach-"), 10),
    }
    exported = _configure(request, named)
    if exported is not None:
        return exported
    open_tables = _open_tables(request, named)

    since = previous.strftime("%b %Y") if previous else "the previous snapshot"
    top = selectors.top_share(points)
    loyalty_moves = selectors.loyalty_moves(move_rows)
    figures = {
        "cells_members": charts.cells_figure(cells, measure="members") if cells else None,
        "cells_sales": charts.cells_figure(cells, measure="sales") if cells else None,
        "moves": charts.moves_figure(loyalty_moves, since=since) if move_rows else None,
        "pareto": charts.pareto_figure(points, top) if points else None,
        "clv": charts.histogram_figure(clv_bins, measure="clv") if clv_bins else None,
        "alive": (
            charts.histogram_figure(alive_bins, measure="p_alive") if alive_bins else None
        ),
        "risk": charts.at_risk_figure(stores) if stores else None,
        "reach": charts.reach_figure(reach) if reach else None,
    }  # fmt: skip
    won = sum(v for (a, b), v in loyalty_moves.items() if a == "national" and b == "store")
    lost = sum(v for (a, b), v in loyalty_moves.items() if a == "store" and b == "national")
    context = _context(
        request,
        form,
        filters,
        tab="loyalty",
        month=month,
        previous=previous,
        cells=cells,
        tables={name: table for name, (table, _) in named.items()},
        open_tables=open_tables,
        figures=figures,
        summary=summary,
        top_share=top,
        won_to_store=won,
        lost_to_national=lost,
        buyers=sum(c["members"] for c in cells),
        reachable=selectors.reachable_members(filters),
        fit_id=selectors.value_fit_id(),
    )
    return render(request, "reports/loyalty.html", context)


@role_required(Role.MARKETING)
def redemption(request: HttpRequest) -> HttpResponse:
    """Redemption rates, cost split, lift against the holdout with 95 % intervals, ROI."""
    form, filters = _filters(request)
    campaigns = list(selectors.campaigns_in_period(filters))
    rows = selectors.campaign_rows(filters, campaigns)
    cell_rows = selectors.campaign_cell_rows(filters, campaigns)
    months = selectors.cost_by_month(filters)

    named = {
        "campaigns": (tables.CampaignTable(rows, prefix="campaigns-"), 10),
        "cells": (tables.CampaignCellTable(cell_rows, prefix="cells-"), 15),
        "cost_by_month": (tables.CostMonthTable(months, prefix="months-"), 12),
        "lift": (tables.LiftTable(rows, prefix="lift-"), 10),
    }
    exported = _configure(request, named)
    if exported is not None:
        return exported
    open_tables = _open_tables(request, named)

    ran = [r for r in rows if r["lift_treated"] and r["lift_holdout"]]
    figures = {
        "rate": charts.redemption_rate_figure(cell_rows) if cell_rows else None,
        "cost_split": charts.cost_split_figure(rows) if rows else None,
        "cost_month": charts.cost_month_figure(months) if months else None,
        "lift_spend": charts.lift_figure(ran, measure="spend") if ran else None,
        "lift_conv": charts.lift_figure(ran, measure="conv") if ran else None,
    }
    totals = {
        key: sum((r[key] for r in rows), start=type(rows[0][key])(0)) if rows else 0
        for key in ("discount", "manufacturer_share", "store_cost", "redeemers", "reached")
    }
    context = _context(
        request,
        form,
        filters,
        tab="redemption",
        tables={name: table for name, (table, _) in named.items()},
        open_tables=open_tables,
        figures=figures,
        campaigns=rows,
        totals=totals,
        welch_method=WELCH_METHOD,
        proportion_method=PROPORTION_METHOD,
    )
    return render(request, "reports/redemption.html", context)


@role_required(Role.MARKETING)
@require_POST
def refresh(request: HttpRequest) -> HttpResponse:
    """Queue a refresh of every aggregate; back to the page it was asked from."""
    job = reports_refresh_queue(started_by=request.user)
    messages.success(request, f"Refresh queued (job {job.pk}); the page reloads when done.")
    back = request.POST.get("next", "")
    if not url_has_allowed_host_and_scheme(back, allowed_hosts={request.get_host()}):
        back = reverse("reports:loyalty")
    return redirect(back)

"""Segment pages: snapshots per category, the 9-cell matrix, a cell's members."""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django_tables2 import RequestConfig

from apps.accounts.models import Role
from apps.accounts.permissions import role_required
from apps.audit.exports import EXPORT_FORMAT, table_csv_response
from apps.segments import selectors
from apps.segments.charts import pareto_figure
from apps.segments.forms import FitForm, RecomputeForm
from apps.segments.member_models import repeat_model_fit_queue
from apps.segments.models import Loyalty, SegmentSnapshot
from apps.segments.services import snapshots_refresh_all
from apps.segments.tables import CellMemberTable, SnapshotTable, WinBackTable


@role_required(Role.MARKETING)
def snapshot_list(request):
    form = RecomputeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        job = snapshots_refresh_all(**form.cleaned_data, started_by=request.user)
        messages.success(request, f"Recompute queued: {job.progress_total} categories.")
        return redirect(job)
    table = SnapshotTable(selectors.snapshots_latest_per_category())
    RequestConfig(request, paginate={"per_page": 50}).configure(table)
    return render(request, "segments/snapshot_list.html", {"table": table, "form": form})


@role_required(Role.MARKETING)
def snapshot_detail(request, pk: int):
    snapshot = get_object_or_404(SegmentSnapshot.objects.select_related("category"), pk=pk)
    matrix = selectors.snapshot_matrix(snapshot=snapshot)
    return render(
        request, "segments/snapshot_detail.html", {"snapshot": snapshot, "matrix": matrix}
    )


@role_required(Role.MARKETING)
def snapshot_cell(request, pk: int, loyalty: str, tier: int):
    if loyalty not in Loyalty.values or tier not in (1, 2, 3):
        raise Http404("No such cell")
    snapshot = get_object_or_404(SegmentSnapshot.objects.select_related("category"), pk=pk)
    rows = selectors.snapshot_cell_rows(snapshot=snapshot, loyalty=loyalty, tier=tier)
    table = CellMemberTable(rows)
    RequestConfig(request, paginate={"per_page": 50}).configure(table)
    export_format = request.GET.get("_export")
    if export_format == EXPORT_FORMAT:
        name = f"{snapshot.category.name}-{loyalty}-{selectors.USAGE_TIER_NAMES[tier]}"
        return table_csv_response(table, f"{name}.csv")
    return render(
        request,
        "segments/snapshot_cell.html",
        {
            "snapshot": snapshot,
            "table": table,
            "loyalty_label": selectors.LOYALTY_LABELS[loyalty],
            "tier_name": selectors.USAGE_TIER_NAMES[tier],
        },
    )


@role_required(Role.MARKETING)
def member_value(request):
    """The latest member-value fit: parameters, Pareto curve, the win-back list."""
    form = FitForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        job = repeat_model_fit_queue(
            calibration_end=form.cleaned_data["calibration_end"], started_by=request.user
        )
        messages.success(request, "Model fit queued.")
        return redirect(job)
    fit = selectors.repeat_model_fit_latest()
    context = {"form": form, "fit": fit}
    if fit is not None:
        points = selectors.pareto_points(fit=fit)
        top = next((share for members, share in points if members >= 0.2), None)
        table = WinBackTable(selectors.win_back_members(fit=fit))
        RequestConfig(request, paginate={"per_page": 25}).configure(table)
        export_format = request.GET.get("_export")
        if export_format == EXPORT_FORMAT:
            return table_csv_response(table, "win-back.csv")
        context |= {
            "pareto_figure": pareto_figure(points, top),
            "top_share": top,
            "table": table,
        }
    return render(request, "segments/member_value.html", context)

"""Segment pages: snapshots per category, the 9-cell matrix, a cell's members, member value."""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext, ngettext
from django.views.decorators.http import require_POST
from django_tables2 import RequestConfig

from apps.accounts.models import Role
from apps.accounts.permissions import role_required
from apps.audit.exports import EXPORT_FORMAT, table_csv_response
from apps.core.dates import local_date
from apps.core.labels import TIER_LABELS
from apps.segments import selectors
from apps.segments.affinity import (
    TARGET_MIN_BASKETS,
    TARGET_MIN_LIFT,
    affinity_rules,
    affinity_window,
)
from apps.segments.charts import TOP_SHARE_CAPTION, pareto_figure, top_share_percent
from apps.segments.fits import (
    FitRefused,
    repeat_model_fit_make_live,
    repeat_model_fit_queue,
)
from apps.segments.forms import AffinityFilterForm, FitForm, RecomputeForm
from apps.segments.models import Loyalty, RepeatModelFit, SegmentSnapshot
from apps.segments.services import snapshots_refresh_all
from apps.segments.tables import AffinityTable, CellMemberTable, SnapshotTable, WinBackTable


@role_required(Role.MARKETING)
def snapshot_list(request):
    form = RecomputeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        job = snapshots_refresh_all(**form.cleaned_data, started_by=request.user)
        n = job.progress_total
        messages.success(
            request,
            ngettext("Recompute queued: %(n)d category.", "Recompute queued: %(n)d categories.", n)
            % {"n": n},
        )
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
            # The word in the page's language (USAGE_TIER_NAMES: the export's English values).
            "tier_name": str(TIER_LABELS[tier]).lower(),
        },
    )


@role_required(Role.MARKETING)
def affinity(request):
    """The latest window's bought-together rules, filtered by a category on either side."""
    form = AffinityFilterForm(request.GET or None)
    valid = form.is_bound and form.is_valid()
    category = form.cleaned_data["category"] if valid else None
    min_baskets = (form.cleaned_data["min_baskets"] if valid else None) or TARGET_MIN_BASKETS
    rules = affinity_rules(category_id=category.pk if category else None, min_baskets=min_baskets)
    table = AffinityTable(rules)
    RequestConfig(request, paginate={"per_page": 50}).configure(table)
    context = {
        "form": form,
        "table": table,
        "category": category,
        "min_baskets": min_baskets,
        "window": affinity_window(),
        "target_lift": TARGET_MIN_LIFT,
        "target_baskets": TARGET_MIN_BASKETS,
    }
    return render(request, "segments/affinity.html", context)


@role_required(Role.MARKETING)
def member_value(request):
    """The live member-value fit: parameters, Pareto curve, win-back list; past fits."""
    form = FitForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            job = repeat_model_fit_queue(
                calibration_end=form.cleaned_data["calibration_end"], started_by=request.user
            )
        except FitRefused as refusal:  # the last basket moved between the check and now
            form.add_error("calibration_end", str(refusal))
        else:
            messages.success(request, gettext("Model fit queued."))
            return redirect(job)
    fit = selectors.repeat_model_fit_live()
    fits = selectors.repeat_model_fits_recent()
    newest = fits[0] if fits else None
    context = {
        "form": form,
        "fit": fit,
        "fits": fits,
        # The newest fit, when it was held back: the page leads with why.
        "held_back": newest if newest is not None and not newest.is_live and newest.held_back
        else None,
    }  # fmt: skip
    if fit is not None:
        points = selectors.pareto_points(fit=fit)
        top = selectors.pareto_top_share(points)
        table = WinBackTable(selectors.win_back_members(fit=fit))
        RequestConfig(request, paginate={"per_page": 25}).configure(table)
        export_format = request.GET.get("_export")
        if export_format == EXPORT_FORMAT:
            return table_csv_response(table, "win-back.csv")
        context |= {
            "pareto_figure": pareto_figure(points, top),
            "top_share": top,
            "top_share_caption": TOP_SHARE_CAPTION,
            "top_share_text": top_share_percent(top),
            "table": table,
        }
    return render(request, "segments/member_value.html", context)


@role_required(Role.MARKETING)
@require_POST
def fit_make_live(request, pk: int):
    """Make a stored fit live: promote a held-back candidate or restore an earlier fit."""
    try:
        change = repeat_model_fit_make_live(fit_id=pk, actor=request.user, request=request)
    except RepeatModelFit.DoesNotExist:
        raise Http404("No such fit") from None
    fit = change.fit
    values = {
        "fit": fit.pk,
        "day": local_date(fit.calibration_end, "M j, Y"),
        "previous": change.previous_id,
        "problems": "; ".join(fit.held_back),
    }
    if not change.changed:
        already = gettext("Fit %(fit)s (history up to %(day)s) is already the live fit.")
        messages.info(request, already % values)
    elif change.action == "restore":
        messages.success(
            request,
            gettext(
                "Fit %(fit)s (history up to %(day)s) is live again: every page reads its "
                "scores. Fit %(previous)s is kept in the list below."
            )
            % values,
        )
    elif change.previous_id:
        messages.warning(
            request,
            gettext(
                "Fit %(fit)s (history up to %(day)s) is live, although it was held back: "
                "%(problems)s. Restore fit %(previous)s below to undo."
            )
            % values,
        )
    else:
        messages.warning(
            request,
            gettext(
                "Fit %(fit)s (history up to %(day)s) is live, although it was held back: "
                "%(problems)s. "
            )
            % values,
        )
    return redirect("segments:member_value")

"""Import pages: upload till files, follow the import's progress, read its rejects and warnings."""

from __future__ import annotations

from pathlib import Path

from django.db.models import Count
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext
from django_tables2 import RequestConfig

from apps.accounts.models import Role
from apps.accounts.permissions import role_required
from apps.baskets.forms import ImportUploadForm
from apps.baskets.models import Basket, ImportReject
from apps.baskets.tables import ImportJobTable, ImportRejectTable
from apps.jobs.display import (
    IMPORT_KIND,
    ImportCounts,
    import_counts,
    job_outcome,
    job_param_rows,
)
from apps.jobs.models import Job

# Baskets without any import job were loaded from the command line (import_pos, or a demo
# generated before the demo recorded its import): say so rather than "No imports yet."
LOADED_ELSEWHERE = _(
    "No imports recorded yet. The baskets already here were loaded from the command line "
    "(manage.py import_pos or manage.py generate_demo), which does not record an import."
)


@role_required(Role.MARKETING)
def import_list(request: HttpRequest) -> HttpResponse:
    """Past and running imports, newest first, each with its outcome in words."""
    jobs = (
        Job.objects.filter(kind=IMPORT_KIND)
        .select_related("started_by")
        .annotate(reject_count=Count("rejects"))
    )
    table = ImportJobTable(jobs)
    RequestConfig(request, paginate={"per_page": 25}).configure(table)
    if not table.paginator.count and Basket.objects.exists():
        table.empty_text = LOADED_ELSEWHERE
    return render(request, "baskets/import_list.html", {"table": table})


@role_required(Role.MARKETING)
def import_new(request: HttpRequest) -> HttpResponse:
    """Upload form; a valid upload queues the import and shows its progress."""
    form = ImportUploadForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        job = form.save(started_by=request.user)
        return redirect("baskets:import_detail", pk=job.pk)
    return render(request, "baskets/import_new.html", {"form": form})


@role_required(Role.MARKETING)
def import_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """The import's live progress, the result per file, the rejected rows and the warnings."""
    job = get_object_or_404(Job.objects.select_related("started_by"), pk=pk, kind=IMPORT_KIND)
    reject_rows = ImportReject.objects.filter(job=job)
    reject_file = request.GET.get("file", "")
    if reject_file:
        reject_rows = reject_rows.filter(file_name=reject_file)
    rejects = ImportRejectTable(reject_rows)
    RequestConfig(request, paginate={"per_page": 25}).configure(rejects)
    counts = import_counts(job.result)
    return render(
        request,
        "baskets/import_detail.html",
        {
            "job": job,
            "outcome": job_outcome(job),
            "counts": counts,
            "outcome_parts": _outcome_parts(counts),
            "is_demo": isinstance(job.params, dict) and job.params.get("source") == "demo",
            "param_rows": job_param_rows(job),
            "file_results": _file_results(job.result),
            "file_warnings": _file_warnings(job.result),
            "rejects": rejects,
            "reject_file": reject_file,
        },
    )


def _outcome_parts(counts: ImportCounts) -> list[dict]:
    """Return what did not load cleanly, each with where the page shows it and what it means."""
    n_files, n_rejected, n_warned = counts.files_not_read, counts.rows_rejected, counts.rows_warned
    found = [
        (
            n_files,
            ngettext("%(n)s file not read", "%(n)s files not read", n_files),
            "#files",
            _("none of its rows loaded"),
        ),
        (
            n_rejected,
            ngettext("%(n)s row rejected", "%(n)s rows rejected", n_rejected),
            "#rejects",
            _("not loaded"),
        ),
        (
            n_warned,
            ngettext("%(n)s row with warnings", "%(n)s rows with warnings", n_warned),
            "#warnings-1",
            _("loaded, a value filled in"),
        ),
    ]
    return [
        {"text": text % {"n": f"{n:,}"}, "anchor": anchor, "note": note}
        for n, text, anchor, note in found
        if n
    ]


def _file_results(result: dict) -> list[dict]:
    """Return one row per file from the result the importer stored (ImportResult.as_dict())."""
    files = result.get("files") if isinstance(result, dict) else None
    if not isinstance(files, list):
        return []
    return [
        {
            "name": f.get("file_name", "?"),
            "rows_read": f.get("rows_read"),
            "loaded": f.get("loaded"),
            "unchanged": f.get("unchanged_or_already_loaded"),
            "rejected": f.get("rejected"),
            "warned": f.get("warned") or 0,
            "seconds": f.get("seconds"),
            "error": f.get("error"),
            # members.csv: what the import did to consents (None for the other files).
            "without_list_consent": f.get("new_without_list_consent"),
            "consent_changes": f.get("consent_changes"),
        }
        for f in files
        if isinstance(f, dict)
    ]


def _file_warnings(result: dict) -> list[dict]:
    """Return the files with rows loaded with warnings: their count and the first ones.

    Warnings are not stored row by row (the rows loaded): the job result keeps the first
    ones (FileResult.as_dict()), the warning file next to the upload has them all.
    """
    files = result.get("files") if isinstance(result, dict) else None
    if not isinstance(files, list):
        return []
    found = []
    for f in files:
        if not isinstance(f, dict) or not f.get("warned"):
            continue
        shown = [w for w in f.get("first_warnings") or [] if isinstance(w, dict)]
        found.append(
            {
                "name": f.get("file_name", "?"),
                "warned": f["warned"],
                "shown": [{"line": w.get("line"), "message": w.get("message")} for w in shown],
                "warning_file": Path(f["warning_file"]).name if f.get("warning_file") else None,
            }
        )
    return found

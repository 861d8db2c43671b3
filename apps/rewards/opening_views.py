"""The opening-balance import pages: upload a file, follow its job, read its rejects by line.

Kept beside `views.py` (the rule and adjustment pages): these pages are the import's, and
they reuse the till import's reject table and the jobs' progress and outcome.
"""

from __future__ import annotations

from django.db.models import Count
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django_tables2 import RequestConfig

from apps.accounts.models import Role
from apps.accounts.permissions import role_required
from apps.baskets.models import ImportReject
from apps.baskets.tables import ImportRejectTable
from apps.jobs.display import import_counts, import_files, job_outcome
from apps.jobs.models import Job
from apps.rewards.forms import OpeningBalanceForm
from apps.rewards.opening import KIND, MAX_POINTS, points_import_start

RECENT_IMPORTS = 20


@role_required(Role.MARKETING)
def opening_imports_view(request: HttpRequest) -> HttpResponse:
    """The upload form and the recent imports; a valid upload queues its job."""
    form = OpeningBalanceForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        job = points_import_start(upload=form.cleaned_data["file"], started_by=request.user)
        return redirect("rewards:import_detail", pk=job.pk)
    jobs = (
        Job.objects.filter(kind=KIND)
        .select_related("started_by")
        .annotate(reject_count=Count("rejects"))
        .order_by("-created_at")[:RECENT_IMPORTS]
    )
    return render(
        request,
        "rewards/imports.html",
        {"form": form, "jobs": jobs, "max_points": MAX_POINTS},
        status=400 if request.method == "POST" else 200,
    )


@role_required(Role.MARKETING)
def opening_import_detail_view(request: HttpRequest, pk: int) -> HttpResponse:
    """The import's progress and outcome, and its rejected rows by line."""
    job = get_object_or_404(Job.objects.select_related("started_by"), pk=pk, kind=KIND)
    rejects = ImportRejectTable(ImportReject.objects.filter(job=job), exclude=("file_name",))
    RequestConfig(request, paginate={"per_page": 50}).configure(rejects)
    files = import_files(job.result)
    return render(
        request,
        "rewards/import_detail.html",
        {
            "job": job,
            "outcome": job_outcome(job),
            "counts": import_counts(job.result),
            "file": files[0] if files else None,
            "points": job.result.get("points") if isinstance(job.result, dict) else None,
            "rejects": rejects,
        },
    )

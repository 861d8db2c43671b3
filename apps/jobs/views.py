"""Job list and a live progress page (polled by static/js/job-progress.js)."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, render
from django_tables2 import RequestConfig

from apps.accounts.models import Role
from apps.accounts.permissions import role_required
from apps.jobs.display import job_outcome, job_param_rows, job_result_rows, job_title
from apps.jobs.models import Job
from apps.jobs.tables import JobTable


@role_required(Role.MARKETING)
def job_list(request: HttpRequest) -> HttpResponse:
    table = JobTable(Job.objects.select_related("started_by"))
    RequestConfig(request, paginate={"per_page": 25}).configure(table)
    return render(request, "jobs/job_list.html", {"table": table})


@role_required(Role.MARKETING)
def job_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """Show the job's progress, and its parameters and result as labelled rows."""
    job = get_object_or_404(Job.objects.select_related("started_by"), pk=pk)
    return render(
        request,
        "jobs/job_detail.html",
        {
            "job": job,
            "title": job_title(job.kind),
            "outcome": job_outcome(job),
            "param_rows": job_param_rows(job),
            "result_rows": job_result_rows(job),
        },
    )


def job_progress_response(job: Job) -> JsonResponse:
    """A job's progress as static/js/job-progress.js reads it (any page's own job view)."""
    return JsonResponse(
        {
            "status": job.status,
            "status_label": job_outcome(job).label,
            "percent": job.percent,
            "done": job.progress_done,
            "total": job.progress_total,
            "message": job.message_shown,
            "finished": job.is_finished,
        }
    )


@role_required(Role.MARKETING)
def job_progress_json(request: HttpRequest, pk: int) -> JsonResponse:
    return job_progress_response(get_object_or_404(Job, pk=pk))

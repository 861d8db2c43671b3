"""Tables of the import pages."""

from __future__ import annotations

import django_tables2 as tables
from django.utils.html import format_html

from apps.baskets.models import ImportReject
from apps.jobs.models import Job, JobStatus

STATUS_BADGES = {
    JobStatus.QUEUED: "text-bg-secondary",
    JobStatus.RUNNING: "text-bg-primary",
    JobStatus.SUCCEEDED: "text-bg-success",
    JobStatus.FAILED: "text-bg-danger",
}


class ImportJobTable(tables.Table):
    id = tables.Column(
        verbose_name="Import",
        linkify=("baskets:import_detail", {"pk": tables.A("pk")}),
        attrs={"td": {"class": "text-nowrap"}},
    )
    created_at = tables.DateTimeColumn(verbose_name="Uploaded", format="Y-m-d H:i")
    started_by = tables.Column(verbose_name="By")
    files = tables.Column(
        verbose_name="Files", accessor="params__files", orderable=False, default="–"
    )
    status = tables.Column(verbose_name="Status")
    percent = tables.TemplateColumn(
        template_name="baskets/includes/progress_cell.html",
        verbose_name="Progress",
        orderable=False,
    )
    reject_count = tables.Column(
        verbose_name="Rejected rows",
        attrs={"td": {"class": "text-end"}, "th": {"class": "text-end"}},
    )
    message = tables.Column(verbose_name="Message", orderable=False)

    class Meta:
        model = Job
        fields = [
            "id",
            "created_at",
            "started_by",
            "files",
            "status",
            "percent",
            "reject_count",
            "message",
        ]
        empty_text = "No imports yet."
        order_by = "-created_at"

    def render_id(self, value):
        return f"#{value}"

    def render_files(self, value):
        return ", ".join(value) if isinstance(value, list) else value

    def render_status(self, value, record):
        return format_html(
            '<span class="badge {}">{}</span>', STATUS_BADGES.get(record.status, ""), value
        )


class ImportRejectTable(tables.Table):
    file_name = tables.Column(verbose_name="File")
    line = tables.Column(
        verbose_name="Line", attrs={"td": {"class": "text-end"}, "th": {"class": "text-end"}}
    )
    reason = tables.Column(verbose_name="Reason")
    raw = tables.TemplateColumn(
        template_name="baskets/includes/reject_raw_cell.html",
        verbose_name="Row as read",
        orderable=False,
    )

    class Meta:
        model = ImportReject
        fields = ["file_name", "line", "reason", "raw"]
        empty_text = "No rejected rows."
        order_by = ("file_name", "line")

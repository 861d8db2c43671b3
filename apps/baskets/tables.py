"""Tables of the import pages, and of a member's baskets (the member page's history)."""

from __future__ import annotations

import django_tables2 as tables
from django.utils.html import format_html
from django.utils.text import Truncator
from django.utils.translation import gettext_lazy as _

from apps.baskets.models import Basket, ImportReject
from apps.core.money import MoneyColumn
from apps.jobs.display import job_outcome
from apps.jobs.models import Job
from apps.jobs.tables import outcome_badge


class ImportJobTable(tables.Table):
    id = tables.Column(
        verbose_name=_("Import"),
        linkify=("baskets:import_detail", {"pk": tables.A("pk")}),
        attrs={"td": {"class": "text-nowrap"}},
    )
    created_at = tables.DateTimeColumn(
        verbose_name=_("Started"), attrs={"td": {"class": "text-nowrap"}}
    )
    started_by = tables.Column(verbose_name=_("By"), default=_("system"))
    files = tables.Column(
        verbose_name=_("Files"), accessor="params__files", orderable=False, default="–"
    )
    status = tables.Column(verbose_name=_("Status"))
    percent = tables.TemplateColumn(
        template_name="jobs/includes/progress_cell.html",
        verbose_name=_("Progress"),
        orderable=False,
    )
    reject_count = tables.Column(
        verbose_name=_("Rejected rows"),
        attrs={"td": {"class": "text-end"}, "th": {"class": "text-end"}},
    )
    message = tables.Column(verbose_name=_("Message"), orderable=False)

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
        empty_text = _("No imports yet.")
        order_by = "-created_at"

    def render_id(self, value):
        return f"#{value}"

    def render_files(self, value, record):
        files = ", ".join(value) if isinstance(value, list) else str(value)
        if isinstance(record.params, dict) and record.params.get("source") == "demo":
            return _("%(files)s (demo data)") % {"files": files}
        return files

    def render_status(self, record):
        """Say "Finished with problems" and the counts when rows or files did not load."""
        return outcome_badge(record)

    def value_status(self, record):
        return job_outcome(record).text

    def render_message(self, value):
        """Keep the row short: the status has the counts, the import's page every file."""
        short = Truncator(value).chars(100)
        return format_html('<span class="small text-muted" title="{}">{}</span>', value, short)

    def value_message(self, value):
        return value


class ImportRejectTable(tables.Table):
    file_name = tables.Column(verbose_name=_("File"))
    line = tables.Column(
        verbose_name=_("Line"), attrs={"td": {"class": "text-end"}, "th": {"class": "text-end"}}
    )
    reason = tables.Column(verbose_name=_("Reason"))
    raw = tables.TemplateColumn(
        template_name="baskets/includes/reject_raw_cell.html",
        verbose_name=_("Row as read"),
        orderable=False,
    )

    class Meta:
        model = ImportReject
        fields = ["file_name", "line", "reason", "raw"]
        empty_text = _("No rejected rows.")
        order_by = ("file_name", "line")


class BasketTable(tables.Table):
    purchased_at = tables.DateTimeColumn(verbose_name=_("Date"), format="Y-m-d H:i")
    basket_id = tables.Column(
        verbose_name=_("Basket"), attrs={"td": {"class": "font-monospace small"}}
    )
    store = tables.Column(verbose_name=_("Store"), order_by=("store__name", "store__code"))
    total_discount = MoneyColumn(verbose_name=_("Discount"))
    total_amount = MoneyColumn(verbose_name=_("Total"))
    lines = tables.TemplateColumn(
        template_name="baskets/includes/basket_lines_cell.html",
        verbose_name=_("Items"),
        order_by="line_count",
    )

    class Meta:
        model = Basket
        fields = ["purchased_at", "basket_id", "store", "total_discount", "total_amount"]
        sequence = [*fields, "lines"]
        empty_text = _("No baskets yet.")
        order_by = "-purchased_at"

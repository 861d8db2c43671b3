"""Write a category's brand-loyalty × usage cells and purchase cycles as CSV."""

from __future__ import annotations

from decimal import Decimal

from django.core.management.base import CommandError
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from apps.audit.exports import CountedRows, command_export_record, csv_writer
from apps.catalog.models import Category
from apps.core.commands import TranslatedCommand
from apps.segments.selectors import EXPORT_COLUMNS, snapshot_export_rows
from apps.segments.services import (
    DEFAULT_NATIONAL_THRESHOLD,
    DEFAULT_STORE_THRESHOLD,
    snapshot_get_or_compute,
)
from crm_site.cli import iso_date


class Command(TranslatedCommand):
    help = _("Export one category's segment snapshot for a window [start, end) as CSV.")

    def add_arguments(self, parser):
        parser.add_argument("--category", required=True, help=gettext("category name"))
        parser.add_argument(
            "--start", required=True, type=iso_date, help=gettext("YYYY-MM-DD, inclusive")
        )
        parser.add_argument(
            "--end", required=True, type=iso_date, help=gettext("YYYY-MM-DD, exclusive")
        )
        parser.add_argument("--output", help=gettext("file to write (default: stdout)"))
        parser.add_argument(
            "--national-threshold", type=Decimal, default=DEFAULT_NATIONAL_THRESHOLD
        )
        parser.add_argument("--store-threshold", type=Decimal, default=DEFAULT_STORE_THRESHOLD)

    def handle(self, *args, **options):
        try:
            category = Category.objects.get(name=options["category"])
        except Category.DoesNotExist:
            raise CommandError(
                gettext("no category named %(name)r") % {"name": options["category"]}
            ) from None
        try:
            snapshot = snapshot_get_or_compute(
                category_id=category.pk,
                window_start=options["start"],
                window_end=options["end"],
                national_threshold=options["national_threshold"],
                store_threshold=options["store_threshold"],
            )
        except ValueError as error:
            raise CommandError(str(error)) from None
        rows = CountedRows(snapshot_export_rows(snapshot=snapshot))
        if options["output"]:
            with open(options["output"], "w", newline="", encoding="utf-8") as handle:
                self._write(handle, rows)
        else:
            self._write(self.stdout, rows)
        command_export_record(command="export_segments", options=options, row_count=rows.count)

    def _write(self, handle, rows) -> None:
        writer = csv_writer(handle, lineterminator="\n")
        writer.writerow(EXPORT_COLUMNS)
        writer.writerows(rows)

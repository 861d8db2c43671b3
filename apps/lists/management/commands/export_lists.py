"""`manage.py export_lists --period-start YYYY-MM-DD [--output FILE]`: CSV for a mail house."""

from __future__ import annotations

import sys

from django.core.management.base import BaseCommand
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from apps.audit.exports import CountedRows, command_export_record, csv_writer
from apps.lists.selectors import EXPORT_COLUMNS, lists_export_rows, lists_export_withheld
from crm_site.cli import iso_date


class Command(BaseCommand):
    help = _(
        "Write one CSV row per list item of the period's lists, for the members who consent "
        "to lists now (one who withdrew after the lists were made is left out, and counted)."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument("--period-start", type=iso_date, required=True)
        parser.add_argument("--output", default=None, help=_("File to write (default: stdout)."))

    def handle(self, *args, **options) -> None:
        out = open(options["output"], "w", newline="") if options["output"] else sys.stdout  # noqa: SIM115
        rows = CountedRows(lists_export_rows(period_start=options["period_start"]))
        try:
            writer = csv_writer(out)
            writer.writerow(EXPORT_COLUMNS)
            writer.writerows(rows)
        finally:
            if out is not sys.stdout:
                out.close()
        command_export_record(command="export_lists", options=options, row_count=rows.count)
        withheld = lists_export_withheld(period_start=options["period_start"])
        if withheld:
            # stderr: stdout may be the CSV itself.
            self.stderr.write(
                ngettext(
                    "%(count)s list left out: the member withdrew consent to lists after the "
                    "lists were made.",
                    "%(count)s lists left out: the member withdrew consent to lists after the "
                    "lists were made.",
                    withheld,
                )
                % {"count": f"{withheld:,}"}
            )

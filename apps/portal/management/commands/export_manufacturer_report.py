"""`manage.py export_manufacturer_report`: a manufacturer's portal reports as one CSV file."""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError

from apps.audit.exports import CountedRows, command_export_record
from apps.catalog.models import Manufacturer
from apps.portal import selectors
from apps.portal.export import section_lines, write_csv
from apps.portal.report import agreement_report
from apps.portal.selectors import Period
from crm_site.cli import iso_date


class Command(BaseCommand):
    help = (
        "Write every report of the manufacturer's agreements that include reporting, for the "
        "period, as CSV: the same figures as the portal pages, suppressed the same way."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument("--manufacturer", required=True, metavar="CODE")
        parser.add_argument("--start", required=True, type=iso_date, help="First day.")
        parser.add_argument("--end", required=True, type=iso_date, help="Last day (included).")
        parser.add_argument("--output", metavar="FILE", help="Default: standard output.")

    def handle(self, *args, **options) -> None:
        try:
            manufacturer = Manufacturer.objects.get(code=options["manufacturer"])
        except Manufacturer.DoesNotExist:
            raise CommandError(f"no manufacturer with code {options['manufacturer']!r}") from None
        if options["end"] < options["start"]:
            raise CommandError("--end must be on or after --start")
        period = Period(options["start"], options["end"])
        agreements = list(selectors.reporting_agreements(manufacturer=manufacturer))
        if not agreements:
            raise CommandError(f"{manufacturer.code} has no agreement that includes reporting")
        reports = [agreement_report(agreement=a, period=period) for a in agreements]
        lines = CountedRows(
            line for report in reports for line in section_lines(report, report.all_sections())
        )
        if options["output"]:
            with open(options["output"], "w", newline="", encoding="utf-8") as out:
                write_csv(out, lines)
            self.stderr.write(
                f"{manufacturer.code}: {len(agreements)} agreement(s) "
                f"written to {options['output']}"
            )
        else:
            # csv.writer writes one whole row, terminator included, per call.
            write_csv(self.stdout, lines)
        command_export_record(
            command="export_manufacturer_report", options=options, row_count=lines.count
        )

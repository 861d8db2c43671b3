"""`manage.py export_manufacturer_report`: a manufacturer's released month as one CSV file."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from apps.audit.exports import CountedRows, command_export_record
from apps.catalog.models import Manufacturer
from apps.portal import selectors, services
from apps.portal.export import report_lines, write_csv
from apps.portal.periods import Period
from apps.portal.report import Report


def month(text: str) -> Period:
    try:
        return Period.parse(text)
    except ValueError as error:
        raise CommandError(str(error)) from None


class Command(BaseCommand):
    help = (
        "Write the month's report of every agreement of the manufacturer that includes "
        "reporting, as CSV: the same released figures and tables as the portal's export. "
        "A month not released yet is refused, unless --release releases it (spending the "
        "privacy budgets, as the portal's button does)."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument("--manufacturer", required=True, metavar="CODE")
        parser.add_argument("--month", required=True, type=month, help="YYYY-MM.")
        parser.add_argument("--output", metavar="FILE", help="Default: standard output.")
        parser.add_argument(
            "--release", action="store_true", help="Release the month where it is not yet."
        )

    def handle(self, *args, **options) -> None:
        try:
            manufacturer = Manufacturer.objects.get(code=options["manufacturer"])
        except Manufacturer.DoesNotExist:
            raise CommandError(f"no manufacturer with code {options['manufacturer']!r}") from None
        period: Period = options["month"]
        agreements = list(selectors.reporting_agreements(manufacturer=manufacturer))
        if not agreements:
            raise CommandError(f"{manufacturer.code} has no agreement that includes reporting")
        releases = {a.pk: selectors.release_for(agreement=a, period=period) for a in agreements}
        missing = [a for a in agreements if releases[a.pk] is None]
        if missing and not options["release"]:
            names = ", ".join(a.name for a in missing)
            raise CommandError(
                f"{period.label} is not released for: {names}. Release it on the portal, or "
                "run again with --release (it spends the privacy budgets)."
            )
        for agreement in missing:
            try:
                releases[agreement.pk] = services.release_month(
                    agreement=agreement,
                    period=period,
                    categories=selectors.agreement_categories(agreement=agreement),
                    user=None,
                    today=timezone.localdate(),
                )
            except ValidationError as error:
                raise CommandError(f"{agreement.name}: {' '.join(error.messages)}") from None
            self.stderr.write(f"released {period.label} of {agreement.name}")
        reports = [Report(releases[a.pk]) for a in agreements]
        lines = CountedRows(
            line
            for n, report in enumerate(reports)
            for line in report_lines(report, report.all_sections(), first=n == 0)
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
            command="export_manufacturer_report",
            options={**options, "month": period.key},
            row_count=lines.count,
        )

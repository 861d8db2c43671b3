"""`manage.py export_manufacturer_report`: a manufacturer's released month as one CSV file."""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone, translation
from django.utils.translation import gettext, ngettext

from apps.audit.exports import CountedRows, command_export_record
from apps.catalog.models import Manufacturer
from apps.portal import selectors, services
from apps.portal.export import report_lines, write_csv
from apps.portal.periods import Period
from apps.portal.report import Report


def month(text: str) -> Period:
    try:
        return Period.parse(text)
    except ValueError:
        raise CommandError(
            gettext("not a month (YYYY-MM): %(text)s") % {"text": repr(text)}
        ) from None


class Command(BaseCommand):
    help = (
        "Write the month's report of every agreement of the manufacturer that includes "
        "reporting, as CSV: the same released figures and tables as the portal's export. "
        "A month not released yet is refused, unless --release releases it (spending the "
        "privacy budgets, as the portal's button does). The file and the messages are in "
        "the --language given (default: the site's)."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument("--manufacturer", required=True, metavar="CODE")
        parser.add_argument("--month", required=True, help="YYYY-MM.")
        parser.add_argument("--output", metavar="FILE", help="Default: standard output.")
        parser.add_argument(
            "--release", action="store_true", help="Release the month where it is not yet."
        )
        parser.add_argument(
            "--language",
            choices=[code for code, _name in settings.LANGUAGES],
            default=settings.LANGUAGE_CODE,
            help="Language of the file's headers, titles and notes, and of the messages.",
        )

    def handle(self, *args, **options) -> None:
        with translation.override(options["language"]):
            self._export(options)

    def _export(self, options) -> None:
        try:
            manufacturer = Manufacturer.objects.get(code=options["manufacturer"])
        except Manufacturer.DoesNotExist:
            raise CommandError(
                gettext("no manufacturer with code %(code)s")
                % {"code": repr(options["manufacturer"])}
            ) from None
        period = month(options["month"])
        agreements = list(selectors.reporting_agreements(manufacturer=manufacturer))
        if not agreements:
            raise CommandError(
                gettext("%(code)s has no agreement that includes reporting")
                % {"code": manufacturer.code}
            )
        releases = {a.pk: selectors.release_for(agreement=a, period=period) for a in agreements}
        missing = [a for a in agreements if releases[a.pk] is None]
        if missing and not options["release"]:
            names = ", ".join(a.name for a in missing)
            raise CommandError(
                gettext(
                    "%(month)s is not released for: %(names)s. Release it on the portal, or "
                    "run again with --release (it spends the privacy budgets)."
                )
                % {"month": period.label, "names": names}
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
                raise CommandError(
                    gettext("%(agreement)s: %(problem)s")
                    % {"agreement": agreement.name, "problem": " ".join(error.messages)}
                ) from None
            self.stderr.write(
                gettext("released %(month)s of %(agreement)s")
                % {"month": period.label, "agreement": agreement.name}
            )
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
                ngettext(
                    "%(code)s: %(count)d agreement(s) written to %(file)s",
                    "%(code)s: %(count)d agreement(s) written to %(file)s",
                    len(agreements),
                )
                % {"code": manufacturer.code, "count": len(agreements), "file": options["output"]}
            )
        else:
            # csv.writer writes one whole row, terminator included, per call.
            write_csv(self.stdout, lines)
        command_export_record(
            command="export_manufacturer_report",
            options={**options, "month": period.key},
            row_count=lines.count,
        )

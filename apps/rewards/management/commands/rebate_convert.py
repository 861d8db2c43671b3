"""Convert a programme year's points into rebate certificates (the beat job does it yearly)."""

from django.core.management.base import CommandError
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from apps.core.commands import TranslatedCommand
from apps.rewards.rebate import rebate_convert, rebate_convert_closed_year


class Command(TranslatedCommand):
    help = _(
        "Turn each member's points of the programme year into rebate certificates, once: "
        "running it again for the same year changes nothing. Without --year, the year that "
        "closed most recently."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--year", type=int, help=gettext("The programme year to close (e.g. 2026).")
        )

    def handle(self, *args, year: int | None, **options):
        if year is not None and not 2000 <= year <= 9999:
            raise CommandError(gettext("--year must be a year like 2026."))
        try:
            run = rebate_convert(year) if year is not None else rebate_convert_closed_year()
        except ValueError as error:
            raise CommandError(str(error)) from error
        if not run["created"]:
            self.stdout.write(
                gettext(
                    "Year %(year)s was converted already: %(certificates)s certificates for "
                    "%(members)s members. Nothing changed."
                )
                % {
                    "year": run["year"],
                    "certificates": f"{run['certificates']:,}",
                    "members": f"{run['members']:,}",
                }
            )
            return
        self.stdout.write(
            gettext(
                "Year %(year)s: %(certificates)s certificates for %(members)s members "
                "(%(converted)s points converted, %(expired)s left over expired)."
            )
            % {
                "year": run["year"],
                "certificates": f"{run['certificates']:,}",
                "members": f"{run['members']:,}",
                "converted": f"{run['points_converted']:,}",
                "expired": f"{run['points_expired']:,}",
            }
        )

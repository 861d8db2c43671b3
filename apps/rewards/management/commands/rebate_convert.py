"""Convert a programme year's points into rebate certificates (the beat job does it yearly)."""

from django.core.management.base import BaseCommand, CommandError

from apps.rewards.rebate import rebate_convert, rebate_convert_closed_year


class Command(BaseCommand):
    help = (
        "Turn each member's points of the programme year into rebate certificates, once: "
        "running it again for the same year changes nothing. Without --year, the year that "
        "closed most recently."
    )

    def add_arguments(self, parser):
        parser.add_argument("--year", type=int, help="The programme year to close (e.g. 2026).")

    def handle(self, *args, year: int | None, **options):
        if year is not None and not 2000 <= year <= 9999:
            raise CommandError("--year must be a year like 2026.")
        try:
            run = rebate_convert(year) if year is not None else rebate_convert_closed_year()
        except ValueError as error:
            raise CommandError(str(error)) from error
        if not run["created"]:
            self.stdout.write(
                f"Year {run['year']} was converted already: {run['certificates']:,} "
                f"certificates for {run['members']:,} members. Nothing changed."
            )
            return
        self.stdout.write(
            f"Year {run['year']}: {run['certificates']:,} certificates for {run['members']:,} "
            f"members ({run['points_converted']:,} points converted, "
            f"{run['points_expired']:,} left over expired)."
        )

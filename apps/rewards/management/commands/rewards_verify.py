"""Check that every member's points balance equals their ledger, and the lots add up."""

from django.core.management.base import CommandError
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from apps.core.commands import TranslatedCommand
from apps.rewards.verify import ledger_problems


class Command(TranslatedCommand):
    help = _("Verify the points ledger: balances against entries, lots against their uses.")

    def handle(self, *args, **options):
        problems = ledger_problems()
        if problems:
            for name, rows in problems.items():
                self.stderr.write(f"{name}: {len(rows)} (first: {rows[0]})")
            raise CommandError(gettext("The points ledger does not add up."))
        self.stdout.write(gettext("The points ledger adds up: every balance equals its entries."))

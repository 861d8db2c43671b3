"""Check that every member's points balance equals their ledger, and the lots add up."""

from django.core.management.base import BaseCommand, CommandError

from apps.rewards.verify import ledger_problems


class Command(BaseCommand):
    help = "Verify the points ledger: balances against entries, lots against their uses."

    def handle(self, *args, **options):
        problems = ledger_problems()
        if problems:
            for name, rows in problems.items():
                self.stderr.write(f"{name}: {len(rows)} (first: {rows[0]})")
            raise CommandError("The points ledger does not add up.")
        self.stdout.write("The points ledger adds up: every balance equals its entries.")

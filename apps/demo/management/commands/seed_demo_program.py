"""`manage.py seed_demo_program`: agreements, campaigns, lists and till traffic on the demo."""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError

from apps.demo.program import demo_program_seed
from apps.demo.till_try import demo_till_try


class Command(BaseCommand):
    help = (
        "Seed the demo's marketing programme on its till history: segments and member "
        "values, two manufacturer agreements, three campaigns, two list periods, till "
        "tokens and simulated checkouts with redemptions. Idempotent."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument("--seed", type=int, default=42)
        parser.add_argument(
            "--max-checkouts",
            type=int,
            default=2000,
            help="At most this many simulated checkouts in all (default 2000).",
        )
        parser.add_argument(
            "--base-url",
            default="http://127.0.0.1:8000/",
            help="Where the product runs, for the printed curl command.",
        )

    def handle(self, *args, **options) -> None:
        try:
            result = demo_program_seed(seed=options["seed"], max_checkouts=options["max_checkouts"])
        except ValueError as error:
            raise CommandError(str(error)) from None
        write = self.stdout.write
        write(f"Demo programme on the history ending {result.end}:")
        write(f"  makers (maker1, maker2): {', '.join(result.makers) or '-'}")
        write(f"  agreements: {'; '.join(result.agreements) or '-'}")
        write(f"  campaigns: {'; '.join(result.campaigns) or '-'}")
        for start, count in result.lists.items():
            write(f"  lists from {start}: {count:,}")
        for s in result.simulation:
            note = " (already there)" if s.already_done else ""
            write(
                f"  checkouts from {s.period_start}: {s.checkouts:,} ({s.anonymous} without "
                f"a card), {s.redemptions:,} redemptions worth ${s.discount:,.2f}, "
                f"{s.returns} return{note}"
            )
        write(f"  settlement statements: {', '.join(result.statements) or '-'}")
        for note in result.notes:
            write(f"  note: {note}")
        if options["verbosity"] >= 2:
            for step, seconds in result.seconds.items():
                write(f"  {step}: {seconds:.1f} s")
        # The till's secret is kept under var/: `make run` prints the same one on a restart.
        try_till = demo_till_try() if result.till_secrets else None
        if try_till is not None:
            write(f"Try the till API as a till of store {try_till.store}:")
            write(f"  {try_till.curl(options['base_url'])}")
        self.stdout.write(self.style.SUCCESS("Demo programme seeded."))

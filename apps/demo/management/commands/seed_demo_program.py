"""`manage.py seed_demo_program`: agreements, campaigns, lists and till traffic on the demo."""

from __future__ import annotations

from django.core.management.base import CommandError
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from apps.core.commands import TranslatedCommand
from apps.demo.program import demo_program_seed
from apps.demo.till_try import demo_till_try


class Command(TranslatedCommand):
    help = _(
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
            help=gettext("At most this many simulated checkouts in all (default 2000)."),
        )
        parser.add_argument(
            "--base-url",
            default="http://127.0.0.1:8000/",
            help=gettext("Where the product runs, for the printed curl command."),
        )

    def handle(self, *args, **options) -> None:
        try:
            result = demo_program_seed(seed=options["seed"], max_checkouts=options["max_checkouts"])
        except ValueError as error:
            raise CommandError(str(error)) from None
        write = self.stdout.write
        write(gettext("Demo programme on the history ending %(end)s:") % {"end": result.end})
        makers = ", ".join(result.makers) or "-"
        write("  " + gettext("makers (maker1, maker2): %(makers)s") % {"makers": makers})
        agreements = "; ".join(result.agreements) or "-"
        write("  " + gettext("agreements: %(agreements)s") % {"agreements": agreements})
        campaigns = "; ".join(result.campaigns) or "-"
        write("  " + gettext("campaigns: %(campaigns)s") % {"campaigns": campaigns})
        for start, count in result.lists.items():
            write(
                "  " + gettext("lists from %(start)s: %(n)s") % {"start": start, "n": f"{count:,}"}
            )
        for s in result.simulation:
            values = {
                "start": s.period_start,
                "checkouts": f"{s.checkouts:,}",
                "anonymous": s.anonymous,
                "redemptions": f"{s.redemptions:,}",
                "worth": f"${s.discount:,.2f}",
                "returns": s.returns,
            }
            if s.already_done:
                line = gettext(
                    "checkouts from %(start)s: %(checkouts)s (%(anonymous)s without a card), "
                    "%(redemptions)s redemptions worth %(worth)s, %(returns)s return "
                    "(already there)"
                )
            else:
                line = gettext(
                    "checkouts from %(start)s: %(checkouts)s (%(anonymous)s without a card), "
                    "%(redemptions)s redemptions worth %(worth)s, %(returns)s return"
                )
            write("  " + line % values)
        statements = ", ".join(result.statements) or "-"
        write("  " + gettext("settlement statements: %(statements)s") % {"statements": statements})
        for note in result.notes:
            write("  " + gettext("note: %(note)s") % {"note": note})
        if options["verbosity"] >= 2:
            for step, seconds in result.seconds.items():
                write(f"  {step}: {seconds:.1f} s")
        # The till's secret is kept under var/: `make run` prints the same one on a restart.
        try_till = demo_till_try() if result.till_secrets else None
        if try_till is not None:
            write(
                gettext("Try the till API as a till of store %(store)s:")
                % {"store": try_till.store}
            )
            write(f"  {try_till.curl(options['base_url'])}")
        self.stdout.write(self.style.SUCCESS(gettext("Demo programme seeded.")))

"""Compute the category association rules ("bought together") for a window, in this process."""

from __future__ import annotations

import time

from django.core.management.base import CommandError
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from apps.core.commands import TranslatedCommand
from apps.segments.affinity import (
    DEFAULT_MIN_BASKETS,
    DEFAULT_WEEKS,
    category_affinity_compute,
)
from crm_site.cli import iso_date


class Command(TranslatedCommand):
    help = _(
        "Compute every category pair's support, confidence and lift over the baskets of the "
        "WEEKS weeks before END (local dates, END excluded); a rerun replaces the window's rules."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--end", required=True, type=iso_date, help=gettext("window end (excluded)")
        )
        parser.add_argument("--weeks", type=int, default=DEFAULT_WEEKS)
        parser.add_argument(
            "--min-baskets",
            type=int,
            default=DEFAULT_MIN_BASKETS,
            help=gettext("baskets with both categories a rule needs"),
        )

    def handle(self, *args, **options):
        started = time.perf_counter()
        try:
            rules = category_affinity_compute(
                window_end=options["end"],
                weeks=options["weeks"],
                min_baskets=options["min_baskets"],
            )
        except ValueError as error:
            raise CommandError(str(error)) from None
        self.stdout.write(
            gettext("%(rules)s rules for the %(weeks)s weeks before %(end)s in %(seconds)s s.")
            % {
                "rules": f"{rules:,}",
                "weeks": options["weeks"],
                "end": options["end"],
                "seconds": f"{time.perf_counter() - started:.1f}",
            }
        )

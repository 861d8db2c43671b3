"""Compute the category association rules ("bought together") for a window, in this process."""

from __future__ import annotations

import time

from django.core.management.base import BaseCommand, CommandError

from apps.segments.affinity import (
    DEFAULT_MIN_BASKETS,
    DEFAULT_WEEKS,
    category_affinity_compute,
)
from crm_site.cli import iso_date


class Command(BaseCommand):
    help = (
        "Compute every category pair's support, confidence and lift over the baskets of the "
        "WEEKS weeks before END (local dates, END excluded); a rerun replaces the window's rules."
    )

    def add_arguments(self, parser):
        parser.add_argument("--end", required=True, type=iso_date, help="window end (excluded)")
        parser.add_argument("--weeks", type=int, default=DEFAULT_WEEKS)
        parser.add_argument(
            "--min-baskets",
            type=int,
            default=DEFAULT_MIN_BASKETS,
            help="baskets with both categories a rule needs",
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
            f"{rules:,} rules for the {options['weeks']} weeks before {options['end']} "
            f"in {time.perf_counter() - started:.1f} s."
        )

"""Earn the points of every sale recorded without them (imported baskets), chunk by chunk."""

from __future__ import annotations

import time

from django.core.management.base import CommandError
from django.db.models import Max, Min
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from apps.core.commands import TranslatedCommand
from apps.members.models import Member
from apps.rewards.backfill import points_earn_backfill


class Command(TranslatedCommand):
    help = _(
        "Write the earn entries that members' sales lack (baskets imported from files, till "
        "sales from before the programme), by the rule in force on each basket's day. "
        "Each chunk of member ids is its own transaction; running it again writes nothing."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--chunk-size", type=int, default=20_000, help=gettext("Member ids per transaction.")
        )
        parser.add_argument(
            "--lo", type=int, help=gettext("First member id (default: the lowest).")
        )
        parser.add_argument(
            "--hi", type=int, help=gettext("Member id to stop before (default: all).")
        )

    def handle(self, *args, chunk_size: int, lo: int | None, hi: int | None, **options):
        if chunk_size < 1:
            raise CommandError(gettext("--chunk-size must be at least 1."))
        bounds = Member.objects.aggregate(lo=Min("id"), hi=Max("id"))
        if bounds["lo"] is None:
            self.stdout.write(gettext("No members: nothing to backfill."))
            return
        lo = bounds["lo"] if lo is None else lo
        hi = bounds["hi"] + 1 if hi is None else hi
        total_entries = total_points = 0
        started = time.perf_counter()
        for start in range(lo, hi, chunk_size):
            stop = min(start + chunk_size, hi)
            entries, points = points_earn_backfill(lo=start, hi=stop)
            total_entries += entries
            total_points += points
            self.stdout.write(
                gettext("members [%(start)s, %(stop)s): %(entries)s entries, %(points)s points")
                % {"start": start, "stop": stop, "entries": f"{entries:,}", "points": f"{points:,}"}
            )
        seconds = time.perf_counter() - started
        self.stdout.write(
            gettext(
                "Backfilled %(points)s points in %(entries)s entries for member ids "
                "[%(lo)s, %(hi)s) in %(seconds)s s."
            )
            % {
                "points": f"{total_points:,}",
                "entries": f"{total_entries:,}",
                "lo": lo,
                "hi": hi,
                "seconds": f"{seconds:.1f}",
            }
        )

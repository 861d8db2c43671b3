"""Earn the points of every sale recorded without them (imported baskets), chunk by chunk."""

from __future__ import annotations

import time

from django.core.management.base import BaseCommand, CommandError
from django.db.models import Max, Min

from apps.members.models import Member
from apps.rewards.backfill import points_earn_backfill


class Command(BaseCommand):
    help = (
        "Write the earn entries that members' sales lack (baskets imported from files, till "
        "sales from before the programme), by the rule in force on each basket's day. "
        "Each chunk of member ids is its own transaction; running it again writes nothing."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--chunk-size", type=int, default=20_000, help="Member ids per transaction."
        )
        parser.add_argument("--lo", type=int, help="First member id (default: the lowest).")
        parser.add_argument("--hi", type=int, help="Member id to stop before (default: all).")

    def handle(self, *args, chunk_size: int, lo: int | None, hi: int | None, **options):
        if chunk_size < 1:
            raise CommandError("--chunk-size must be at least 1.")
        bounds = Member.objects.aggregate(lo=Min("id"), hi=Max("id"))
        if bounds["lo"] is None:
            self.stdout.write("No members: nothing to backfill.")
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
            self.stdout.write(f"members [{start}, {stop}): {entries:,} entries, {points:,} points")
        seconds = time.perf_counter() - started
        self.stdout.write(
            f"Backfilled {total_points:,} points in {total_entries:,} entries "
            f"for member ids [{lo}, {hi}) in {seconds:.1f} s."
        )

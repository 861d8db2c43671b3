"""Expire the points of every lot whose last day has passed (the nightly beat job runs it)."""

from django.core.management.base import BaseCommand

from apps.rewards.expiry import points_expire


class Command(BaseCommand):
    help = "Expire what is left of every points lot past its last day."

    def handle(self, *args, **options):
        lots, points = points_expire()
        self.stdout.write(f"Expired {points:,} points of {lots:,} lots.")

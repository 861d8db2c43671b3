"""Expire the points of every lot whose last day has passed (the nightly beat job runs it)."""

from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from apps.core.commands import TranslatedCommand
from apps.rewards.expiry import points_expire


class Command(TranslatedCommand):
    help = _("Expire what is left of every points lot past its last day.")

    def handle(self, *args, **options):
        lots, points = points_expire()
        self.stdout.write(
            gettext("Expired %(points)s points of %(lots)s lots.")
            % {"points": f"{points:,}", "lots": f"{lots:,}"}
        )

"""Fit the purchase-timing model (P(member buys a category in the next 14 days)) and print
its held-out AUC beside the binary "due" rule's and frequency alone, and its calibration.

Without --as-of the day after the last basket: the newest periods whose labels are known.
"""

from __future__ import annotations

import datetime as dt

from django.core.management.base import CommandError
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from apps.core.commands import TranslatedCommand, decile_line
from apps.segments.selectors import basket_days
from apps.segments.timing.fit import TimingFitRefused, purchase_timing_fit
from crm_site.cli import iso_date


def _figure(value: float | None) -> str:
    return gettext("n/a") if value is None else f"{value:.3f}"


class Command(TranslatedCommand):
    help = _("Fit the purchase-timing model on past fortnights and measure it on the latest.")

    def add_arguments(self, parser):
        parser.add_argument(
            "--as-of",
            type=iso_date,
            help=gettext("day of the fit (YYYY-MM-DD); default the day after the last basket"),
        )

    def handle(self, *args, **options):
        as_of = options["as_of"]
        if as_of is None:
            _, last = basket_days()
            if last is None:
                raise CommandError(gettext("There are no baskets yet: there is no history to fit."))
            as_of = last + dt.timedelta(days=1)
        try:
            fit = purchase_timing_fit(as_of=as_of)
        except TimingFitRefused as error:
            raise CommandError(str(error)) from None
        coefficients = ", ".join(f"{k}={v:+.3f}" for k, v in fit.coefficients.items())
        self.stdout.write(
            gettext(
                "Fit %(pk)s as of %(day)s: %(train)s training rows, held out %(test)s rows "
                "of %(test_day)s"
            )
            % {
                "pk": fit.pk,
                "day": fit.as_of,
                "train": f"{fit.train_rows:,}",
                "test": f"{fit.test_rows:,}",
                "test_day": fit.test_day,
            }
            + f"\n  intercept={fit.intercept:+.3f} {coefficients}\n  "
            + gettext(
                "held-out AUC: model %(model)s, due rule %(rule)s, frequency alone %(frequency)s"
            )
            % {
                "model": _figure(fit.auc),
                "rule": _figure(fit.auc_rule),
                "frequency": _figure(fit.auc_frequency),
            }
        )
        for row in fit.calibration:
            self.stdout.write("  " + decile_line(row))

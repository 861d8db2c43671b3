"""Fit the purchase-timing model (P(member buys a category in the next 14 days)) and print
its held-out AUC beside the binary "due" rule's and frequency alone, and its calibration.

Without --as-of the day after the last basket: the newest periods whose labels are known.
"""

from __future__ import annotations

import datetime as dt

from django.core.management.base import BaseCommand, CommandError

from apps.segments.selectors import basket_days
from apps.segments.timing.fit import TimingFitRefused, purchase_timing_fit
from crm_site.cli import iso_date


def _figure(value: float | None) -> str:
    return "n/a" if value is None else f"{value:.3f}"


class Command(BaseCommand):
    help = "Fit the purchase-timing model on past fortnights and measure it on the latest."

    def add_arguments(self, parser):
        parser.add_argument(
            "--as-of",
            type=iso_date,
            help="day of the fit (YYYY-MM-DD); default the day after the last basket",
        )

    def handle(self, *args, **options):
        as_of = options["as_of"]
        if as_of is None:
            _, last = basket_days()
            if last is None:
                raise CommandError("There are no baskets yet: there is no history to fit.")
            as_of = last + dt.timedelta(days=1)
        try:
            fit = purchase_timing_fit(as_of=as_of)
        except TimingFitRefused as error:
            raise CommandError(str(error)) from None
        coefficients = ", ".join(f"{k}={v:+.3f}" for k, v in fit.coefficients.items())
        self.stdout.write(
            f"Fit {fit.pk} as of {fit.as_of}: {fit.train_rows:,} training rows, held out "
            f"{fit.test_rows:,} rows of {fit.test_day}\n"
            f"  intercept={fit.intercept:+.3f} {coefficients}\n"
            f"  held-out AUC: model {_figure(fit.auc)}, due rule {_figure(fit.auc_rule)}, "
            f"frequency alone {_figure(fit.auc_frequency)}"
        )
        for row in fit.calibration:
            self.stdout.write(
                f"  decile {row['decile']:>2}: predicted {row['predicted']:.3f} "
                f"actual {row['actual']:.3f} (n={row['n']})"
            )

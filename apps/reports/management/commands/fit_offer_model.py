"""Label the offers given in ended periods and fit the offer redemption model on them.

Prints the coefficients, the held-out AUC and the calibration by decile; with too few
labelled offers says so and leaves allocation on the model it has (the prior at first).
"""

from __future__ import annotations

from django.core.management.base import BaseCommand
from django.db import transaction
from django.utils import timezone

from apps.reports.offers import offer_model_fit, offer_outcomes_refresh
from crm_site.cli import iso_date


class Command(BaseCommand):
    help = "Label given offers of ended periods and fit the offer redemption model."

    def add_arguments(self, parser):
        parser.add_argument(
            "--today", type=iso_date, help="day of the fit (YYYY-MM-DD); default today"
        )

    def handle(self, *args, **options):
        today = options["today"] or timezone.localdate()
        with transaction.atomic():
            labelled = offer_outcomes_refresh(today=today)
            fit = offer_model_fit(today=today)
        self.stdout.write(f"Labelled {labelled:,} offers as of {today}. {fit.note}")
        model = fit.model
        if model is None:
            return
        auc = "n/a" if model.held_out_auc is None else f"{model.held_out_auc:.3f}"
        coefficients = ", ".join(f"{k}={v:+.3f}" for k, v in model.coefficients.items())
        self.stdout.write(
            f"Model {model.pk}: intercept={model.intercept:+.3f} {coefficients}\n"
            f"  held-out AUC {auc}"
        )
        for row in model.calibration:
            self.stdout.write(
                f"  decile {row['decile']:>2}: predicted {row['predicted']:.3f} "
                f"actual {row['actual']:.3f} (n={row['n']})"
            )

"""Label the offers given in ended periods and fit the offer redemption model on them.

Prints the coefficients, the held-out AUC and the calibration by decile; with too few
labelled offers says so and leaves allocation on the model it has (the prior at first).
"""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from apps.core.commands import TranslatedCommand, decile_line
from apps.reports.offers import offer_model_fit, offer_outcomes_refresh
from crm_site.cli import iso_date


class Command(TranslatedCommand):
    help = _("Label given offers of ended periods and fit the offer redemption model.")

    def add_arguments(self, parser):
        parser.add_argument(
            "--today", type=iso_date, help=gettext("day of the fit (YYYY-MM-DD); default today")
        )

    def handle(self, *args, **options):
        today = options["today"] or timezone.localdate()
        with transaction.atomic():
            labelled = offer_outcomes_refresh(today=today)
            fit = offer_model_fit(today=today)
        self.stdout.write(
            gettext("Labelled %(n)s offers as of %(day)s. %(note)s")
            % {"n": f"{labelled:,}", "day": today, "note": fit.note}
        )
        model = fit.model
        if model is None:
            return
        auc = gettext("n/a") if model.held_out_auc is None else f"{model.held_out_auc:.3f}"
        coefficients = ", ".join(f"{k}={v:+.3f}" for k, v in model.coefficients.items())
        self.stdout.write(
            gettext("Model %(pk)s: intercept=%(intercept)s %(coefficients)s")
            % {"pk": model.pk, "intercept": f"{model.intercept:+.3f}", "coefficients": coefficients}
            + "\n  "
            + gettext("held-out AUC %(auc)s") % {"auc": auc}
        )
        for row in model.calibration:
            self.stdout.write("  " + decile_line(row))

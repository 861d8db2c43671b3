"""Fit BG/NBD and Gamma-Gamma on all members' history up to a date and score every member."""

from __future__ import annotations

import json

from django.core.management.base import BaseCommand, CommandError

from apps.segments.member_models import repeat_model_fit
from apps.segments.models_math import FitError
from crm_site.cli import iso_date


class Command(BaseCommand):
    help = "Fit the repeat-purchase (BG/NBD) and spend (Gamma-Gamma) models; store scores."

    def add_arguments(self, parser):
        parser.add_argument("--calibration-end", required=True, type=iso_date)
        parser.add_argument("--clv-months", type=int, default=12)
        parser.add_argument("--monthly-discount-rate", type=float, default=0.01)
        parser.add_argument("--churn-threshold", type=float, default=0.5)
        parser.add_argument("--json", action="store_true", help="print the fit as JSON")

    def handle(self, *args, **options):
        try:
            fit = repeat_model_fit(
                calibration_end=options["calibration_end"],
                clv_months=options["clv_months"],
                monthly_discount_rate=options["monthly_discount_rate"],
                churn_threshold=options["churn_threshold"],
            )
        except (ValueError, FitError) as error:
            raise CommandError(str(error)) from None
        figures = {
            "r": fit.r,
            "alpha": fit.alpha,
            "a": fit.a,
            "b": fit.b,
            "log_likelihood": fit.bgnbd_log_likelihood,
            "p": fit.p,
            "q": fit.q,
            "gamma": fit.gamma,
            "members": fit.members,
        }
        if options["json"]:
            self.stdout.write(json.dumps(figures))
            return
        self.stdout.write(
            f"Fit {fit.pk} to {fit.calibration_end}: {fit.members} members "
            f"({fit.repeat_buyers} repeat buyers)\n"
            f"  BG/NBD r={fit.r:.4f} alpha={fit.alpha:.4f} a={fit.a:.4f} b={fit.b:.4f} "
            f"LL={fit.bgnbd_log_likelihood:.1f}\n"
            f"  Gamma-Gamma p={fit.p:.4f} q={fit.q:.4f} gamma={fit.gamma:.4f}"
        )

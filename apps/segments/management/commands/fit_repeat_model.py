"""Fit BG/NBD and Gamma-Gamma on all members' history up to a date and score every member.

A date after the last basket is refused (nothing is written); a fit that fails the sanity
checks is stored as a candidate, not made live, and the command says why.
"""

from __future__ import annotations

import json

from django.core.management.base import CommandError
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from apps.core.commands import TranslatedCommand
from apps.segments.fits import repeat_model_fit
from apps.segments.stats import FitError
from crm_site.cli import iso_date


class Command(TranslatedCommand):
    help = _("Fit the repeat-purchase (BG/NBD) and spend (Gamma-Gamma) models; store scores.")

    def add_arguments(self, parser):
        parser.add_argument(
            "--calibration-end",
            required=True,
            type=iso_date,
            help=gettext(
                "last day of history to fit on (inclusive); at most the last basket's date"
            ),
        )
        parser.add_argument("--clv-months", type=int, default=12)
        parser.add_argument("--monthly-discount-rate", type=float, default=0.01)
        parser.add_argument("--churn-threshold", type=float, default=0.5)
        parser.add_argument("--json", action="store_true", help=gettext("print the fit as JSON"))

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
            "fit": fit.pk,
            "live": fit.live_since is not None,
            "held_back": fit.held_back,
        }
        if fit.held_back:
            self.stderr.write(
                gettext(
                    "Fit %(pk)s is kept as a candidate, not made live: %(reasons)s. The live fit "
                    "is unchanged; make it live on the member-value page if you trust it anyway."
                )
                % {"pk": fit.pk, "reasons": "; ".join(fit.held_back)}
            )
        if options["json"]:
            self.stdout.write(json.dumps(figures))
            return
        self.stdout.write(
            (
                gettext(
                    "Fit %(pk)s to %(end)s: %(members)s members (%(repeat)s repeat buyers) — live"
                )
                if figures["live"]
                else gettext(
                    "Fit %(pk)s to %(end)s: %(members)s members (%(repeat)s repeat buyers) "
                    "— candidate, not live"
                )
            )
            % {
                "pk": fit.pk,
                "end": fit.calibration_end,
                "members": fit.members,
                "repeat": fit.repeat_buyers,
            }
            + "\n"
            f"  BG/NBD r={fit.r:.4f} alpha={fit.alpha:.4f} a={fit.a:.4f} b={fit.b:.4f} "
            f"LL={fit.bgnbd_log_likelihood:.1f}\n"
            f"  Gamma-Gamma p={fit.p:.4f} q={fit.q:.4f} gamma={fit.gamma:.4f}"
        )

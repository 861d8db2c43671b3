"""The offer model's tables: calibration by score decile, predicted vs actual per campaign."""

from __future__ import annotations

import django_tables2 as tables
from django.utils.translation import gettext_lazy as _

from apps.reports.tables.columns import NUMBER, CountColumn, DashboardTable, PercentColumn


class ExpectedColumn(tables.Column):
    """Expected redemptions (a sum of probabilities): one decimal on the page and in CSV."""

    attrs = NUMBER

    def render(self, value):
        return f"{value:,.1f}"

    def value(self, value):
        return f"{value:.3f}"


class CalibrationTable(DashboardTable):
    """Over `CalibrationDecile`s: the points of the calibration chart."""

    decile = tables.Column(verbose_name=_("Score decile"), attrs=NUMBER)
    offers = CountColumn(verbose_name=_("Offers given"))
    predicted = PercentColumn(verbose_name=_("Predicted rate"))
    actual = PercentColumn(verbose_name=_("Actual rate"))
    redeemed = CountColumn(verbose_name=_("Redeemed"))


class OfferPredictionTable(DashboardTable):
    """Over `OfferPrediction`s: each campaign's allocated offers, predicted and actual."""

    name = tables.Column(verbose_name=_("Campaign"), linkify=True)
    category = tables.Column(verbose_name=_("Category"))
    given = CountColumn(verbose_name=_("Got the offer"))
    holdout = CountColumn(verbose_name=_("Held out"))
    labelled = CountColumn(verbose_name=_("Got it, period ended"))
    predicted = ExpectedColumn(verbose_name=_("Predicted redemptions"))
    redeemed = CountColumn(verbose_name=_("Redeemed"))
    predicted_rate = PercentColumn(verbose_name=_("Predicted rate"), orderable=False)
    actual_rate = PercentColumn(verbose_name=_("Actual rate"), orderable=False)

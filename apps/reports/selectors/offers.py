"""The offer model against what happened: calibration by score decile, per campaign.

Read from allocation's rows (`campaigns_allocation`): each given offer carries the
probability it was scored with when its list was made and, once its period has ended, whether
it was redeemed (`apps.reports.offers.offer_outcomes_refresh`). Only labelled offers (given,
period ended) enter a comparison of predicted and actual; a period still running would look
like misses. Periods are chosen by their first day within the page's months; a store filter
means members of that home store, a category filter the campaigns of that category.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db import connection
from django.db.models import Count, Q, Sum

from apps.campaigns.models import Allocation, Campaign, OfferModel
from apps.reports.forms import ReportFilters
from apps.reports.models import HomeStore
from apps.reports.selectors.common import ratio

CALIBRATION_SQL = """
WITH labelled AS (
    SELECT a.probability, a.redeemed::int AS redeemed
    FROM campaigns_allocation a
    WHERE a.outcome = 'given' AND a.redeemed IS NOT NULL
      AND a.period_start >= %(start)s AND a.period_start < %(end)s
      AND (%(category)s::bigint IS NULL OR a.category_id = %(category)s::bigint)
      AND (%(store)s::bigint IS NULL OR EXISTS (
          SELECT 1 FROM reports_homestore h
          WHERE h.member_id = a.member_id AND h.store_id = %(store)s::bigint))
), ranked AS (
    SELECT probability, redeemed, ntile(10) OVER (ORDER BY probability) AS decile
    FROM labelled
)
SELECT decile, avg(probability), avg(redeemed), count(*), sum(redeemed)
FROM ranked GROUP BY decile ORDER BY decile
"""


@dataclass(frozen=True)
class CalibrationDecile:
    """Given offers of one score decile: mean predicted chance against the share redeemed."""

    decile: int  # 1: the lowest scores
    predicted: float
    actual: float
    offers: int
    redeemed: int


@dataclass(frozen=True)
class OfferPrediction:
    """One campaign's allocated offers in the page's periods: predicted and actual."""

    campaign: Campaign
    name: str
    category: str
    given: int  # offers on members' lists
    holdout: int  # members scored as candidates but held out (never given it)
    labelled: int  # given offers whose period has ended
    predicted: float  # expected redemptions: Σ probability over the labelled offers
    redeemed: int  # of the labelled offers

    @property
    def predicted_rate(self) -> float | None:
        return ratio(self.predicted, self.labelled)

    @property
    def actual_rate(self) -> float | None:
        return ratio(self.redeemed, self.labelled)

    def get_absolute_url(self) -> str:
        return self.campaign.get_absolute_url()


def calibration(filters: ReportFilters) -> list[CalibrationDecile]:
    """Labelled given offers in ten equal groups by score, lowest first."""
    params = {
        "start": filters.month_from,
        "end": filters.end,
        "category": filters.category_id,
        "store": filters.store_id,
    }
    with connection.cursor() as cursor:
        cursor.execute(CALIBRATION_SQL, params)
        rows = cursor.fetchall()
    return [
        CalibrationDecile(
            decile=decile,
            predicted=float(predicted),
            actual=float(actual),
            offers=offers,
            redeemed=int(redeemed),
        )
        for decile, predicted, actual, offers, redeemed in rows
    ]


def offer_predictions(filters: ReportFilters, campaigns: list[Campaign]) -> list[OfferPrediction]:
    """Per campaign: given, held out, and predicted against actual redemptions."""
    allocations = Allocation.objects.filter(
        campaign__in=[c.pk for c in campaigns],
        period_start__gte=filters.month_from,
        period_start__lt=filters.end,
        outcome__in=("given", "holdout"),
    )
    if filters.store_id is not None:
        home = HomeStore.objects.filter(store_id=filters.store_id).values("member_id")
        allocations = allocations.filter(member_id__in=home)
    labelled = Q(outcome="given", redeemed__isnull=False)
    sums = {
        row["campaign_id"]: row
        for row in allocations.values("campaign_id")
        .annotate(
            given_total=Count("id", filter=Q(outcome="given")),
            holdout_total=Count("id", filter=Q(outcome="holdout")),
            labelled_total=Count("id", filter=labelled),
            predicted_total=Sum("probability", filter=labelled),
            redeemed_total=Count("id", filter=labelled & Q(redeemed=True)),
        )
        .order_by("campaign_id")
    }
    rows = []
    for campaign in campaigns:
        row = sums.get(campaign.pk)
        if row is None:
            continue
        rows.append(
            OfferPrediction(
                campaign=campaign,
                name=campaign.name,
                category=campaign.category.name,
                given=row["given_total"],
                holdout=row["holdout_total"],
                labelled=row["labelled_total"],
                predicted=float(row["predicted_total"] or 0),
                redeemed=row["redeemed_total"],
            )
        )
    return rows


def current_offer_model() -> OfferModel | None:
    """The model allocation scores with now; None while it uses the documented prior."""
    return OfferModel.objects.order_by("-fitted_at", "-id").first()

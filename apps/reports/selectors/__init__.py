"""Reads of the dashboard: small sums over the pre-computed aggregates, never over baskets.

Every function takes the cleaned `ReportFilters`; a store filter means members whose home
store it is (see apps/reports/models.py). One module per part of the dashboard: `timing`
(when the figures are from), `cells` (loyalty × usage cells and moves), `value` (member
value), `reach` (lists), `redemption` (campaigns' redemption and cost), `lift` (lift
over the holdout, verdicts, ROI) and `offers` (the offer model's predictions against what was
redeemed); their names are re-exported here.
"""

from __future__ import annotations

from apps.reports.selectors.cells import (
    CellMove,
    CellTotal,
    cell_label,
    cell_loyalty,
    cell_rows_by_category,
    cell_totals,
    loyalty_moves,
    moves,
)
from apps.reports.selectors.lift import (
    CampaignResult,
    LiftInterval,
    LiftResult,
    SalesLift,
    ShareLift,
    Verdict,
    campaign_rows,
    lift,
    lift_verdict,
)
from apps.reports.selectors.offers import (
    CalibrationDecile,
    OfferPrediction,
    calibration,
    current_offer_model,
    offer_predictions,
)
from apps.reports.selectors.reach import PeriodReach, list_reach, reachable_members
from apps.reports.selectors.redemption import (
    CellRedemption,
    MonthCost,
    RedemptionFigures,
    campaign_cell_rows,
    campaigns_in_period,
    cost_by_month,
)
from apps.reports.selectors.timing import (
    REPORTS_NIGHTLY,
    SEGMENTS_NIGHTLY,
    NextSnapshot,
    RefreshState,
    default_month,
    next_snapshot,
    previous_snapshot_month,
    refresh_state,
    snapshot_month,
)
from apps.reports.selectors.value import (
    HistogramBin,
    StoreValue,
    ValueSummary,
    histogram,
    pareto,
    top_share,
    value_by_store,
    value_fit_id,
    value_summary,
)

__all__ = [
    "REPORTS_NIGHTLY",
    "SEGMENTS_NIGHTLY",
    "CalibrationDecile",
    "CampaignResult",
    "CellMove",
    "CellRedemption",
    "CellTotal",
    "HistogramBin",
    "LiftInterval",
    "LiftResult",
    "MonthCost",
    "NextSnapshot",
    "OfferPrediction",
    "PeriodReach",
    "RedemptionFigures",
    "RefreshState",
    "SalesLift",
    "ShareLift",
    "StoreValue",
    "ValueSummary",
    "Verdict",
    "calibration",
    "campaign_cell_rows",
    "campaign_rows",
    "campaigns_in_period",
    "cell_label",
    "cell_loyalty",
    "cell_rows_by_category",
    "cell_totals",
    "cost_by_month",
    "current_offer_model",
    "default_month",
    "histogram",
    "lift",
    "lift_verdict",
    "list_reach",
    "loyalty_moves",
    "moves",
    "next_snapshot",
    "offer_predictions",
    "pareto",
    "previous_snapshot_month",
    "reachable_members",
    "refresh_state",
    "snapshot_month",
    "top_share",
    "value_by_store",
    "value_fit_id",
    "value_summary",
]

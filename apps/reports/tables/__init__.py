"""The tables behind the dashboard's charts: sortable, paged where long, exported as CSV.

One module per tab (`loyalty`, `redemption`; `offers`: the offer model's) on shared columns
(`columns`); the tables are re-exported here.
"""

from __future__ import annotations

from apps.reports.tables.columns import DashboardTable
from apps.reports.tables.loyalty import (
    CellTable,
    HistogramTable,
    MoveTable,
    ParetoTable,
    ReachTable,
    StoreValueTable,
    WinBackTable,
)
from apps.reports.tables.offers import CalibrationTable, OfferPredictionTable
from apps.reports.tables.redemption import (
    CampaignCellTable,
    CampaignTable,
    CostMonthTable,
    LiftTable,
)

__all__ = [
    "CalibrationTable",
    "CampaignCellTable",
    "CampaignTable",
    "CellTable",
    "CostMonthTable",
    "DashboardTable",
    "HistogramTable",
    "LiftTable",
    "MoveTable",
    "OfferPredictionTable",
    "ParetoTable",
    "ReachTable",
    "StoreValueTable",
    "WinBackTable",
]

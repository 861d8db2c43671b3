"""Reads for settlement: an agreement's figures for a period, a statement's claim and lines.

Each figure comes from one SQL statement with bound parameters. A redemption belongs to
the day its basket was bought (the till's time, in the site's time zone), the day its
agreement's validity was judged on; a reversal to the day the return was recorded.

One module per part: `common` (a period as parameters, rows as dicts), `period` (an
agreement's figures for a period), `budget` (committed to campaigns, used by redemptions),
`claim` (a statement's claim, overview and lines) and `listing` (statement lists); their
names are re-exported here, the private ones billing and services share included.
"""

from __future__ import annotations

from apps.agreements.selectors.budget import (
    BUDGET_LABELS,
    BUDGET_SQL,
    CENT,
    AgreementBudget,
    agreement_budget,
    agreement_budget_errors,
)
from apps.agreements.selectors.claim import (
    CLAIM_INSERT_SQL,
    CLAIM_LINES_SQL,
    CLAIM_SUMMARY_SQL,
    DRAFT_LINES,
    SECTION_TITLES,
    SECTIONS,
    SENT_LINES,
    Claim,
    Overview,
    _claim_params,
    _draft_lines,
    _empty_section,
    _lines_source,
    statement_claim,
    statement_lines,
    statement_overview,
    statement_reversed_since_sent,
)
from apps.agreements.selectors.common import ZERO, _period_params, _rows
from apps.agreements.selectors.listing import (
    _LIST_END_AT,
    AMOUNT_DUE_SQL,
    statements_visible_to,
    statements_with_amount_due,
)
from apps.agreements.selectors.period import (
    PERIOD_SUMMARY_SQL,
    PeriodSummary,
    agreement_period_summary,
)

__all__ = [
    "AMOUNT_DUE_SQL",
    "BUDGET_LABELS",
    "BUDGET_SQL",
    "CENT",
    "CLAIM_INSERT_SQL",
    "CLAIM_LINES_SQL",
    "CLAIM_SUMMARY_SQL",
    "DRAFT_LINES",
    "PERIOD_SUMMARY_SQL",
    "SECTIONS",
    "SECTION_TITLES",
    "SENT_LINES",
    "ZERO",
    "_LIST_END_AT",
    "AgreementBudget",
    "Claim",
    "Overview",
    "PeriodSummary",
    "_claim_params",
    "_draft_lines",
    "_empty_section",
    "_lines_source",
    "_period_params",
    "_rows",
    "agreement_budget",
    "agreement_budget_errors",
    "agreement_period_summary",
    "statement_claim",
    "statement_lines",
    "statement_overview",
    "statement_reversed_since_sent",
    "statements_visible_to",
    "statements_with_amount_due",
]

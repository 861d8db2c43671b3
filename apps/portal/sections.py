"""What a report is made of: sections (tables) of columns and published figures.

Shared by the report (`apps.portal.report`), the page tables, the charts and the export, so
that none of them needs to know how a release is stored.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from functools import total_ordering

from django.utils.functional import lazy
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from apps.core.labels import LOYALTY_LABELS as CORE_LOYALTY_LABELS
from apps.core.labels import TIER_ORDER, usage_label
from apps.portal.figures import NATIONAL, NONE, STORE, TOTAL, YOURS

lazy_usage_label = lazy(usage_label, str)

GROUP_LABELS = {
    YOURS: _("Your brands"),
    NATIONAL: _("Other national brands"),
    STORE: _("Store brand"),
}
MAIN_GROUP_LABELS = {**GROUP_LABELS, NONE: _("Did not buy the category")}
LOYALTY_LABELS = {**CORE_LOYALTY_LABELS, NONE: _("Not in the segment snapshot")}
TIER_LABELS = {**{tier: lazy_usage_label(tier) for tier in TIER_ORDER}, 0: _("No usage tier")}
OTHER_LABEL = _("Withheld figures together")


@total_ordering
@dataclass(frozen=True)
class Withheld:
    """A figure withheld because its noisy count is under the threshold. Sorts below every
    number and equal to every other withheld figure, so sorting never orders them."""

    threshold: int

    def __str__(self) -> str:
        return gettext("withheld")

    def __eq__(self, other) -> bool:
        return isinstance(other, Withheld)

    def __hash__(self) -> int:
        return 0

    def __lt__(self, other) -> bool:
        return not isinstance(other, Withheld)

    def __gt__(self, other) -> bool:
        return False


Hidden = Withheld  # the name charts and older callers know


@dataclass(frozen=True)
class Column:
    key: str
    label: str
    kind: str = "count"  # count | money | units | share | text


@dataclass
class Section:
    """One table: labelled rows of published figures, its total row and its withheld row."""

    key: str
    title: str
    columns: list[Column]
    rows: list[dict]
    total: dict | None = None
    note: str = ""
    matrix: bool = False
    sortable: bool = True
    other: dict | None = None
    privacy: str = ""

    def column(self, column_key: str) -> Column:
        return next(c for c in self.columns if c.key == column_key)


def ratio(part, whole):
    """Return part / whole of two published figures, withheld if either is."""
    for value in (part, whole):
        if isinstance(value, Withheld):
            return value
    if part is None or not whole:
        return None
    return Decimal(part) / Decimal(whole)


REDEMPTION_COLUMNS = [
    Column("redemptions", _("Redemptions")),
    Column("units", _("Units"), "units"),
    Column("discount", _("Discount given ($)"), "money"),
    Column("funded", _("Funded by you ($)"), "money"),
    Column("bonus_points", _("Bonus points given")),
]
MEMBERS_COLUMN = Column("members", _("Members who redeemed"))
# Billing figures: exact, as on the settlement statements. Bonus points are the points of
# bonus-points offers redeemed (their worth is in the discount).
BILLING = ("redemptions", "units", "discount", "funded", "bonus_points")
SALES_COLUMNS = [
    Column(YOURS, _("Your brands ($)"), "money"),
    Column(NATIONAL, _("Other national brands ($)"), "money"),
    Column(STORE, _("Store brand ($)"), "money"),
    Column(TOTAL, _("All brands ($)"), "money"),
    Column("your_share", _("Your share"), "share"),
    Column("store_share", _("Store-brand share"), "share"),
    Column("your_buyers", _("Buyers of your brands")),
    Column("buyers", _("Buyers of the category")),
]
FLOW_COLUMNS = [
    Column("new", _("New buyers")),
    Column("retained", _("Retained buyers")),
    Column("lost", _("Lost buyers")),
    Column(TOTAL, _("Buyers in either month")),
    Column("new_spend", _("Spend of new buyers ($)"), "money"),
    Column("retained_spend", _("Spend of retained buyers ($)"), "money"),
    Column("retained_spend_before", _("Their spend the month before ($)"), "money"),
    Column("lost_spend_before", _("Spend of lost buyers the month before ($)"), "money"),
]
FLOW_KEYS = {"new": ("new", "buyers"), "retained": ("retained", "buyers"),
             "lost": ("lost", "buyers"), TOTAL: (TOTAL, "buyers"),
             "new_spend": ("new", "spend_now"), "retained_spend": ("retained", "spend_now"),
             "retained_spend_before": ("retained", "spend_before"),
             "lost_spend_before": ("lost", "spend_before")}  # fmt: skip

"""The manufacturer report: figures from the selectors, suppressed, laid out as sections.

Each figure set becomes a `Grid` (cells with their margins, each with its member count),
suppressed as a whole by `apps.portal.suppression`, and is then shown as one or more
`Section`s: the rows and columns of a page table, which the CSV export writes out as they
are. Pages and exports therefore hold the same published values, and nothing else.

A category's page shows slices of the agreement-wide tables (not tables of its own), so a
figure is hidden, or not, the same way wherever it appears.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal
from functools import total_ordering

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

from apps.agreements.models import ManufacturerAgreement
from apps.catalog.models import Category
from apps.core.labels import LOYALTY_LABELS as CORE_LOYALTY_LABELS
from apps.core.labels import TIER_ORDER, usage_label
from apps.portal import selectors
from apps.portal.selectors import NATIONAL, NONE, OTHER, STORE, YOURS, Period
from apps.portal.suppression import suppress

TOTAL = "total"
MIN_K = 5
DEFAULT_K = 10

GROUP_LABELS = {YOURS: "Your brands", NATIONAL: "Other national brands", STORE: "Store brand"}
MAIN_GROUP_LABELS = {**GROUP_LABELS, NONE: "Did not buy the category"}
LOYALTY_LABELS = {**CORE_LOYALTY_LABELS, NONE: "Not in the segment snapshot"}
TIER_LABELS = {**{tier: usage_label(tier) for tier in TIER_ORDER}, 0: "No usage tier"}
STATUS_LABELS = {"new": "New", "retained": "Retained", "lost": "Lost"}


def min_members() -> int:
    """Return K, the fewest distinct members a published figure may rest on (at least 5)."""
    k = getattr(settings, "REPORT_MIN_MEMBERS", DEFAULT_K)
    if not isinstance(k, int) or k < MIN_K:
        raise ImproperlyConfigured(f"REPORT_MIN_MEMBERS must be an integer ≥ {MIN_K}, got {k!r}")
    return k


@total_ordering
@dataclass(frozen=True)
class Hidden:
    """A withheld figure. Sorts below every number and equal to every other withheld
    figure, so ordering a table by a column never hints at the hidden values."""

    k: int

    def __str__(self) -> str:
        return f"< {self.k}"

    def __eq__(self, other) -> bool:
        return isinstance(other, Hidden)

    def __hash__(self) -> int:
        return 0

    def __lt__(self, other) -> bool:
        return not isinstance(other, Hidden)

    def __gt__(self, other) -> bool:
        return False


# Grids ----------------------------------------------------------------------------------------


@dataclass
class Grid:
    """Cells (row key, column key) and margins (TOTAL as a key) of one figure set.

    `members` holds the distinct members behind each entry; `values` its figures by measure.
    Entries missing from both rest on nobody and are zero.
    """

    rows: list
    cols: list
    measures: list[str]
    row_totals: bool = True
    col_totals: bool = True
    grand_total: bool = True
    structural: set = field(default_factory=set)
    members: dict = field(default_factory=dict)
    values: dict = field(default_factory=dict)
    published: dict = field(default_factory=dict)

    def put(self, row, col, members: int, /, **values) -> None:
        self.members[(row, col)] = int(members)
        self.values[(row, col)] = values

    def suppress(self, k: int) -> Grid:
        """Fill `published`: each entry's figures, Hidden(k), or None when structural."""
        counts = [[self.members.get((r, c), 0) for c in self.cols] for r in self.rows]
        result = suppress(
            counts,
            k=k,
            row_counts=[self.members.get((r, TOTAL), 0) for r in self.rows]
            if self.row_totals
            else None,
            col_counts=[self.members.get((TOTAL, c), 0) for c in self.cols]
            if self.col_totals
            else None,
            total_count=self.members.get((TOTAL, TOTAL), 0) if self.grand_total else None,
            structural=[[(r, c) in self.structural for c in self.cols] for r in self.rows],
        )
        entries = [((r, c), result.cells[i, j]) for i, r in enumerate(self.rows)
                   for j, c in enumerate(self.cols)]  # fmt: skip
        if self.row_totals:
            entries += [((r, TOTAL), result.rows[i]) for i, r in enumerate(self.rows)]
        if self.col_totals:
            entries += [((TOTAL, c), result.cols[j]) for j, c in enumerate(self.cols)]
        if self.grand_total:
            entries.append(((TOTAL, TOTAL), result.total))
        for key, hidden in entries:
            if key in self.structural:
                self.published[key] = None
            elif hidden:
                self.published[key] = dict.fromkeys(self.measures, Hidden(k))
            else:
                found = self.values.get(key, {})
                self.published[key] = {
                    m: 0 if found.get(m) is None else found[m] for m in self.measures
                }
        return self

    def get(self, row, col, measure):
        """Return the published figure (a number, Hidden, or None for a structural cell)."""
        entry = self.published[(row, col)]
        return None if entry is None else entry[measure]


# Sections -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Column:
    key: str
    label: str
    kind: str = "count"  # count | money | units | share | text


@dataclass
class Section:
    """One page table: labelled rows of published figures, and the total row if any."""

    key: str
    title: str
    columns: list[Column]
    rows: list[dict]
    total: dict | None = None
    note: str = ""
    matrix: bool = False  # a cross-table: rows and columns are both categories of people
    sortable: bool = True


def ratio(part, whole):
    """Return part / whole of two published figures, hidden if either is."""
    if isinstance(part, Hidden):
        return part
    if isinstance(whole, Hidden):
        return whole
    if part is None or not whole:
        return None
    return Decimal(part) / Decimal(whole)


# The report -----------------------------------------------------------------------------------

REDEMPTION_MEASURES = ["redemptions", "units", "discount", "funded", "members"]
REDEMPTION_COLUMNS = [
    Column("redemptions", "Redemptions"),
    Column("units", "Units", "units"),
    Column("discount", "Discount given", "money"),
    Column("funded", "Funded by you", "money"),
    Column("members", "Members who redeemed"),
]


def _weeks(period: Period) -> list[dt.date]:
    first = period.start - dt.timedelta(days=period.start.weekday())
    return [first + dt.timedelta(weeks=n) for n in range((period.end - first).days // 7 + 1)]


@dataclass
class AgreementReport:
    """Every published figure of one agreement over one period."""

    agreement: ManufacturerAgreement
    period: Period
    k: int
    categories: list[Category]
    redemptions_by_category: Grid
    redemptions_by_week: Grid
    weeks: list[dt.date]
    sales: Grid
    flow: Grid
    flow_all: Grid
    cells: dict[int, Grid] = field(default_factory=dict)
    switching: dict[int, Grid] = field(default_factory=dict)
    snapshots: dict = field(default_factory=dict)

    # Agreement-wide sections ----------------------------------------------------------------

    def redemption_category_section(self) -> Section:
        grid = self.redemptions_by_category
        rows = [
            {"label": c.name, "category_id": c.pk, **{m: grid.get(c.pk, "all", m) for m in
                                                     REDEMPTION_MEASURES}}
            for c in self.categories
        ]  # fmt: skip
        other = {"label": "Other categories", **{m: grid.get(OTHER, "all", m)
                                                 for m in REDEMPTION_MEASURES}}  # fmt: skip
        if other["redemptions"] != 0:
            rows.append(other)
        total = {"label": "All categories", **{m: grid.get(TOTAL, "all", m)
                                               for m in REDEMPTION_MEASURES}}  # fmt: skip
        return Section(
            "redemptions_by_category",
            "Redemptions you fund, by category",
            [Column("label", "Category", "text"), *REDEMPTION_COLUMNS],
            rows,
            total,
            note="Reversed redemptions (returned goods) do not count.",
        )

    def redemption_week_section(self) -> Section:
        grid = self.redemptions_by_week
        rows = [
            {"label": week.isoformat(), **{m: grid.get(week, "all", m) for m in
                                           REDEMPTION_MEASURES}}
            for week in self.weeks
        ]  # fmt: skip
        total = {"label": "All weeks", **{m: grid.get(TOTAL, "all", m)
                                          for m in REDEMPTION_MEASURES}}  # fmt: skip
        return Section(
            "redemptions_by_week",
            "Redemptions you fund, by week",
            [Column("label", "Week from (Monday)", "text"), *REDEMPTION_COLUMNS],
            rows,
            total,
            note="The first and last weeks count only the days inside the period.",
        )

    def _sales_row(self, col, label: str) -> dict:
        g = self.sales
        row = {"label": label, **{grp: g.get(grp, col, "sales") for grp in GROUP_LABELS}}
        row[TOTAL] = g.get(TOTAL, col, "sales")
        row["your_share"] = ratio(row[YOURS], row[TOTAL])
        row["store_share"] = ratio(row[STORE], row[TOTAL])
        row["your_buyers"] = g.get(YOURS, col, "buyers")
        row["buyers"] = g.get(TOTAL, col, "buyers")
        return row

    SALES_COLUMNS = [
        Column(YOURS, "Your brands", "money"),
        Column(NATIONAL, "Other national brands", "money"),
        Column(STORE, "Store brand", "money"),
        Column(TOTAL, "Category", "money"),
        Column("your_share", "Your share", "share"),
        Column("store_share", "Store-brand share", "share"),
        Column("your_buyers", "Buyers of your brands"),
        Column("buyers", "Category buyers"),
    ]

    def sales_section(self) -> Section:
        rows = [{**self._sales_row(c.pk, c.name), "category_id": c.pk} for c in self.categories]
        return Section(
            "sales_by_brand_type",
            "Category sales to club members by brand type",
            [Column("label", "Category", "text"), *self.SALES_COLUMNS],
            rows,
            self._sales_row(TOTAL, "All categories"),
            note="Sales after discounts, to loyalty-card holders only.",
        )

    FLOW_COLUMNS = [
        Column("new", "New buyers"),
        Column("retained", "Retained buyers"),
        Column("lost", "Lost buyers"),
        Column(TOTAL, "Buyers in either period"),
        Column("new_spend", "Spend of new buyers", "money"),
        Column("retained_spend", "Spend of retained buyers", "money"),
        Column("retained_spend_before", "Their spend the period before", "money"),
        Column("lost_spend_before", "Spend of lost buyers the period before", "money"),
    ]

    @staticmethod
    def _flow_row(grid: Grid, row, label: str) -> dict:
        return {
            "label": label,
            "new": grid.get(row, "new", "buyers"),
            "retained": grid.get(row, "retained", "buyers"),
            "lost": grid.get(row, "lost", "buyers"),
            TOTAL: grid.get(row, TOTAL, "buyers"),
            "new_spend": grid.get(row, "new", "spend_now"),
            "retained_spend": grid.get(row, "retained", "spend_now"),
            "retained_spend_before": grid.get(row, "retained", "spend_before"),
            "lost_spend_before": grid.get(row, "lost", "spend_before"),
        }

    def flow_section(self) -> Section:
        previous = self.period.previous
        rows = [
            {**self._flow_row(self.flow, c.pk, c.name), "category_id": c.pk}
            for c in self.categories
        ]
        return Section(
            "buyer_flow",
            "New, retained and lost buyers of your brands",
            [Column("label", "Category", "text"), *self.FLOW_COLUMNS],
            rows,
            self._flow_row(self.flow_all, "all", "All your brands in the agreement"),
            note=f"Compared with the {self.period.days} days before: "
            f"{previous.start:%b %-d, %Y} – {previous.end:%b %-d, %Y}.",
        )

    def agreement_sections(self) -> list[Section]:
        return [
            self.redemption_category_section(),
            self.redemption_week_section(),
            self.sales_section(),
            self.flow_section(),
        ]

    # A category's sections ------------------------------------------------------------------

    def category_sales_section(self, category: Category) -> Section:
        row = self._sales_row(category.pk, category.name)
        rows = [
            {"label": label, "sales": row[grp], "share": ratio(row[grp], row[TOTAL])}
            | ({"buyers": row["your_buyers"]} if grp == YOURS else {"buyers": None})
            for grp, label in GROUP_LABELS.items()
        ]
        return Section(
            "category_sales",
            "Sales to club members by brand type",
            [
                Column("label", "Brand type", "text"),
                Column("sales", "Sales", "money"),
                Column("share", "Share of category", "share"),
                Column("buyers", "Buyers"),
            ],
            rows,
            {"label": "Category", "sales": row[TOTAL], "share": None, "buyers": row["buyers"]},
            sortable=False,
        )

    def _matrix_section(self, key, title, grid: Grid, measure, row_labels, col_labels, corner,
                        kind="count", note="", optional=None) -> Section:  # fmt: skip
        """Lay out a cross-table; `optional` names a (row, column) pair to leave out when
        its row is published as empty (e.g. 'not in the snapshot' when everyone is)."""
        rows_keys, col_keys = list(grid.rows), list(grid.cols)
        if optional and grid.get(optional[0], TOTAL, "buyers") == 0:
            rows_keys.remove(optional[0])
            col_keys.remove(optional[1])
        columns = [Column("label", corner, "text")]
        columns += [Column(str(c), col_labels[c], kind) for c in col_keys]
        columns.append(Column(TOTAL, "All", kind))
        rows = [
            {"label": row_labels[r], "key": r}
            | {str(c): grid.get(r, c, measure) for c in col_keys}
            | {TOTAL: grid.get(r, TOTAL, measure)}
            for r in rows_keys
        ]
        total = {"label": "All", "key": TOTAL} | {
            str(c): grid.get(TOTAL, c, measure) for c in col_keys
        }
        total[TOTAL] = grid.get(TOTAL, TOTAL, measure)
        return Section(key, title, columns, rows, total, note=note, matrix=True, sortable=False)

    def category_sections(self, category: Category) -> list[Section]:
        cells = self.cells[category.pk]
        snapshot = self.snapshots.get(category.pk)
        if snapshot is None:
            cell_note = "No segment snapshot of this category yet: no buyer has a cell."
        else:
            cell_note = (
                f"Cells from the segment snapshot of {snapshot.window_start:%b %-d, %Y} – "
                f"{snapshot.window_end - dt.timedelta(days=1):%b %-d, %Y}."
            )

        def row_of(section: Section) -> dict:
            return next(r for r in section.rows if r.get("category_id") == category.pk)

        flow_row = row_of(self.flow_section())
        redemption_row = row_of(self.redemption_category_section())
        return [
            self.category_sales_section(category),
            self._matrix_section(
                "buyers_by_cell",
                "Buyers of your brands by loyalty × usage cell",
                cells,
                "buyers",
                LOYALTY_LABELS,
                TIER_LABELS,
                "Loyalty in the category",
                note=cell_note,
                optional=(NONE, 0),
            ),
            self._matrix_section(
                "spend_by_cell",
                "Their spend on your brands by loyalty × usage cell",
                cells,
                "spend",
                LOYALTY_LABELS,
                TIER_LABELS,
                "Loyalty in the category",
                kind="money",
                optional=(NONE, 0),
            ),
            self._matrix_section(
                "switching",
                "Switching: buyers by main brand type, the period before → this period",
                self.switching[category.pk],
                "buyers",
                MAIN_GROUP_LABELS,
                MAIN_GROUP_LABELS,
                "Period before ↓ / this period →",
                note="A buyer's main brand type is the one they spent most on in the category.",
            ),
            Section(
                "category_flow",
                "New, retained and lost buyers of your brands",
                [Column("label", "Category", "text"), *self.FLOW_COLUMNS],
                [flow_row],
                sortable=False,
            ),
            Section(
                "category_redemptions",
                "Redemptions you fund in this category",
                [Column("label", "Category", "text"), *REDEMPTION_COLUMNS],
                [redemption_row],
                sortable=False,
            ),
        ]

    def all_sections(self) -> list[tuple[Category | None, Section]]:
        """Every section of the agreement and of each of its categories (for exports)."""
        out: list[tuple[Category | None, Section]] = [(None, s) for s in self.agreement_sections()]
        for category in self.categories:
            out += [
                (category, s)
                for s in self.category_sections(category)
                if s.key in {"buyers_by_cell", "spend_by_cell", "switching"}
            ]
        return out


def agreement_report(
    *,
    agreement: ManufacturerAgreement,
    period: Period,
    categories: list[Category] | None = None,
    k: int | None = None,
) -> AgreementReport:
    """Compute and suppress every figure set of the agreement over the period.

    `categories` limits the per-category cross-tables (cells, switching) to those given;
    the agreement-wide tables always cover all of its categories.
    """
    k = min_members() if k is None else k
    if k < MIN_K:
        raise ValueError(f"k must be at least {MIN_K}")
    all_categories = selectors.agreement_categories(agreement=agreement)
    detail = all_categories if categories is None else categories
    ids = [c.pk for c in all_categories]

    # The agreement funds the manufacturer's products in whatever category a campaign put
    # them, so an "other categories" row keeps the rows adding up to the total.
    by_category = Grid([*ids, OTHER], ["all"], REDEMPTION_MEASURES, row_totals=False,
                       grand_total=False)  # fmt: skip
    for cat, redemptions, units, discount, funded, members in selectors.redemptions_by_category(
        agreement=agreement, categories=all_categories, period=period
    ):
        values = dict(redemptions=redemptions, units=units, discount=discount, funded=funded)
        by_category.put(TOTAL if cat is None else cat, "all", members, **values, members=members)
    by_category.suppress(k)

    weeks = _weeks(period)
    by_week = Grid(weeks, ["all"], REDEMPTION_MEASURES, row_totals=False, grand_total=False)
    for week, redemptions, units, discount, funded, members in selectors.redemptions_by_week(
        agreement=agreement, period=period
    ):
        values = dict(redemptions=redemptions, units=units, discount=discount, funded=funded)
        by_week.put(TOTAL if week is None else week, "all", members, **values, members=members)
    by_week.suppress(k)

    groups = [YOURS, NATIONAL, STORE]
    sales = Grid(groups, ids, ["sales", "buyers"])
    for cat, grp, amount, members in selectors.sales_by_brand_group(
        agreement=agreement, categories=all_categories, period=period
    ):
        sales.put(grp or TOTAL, cat or TOTAL, members, sales=amount, buyers=members)
    sales.suppress(k)

    statuses = ["new", "retained", "lost"]
    flow = Grid(ids, statuses, ["buyers", "spend_now", "spend_before"], col_totals=False,
                grand_total=False)  # fmt: skip
    flow_all = Grid(["all"], statuses, ["buyers", "spend_now", "spend_before"],
                    col_totals=False, grand_total=False)  # fmt: skip
    for cat, status, members, now, before in selectors.buyer_flow(
        agreement=agreement, categories=all_categories, period=period
    ):
        grid, row = (flow_all, "all") if cat is None else (flow, cat)
        grid.put(row, status or TOTAL, members, buyers=members, spend_now=now, spend_before=before)
    flow.suppress(k)
    flow_all.suppress(k)

    report = AgreementReport(
        agreement=agreement,
        period=period,
        k=k,
        categories=all_categories,
        redemptions_by_category=by_category,
        redemptions_by_week=by_week,
        weeks=weeks,
        sales=sales,
        flow=flow,
        flow_all=flow_all,
    )
    if detail:
        loyalty = ["national", "swinger", "store", NONE]
        tiers = [1, 2, 3, 0]
        structural = {(r, t) for r in loyalty for t in tiers if (r == NONE) != (t == 0)}
        cells = {c.pk: Grid(loyalty, tiers, ["buyers", "spend"], structural=structural)
                 for c in detail}  # fmt: skip
        for cat, loyal, tier, spend, members in selectors.buyers_by_cell(
            agreement=agreement, categories=detail, period=period
        ):
            cells[cat].put(
                TOTAL if loyal is None else loyal,
                TOTAL if tier is None else tier,
                members,
                buyers=members,
                spend=spend,
            )
        main = [YOURS, NATIONAL, STORE, NONE]
        switching = {c.pk: Grid(main, main, ["buyers"], structural={(NONE, NONE)})
                     for c in detail}  # fmt: skip
        for cat, before, after, members in selectors.brand_switching(
            agreement=agreement, categories=detail, period=period
        ):
            switching[cat].put(before or TOTAL, after or TOTAL, members, buyers=members)
        report.cells = {pk: grid.suppress(k) for pk, grid in cells.items()}
        report.switching = {pk: grid.suppress(k) for pk, grid in switching.items()}
        report.snapshots = selectors.snapshots_used(categories=detail, period=period)
    return report

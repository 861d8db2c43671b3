"""The manufacturer report, laid out from one stored release: sections of published figures.

Nothing here reads members' data: a `Report` wraps a `Release` (noisy counts and money,
exact billing figures, withheld keys) and lays it out as `Section`s, the tables a page shows
and the CSV export writes. Pages, charts and exports all read these sections, so a figure
has one value wherever it appears. A withheld figure is `Withheld`; the figures withheld in
a table are added up (their noisy values) into one "withheld figures together" row, itself
withheld when it rests on fewer members than the threshold.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from functools import cached_property

from django.utils.translation import gettext as _

from apps.portal.dates import snapshot_note
from apps.portal.figures import (
    ALL,
    GROUPS,
    LOYALTIES,
    MAIN_GROUPS,
    NONE,
    OTHER,
    STORE,
    TIERS,
    TOTAL,
    YOURS,
    key,
)
from apps.portal.models import Release
from apps.portal.periods import Period
from apps.portal.sections import (
    BILLING,
    FLOW_COLUMNS,
    FLOW_KEYS,
    GROUP_LABELS,
    LOYALTY_LABELS,
    MAIN_GROUP_LABELS,
    MEMBERS_COLUMN,
    OTHER_LABEL,
    REDEMPTION_COLUMNS,
    SALES_COLUMNS,
    TIER_LABELS,
    Column,
    Hidden,
    Section,
    Withheld,
    ratio,
)

__all__ = ["TOTAL", "Column", "Hidden", "Report", "Section", "Withheld"]


@dataclass
class Report:
    """Every published figure of one agreement for one month, from its release."""

    release: Release
    _basis: dict = field(default_factory=dict)  # (section row, column) → figure key

    @cached_property
    def period(self) -> Period:
        return Period(self.release.period_start, self.release.period_end)

    @property
    def agreement(self):
        return self.release.agreement

    @cached_property
    def threshold(self) -> int:
        return self.release.params["threshold"]

    @cached_property
    def _withheld(self) -> set[str]:
        return set(self.release.content["withheld"])

    @cached_property
    def categories(self) -> list[tuple[int, str]]:
        return [tuple(c) for c in self.release.content["categories"]]

    @cached_property
    def weeks(self) -> list[str]:
        return self.release.content["weeks"]

    # Figures -----------------------------------------------------------------------------

    def figure(self, figure_key: str):
        """Return the published figure: an int count, Decimal money or units, or Withheld."""
        content = self.release.content
        if figure_key in content["exact"]:
            return Decimal(content["exact"][figure_key])
        if figure_key.endswith("/bonus_points"):
            return Decimal(0)  # a release made before bonus-points offers existed: none
        if figure_key in self._withheld:
            return Withheld(self.threshold)
        if figure_key in content["counts"]:
            return max(content["counts"][figure_key], 0)
        return Decimal(max(content["money"][figure_key], 0)) / 100

    def raw(self, figure_key: str) -> tuple[Decimal, int]:
        """Return a figure's noisy value and the noisy count of its members (for sums)."""
        content = self.release.content
        if figure_key in content["counts"]:
            count = content["counts"][figure_key]
            return Decimal(count), count
        basis = figure_key.rsplit("/", 1)[0] + "/buyers"  # the count of the same members
        return Decimal(content["money"][figure_key]) / 100, content["counts"][basis]

    def _cell(self, row: dict, column_key: str, figure_key: str):
        row[column_key] = self.figure(figure_key)
        row.setdefault("_keys", {})[column_key] = figure_key

    @property
    def privacy_note(self) -> str:
        p = self.release.params
        money = Decimal(p["money_interval_cents"]) / 100
        return _(
            "Figures are perturbed to protect shoppers: a count is within ± %(count)s members "
            "of the truth, a money figure within ± %(money)s, 9 times in 10. A count under "
            "%(threshold)s members is withheld, with every figure about the same members."
        ) % {"count": p["count_interval"], "money": f"${money:,.0f}", "threshold": self.threshold}

    @property
    def table_note(self) -> str:
        """Return the short form each table carries."""
        p = self.release.params
        money = Decimal(p["money_interval_cents"]) / 100
        return _(
            "Perturbed to protect shoppers: counts ± %(count)s members, money ± %(money)s "
            "(9 times in 10); under %(threshold)s members withheld."
        ) % {"count": p["count_interval"], "money": f"${money:,.0f}", "threshold": self.threshold}

    def _finish(self, section: Section, *, matrix: bool = False) -> Section:
        """Add the privacy note and the row adding up the table's withheld figures.

        A list table adds them per column; a cross-table adds its withheld cells (not its
        margins) into one figure. The sum rests on the members of the figures in it; it is
        withheld in turn when their noisy count is under the threshold.
        """
        section.privacy = self.table_note
        columns = [c for c in section.columns[1:] if c.kind != "share"]
        if matrix:
            columns = [c for c in columns if c.key != TOTAL]
        sums: dict[str, list] = {}
        for column in columns:
            for line in section.rows:
                figure_key = line.get("_keys", {}).get(column.key)
                if figure_key in self._withheld:
                    value, basis = self.raw(figure_key)
                    found = sums.setdefault(TOTAL if matrix else column.key,
                                            [Decimal(0), 0, column.kind])  # fmt: skip
                    found[0] += value
                    found[1] += basis
        if not sums:
            return section
        label = _("Withheld cells together") if matrix else str(OTHER_LABEL)
        other = {"label": label, **dict.fromkeys(c.key for c in section.columns[1:])}
        for column_key, (value, basis, kind) in sums.items():
            shown = basis >= self.threshold and value >= 0
            number = int(value) if kind == "count" else value
            other[column_key] = number if shown else Withheld(self.threshold)
        section.other = other
        return section

    # Agreement-wide sections -------------------------------------------------------------

    def redemption_category_section(self) -> Section:
        def line(row_key: str, label: str, **extra) -> dict:
            row = {"label": label, **extra}
            for measure in (*BILLING, "members"):
                self._cell(row, measure, key("red_cat", row_key, measure))
            # The redemptions are public (the statements): nobody redeemed where there is
            # none, and never more members than redemptions. Post-processing, no cost.
            if not row["redemptions"]:
                row["members"] = 0
                del row["_keys"]["members"]
            elif not isinstance(row["members"], Withheld):
                row["members"] = min(row["members"], int(row["redemptions"]))
            return row

        rows = [line(str(pk), name, category_id=pk) for pk, name in self.categories]
        other = line(OTHER, _("Other categories"))
        if other["redemptions"]:
            rows.append(other)
        return self._finish(
            Section(
                "redemptions_by_category",
                _("Redemptions you fund, by category"),
                [Column("label", _("Category"), "text"), *REDEMPTION_COLUMNS, MEMBERS_COLUMN],
                rows,
                line(TOTAL, _("All categories")),
                note=_(
                    "Redemptions, units and money are exact: the amounts of your settlement "
                    "statements. Reversed redemptions (returned goods) do not count."
                ),
            )
        )

    def redemption_week_section(self) -> Section:
        def line(row_key: str, label: str) -> dict:
            row = {"label": label}
            for measure in BILLING:
                self._cell(row, measure, key("red_week", row_key, measure))
            return row

        section = Section(
            "redemptions_by_week",
            _("Redemptions you fund, by week"),
            [Column("label", _("Week from (Monday)"), "text"), *REDEMPTION_COLUMNS],
            [line(week, week) for week in self.weeks],
            line(TOTAL, _("All weeks")),
            note=_("The first and last weeks count only the days inside the month."),
        )
        section.privacy = _(
            "Exact: billing figures, as on your settlement statements, not perturbed."
        )
        return section

    def _sales_row(self, col, label: str) -> dict:
        row = {"label": label}
        for grp in [*GROUPS, TOTAL]:
            self._cell(row, grp, key("sales", grp, col, "sales"))
        row["your_share"] = ratio(row[YOURS], row[TOTAL])
        row["store_share"] = ratio(row[STORE], row[TOTAL])
        self._cell(row, "your_buyers", key("sales", YOURS, col, "buyers"))
        self._cell(row, "buyers", key("sales", TOTAL, col, "buyers"))
        return row

    def sales_section(self) -> Section:
        rows = [{**self._sales_row(pk, name), "category_id": pk} for pk, name in self.categories]
        return self._finish(
            Section(
                "sales_by_brand_type",
                _("Category sales to club members by brand type"),
                [Column("label", _("Category"), "text"), *SALES_COLUMNS],
                rows,
                self._sales_row(TOTAL, _("All categories")),
                note=_(
                    "Sales after discounts, to loyalty-card holders only; each member's "
                    "spend counts up to %(cap)s a figure."
                )
                % {"cap": f"${Decimal(self.release.params['money_cap']):,.2f}"},
            )
        )

    def _flow_row(self, row_key, label: str) -> dict:
        row = {"label": label}
        for column, (status, measure) in FLOW_KEYS.items():
            self._cell(row, column, key("flow", row_key, status, measure))
        return row

    def flow_section(self) -> Section:
        rows = [{**self._flow_row(pk, name), "category_id": pk} for pk, name in self.categories]
        return self._finish(
            Section(
                "buyer_flow",
                _("New, retained and lost buyers of your brands"),
                [Column("label", _("Category"), "text"), *FLOW_COLUMNS],
                rows,
                self._flow_row(ALL, _("All your brands in the agreement")),
                note=self._compared_note(),
            )
        )

    def agreement_sections(self) -> dict[str, Section]:
        sections = [self.redemption_category_section(), self.redemption_week_section(),
                    self.sales_section(), self.flow_section()]  # fmt: skip
        return {s.key: s for s in sections}

    def _compared_note(self) -> str:
        return _("Compared with the month before: %(month)s.") % {
            "month": self.period.previous.label
        }

    # A category's sections ---------------------------------------------------------------

    def category_sales_section(self, pk: int, name: str) -> Section:
        sales = self._sales_row(pk, name)
        rows = []
        for grp, label in GROUP_LABELS.items():
            row = {"label": str(label), "share": ratio(sales[grp], sales[TOTAL])}
            self._cell(row, "sales", key("sales", grp, pk, "sales"))
            self._cell(row, "buyers", key("sales", grp, pk, "buyers"))
            rows.append(row)
        total = {"label": _("All brands"), "share": None}
        self._cell(total, "sales", key("sales", TOTAL, pk, "sales"))
        self._cell(total, "buyers", key("sales", TOTAL, pk, "buyers"))
        columns = [Column("label", _("Brand type"), "text"),
                   Column("sales", _("Sales ($)"), "money"),
                   Column("share", _("Share of the category"), "share"),
                   Column("buyers", _("Buyers"))]  # fmt: skip
        return self._finish(
            Section(
                "category_sales",
                _("Sales to club members by brand type"),
                columns,
                rows,
                total,
                sortable=False,
            )  # fmt: skip
        )

    def _matrix(self, name, title, table, pk, measure, rows, cols, row_labels, col_labels,
                corner, kind="count", note="") -> Section:  # fmt: skip
        """Lay out a cross-table; an entry nobody can be in shows as empty (None)."""
        present = self.release.content["counts" if measure == "buyers" else "money"]

        def figure_key(r, c) -> str | None:
            if r == TOTAL and c == TOTAL and table == "cells":
                return key("sales", YOURS, pk, "sales" if measure == "spend" else "buyers")
            if table == "cells" and (r, c) in ((NONE, TOTAL), (TOTAL, 0)):
                r, c = NONE, 0  # the one cell of buyers outside the snapshot
            found = key(table, pk, r, c, measure)
            return found if found in present else None

        def line(r, label) -> dict:
            row = {"label": str(label), "key": str(r)}
            for c in [*cols, TOTAL]:
                found = figure_key(r, c)
                if found is None:
                    row[str(c)] = None
                else:
                    self._cell(row, str(c), found)
            return row

        columns = [Column("label", corner, "text")]
        columns += [Column(str(c), str(col_labels[c]), kind) for c in cols]
        columns.append(Column(TOTAL, _("All"), kind))
        return self._finish(
            Section(name, title, columns, [line(r, row_labels[r]) for r in rows],
                    line(TOTAL, _("All")), note=note, matrix=True, sortable=False),
            matrix=True,
        )  # fmt: skip

    def category_sections(self, pk: int) -> dict[str, Section]:
        name = dict(self.categories)[pk]
        cell_note = snapshot_note(self.release.content["notes"].get(key("snapshot", pk)))
        flow = self._finish(
            Section("category_flow", _("New, retained and lost buyers of your brands"),
                    [Column("label", _("Category"), "text"), *FLOW_COLUMNS],
                    [self._flow_row(pk, name)], sortable=False,
                    note=self._compared_note())
        )  # fmt: skip
        redemptions = self.redemption_category_section()
        own = [r for r in redemptions.rows if r.get("category_id") == pk]
        sections = [
            self.category_sales_section(pk, name),
            self._matrix("buyers_by_cell", _("Buyers of your brands by loyalty × usage cell"),
                         "cells", pk, "buyers", LOYALTIES, TIERS, LOYALTY_LABELS, TIER_LABELS,
                         _("Loyalty in the category"), note=cell_note),
            self._matrix("switching",
                         _("Switching: buyers by main brand type, the month before → this month"),
                         "switch", pk, "buyers", MAIN_GROUPS, MAIN_GROUPS, MAIN_GROUP_LABELS,
                         MAIN_GROUP_LABELS, _("Month before ↓ / this month →"),
                         note=_("A buyer's main brand type is the one they spent most on in "
                                "the category.")),
            flow,
            self._finish(
                Section("category_redemptions", _("Redemptions you fund in this category"),
                        redemptions.columns, own, sortable=False, note=redemptions.note)
            ),
        ]  # fmt: skip
        return {s.key: s for s in sections}

    def all_sections(self) -> list[tuple[str, Section]]:
        """Every table of the agreement and of each category, for exports (category name)."""
        out = [("", s) for s in self.agreement_sections().values()]
        for pk, name in self.categories:
            detail = self.category_sections(pk)
            out += [(name, detail[k]) for k in ("category_sales", "buyers_by_cell", "switching")]
        return out

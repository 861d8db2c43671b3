"""The portal's figures: what a manufacturer's eye reads from colours and bar widths."""

from __future__ import annotations

from apps.portal.charts import matrix_figure, weekly_funding_figure
from apps.portal.report import Column, Hidden, Section

DAY_MS = 86_400_000


def _cells(values: list[list]) -> Section:
    columns = [Column("label", "Loyalty", "text"), Column("low", "Low"), Column("high", "High")]
    rows = [{"label": f"row {i}", "low": lo, "high": hi} for i, (lo, hi) in enumerate(values)]
    return Section(key="cells", title="Cells", columns=columns, rows=rows, matrix=True)


def test_a_heatmap_of_zeros_and_hidden_cells_shows_zero_as_the_palest():
    figure = matrix_figure(_cells([[0, Hidden(5)], [Hidden(5), 0]]), title="t")
    (trace,) = figure["data"]
    # All published cells are 0: the scale must still start at 0 and reach past it, or
    # plotly paints the zeros in the darkest colour.
    assert (trace["zmin"], trace["zmax"]) == (0, 1)
    assert trace["z"] == [[0.0, None], [None, 0.0]]
    assert trace["text"] == [["0", "< 5"], ["< 5", "0"]]


def test_a_heatmap_scales_from_zero_to_its_largest_published_cell():
    (trace,) = matrix_figure(_cells([[3, 40], [Hidden(5), 12]]), title="t")["data"]
    assert (trace["zmin"], trace["zmax"]) == (0, 40)


def _weeks(labels: list[str]) -> Section:
    columns = [Column("label", "Week", "text"), Column("redemptions", "Redemptions"),
               Column("funded", "Funded", "money")]  # fmt: skip
    rows = [{"label": w, "redemptions": 6, "funded": 4.32} for w in labels]
    return Section(key="weeks", title="Weeks", columns=columns, rows=rows)


def test_one_week_is_drawn_a_week_wide_with_one_tick_per_monday():
    figure = weekly_funding_figure(_weeks(["2026-11-23"]))
    bar = figure["data"][0]
    assert bar["width"] == [6 * DAY_MS] and bar["offset"] == 0
    axis = figure["layout"]["xaxis"]
    assert axis["tick0"] == "2026-11-23" and axis["dtick"] == 7 * DAY_MS
    assert axis["range"] == ["2026-11-20", "2026-12-03"]


def test_a_long_period_leaves_the_ticks_to_plotly():
    weeks = [f"2026-{month:02d}-01" for month in range(1, 13)] + ["2026-12-28"]
    axis = weekly_funding_figure(_weeks(weeks))["layout"]["xaxis"]
    assert "dtick" not in axis and "range" not in axis

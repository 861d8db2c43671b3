"""The portal's figures: what a manufacturer's eye reads from colours and bar widths."""

from __future__ import annotations

from apps.portal.charts import matrix_figure, sales_mix_figure, weekly_funding_figure
from apps.portal.sections import Column, Section, Withheld

DAY_MS = 86_400_000
W = Withheld(10)


def _cells(values: list[list]) -> Section:
    columns = [Column("label", "Loyalty", "text"), Column("low", "Low"), Column("high", "High")]
    rows = [{"label": f"row {i}", "low": lo, "high": hi} for i, (lo, hi) in enumerate(values)]
    return Section(key="cells", title="Cells", columns=columns, rows=rows, matrix=True)


def test_a_heatmap_of_zeros_and_withheld_cells_shows_zero_as_the_palest():
    figure = matrix_figure(_cells([[0, W], [W, 0]]), title="t")
    (trace,) = figure["data"]
    # All published cells are 0: the scale must still start at 0 and reach past it, or
    # plotly paints the zeros in the darkest colour.
    assert (trace["zmin"], trace["zmax"]) == (0, 1)
    assert trace["z"] == [[0.0, None], [None, 0.0]]
    assert trace["text"] == [["0", "withheld"], ["withheld", "0"]]


def test_a_heatmap_scales_from_zero_to_its_largest_published_cell():
    (trace,) = matrix_figure(_cells([[3, 40], [W, 12]]), title="t")["data"]
    assert (trace["zmin"], trace["zmax"]) == (0, 40)


def _weeks(labels: list[str], funded=4.32) -> Section:
    columns = [Column("label", "Week", "text"), Column("redemptions", "Redemptions"),
               Column("funded", "Funded", "money")]  # fmt: skip
    rows = [{"label": w, "redemptions": 6, "funded": funded} for w in labels]
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


def test_a_withheld_week_is_a_full_height_band_that_says_withheld():
    section = _weeks(["2026-11-02", "2026-11-09"])
    section.rows[0]["funded"] = 19.17
    section.rows[1]["funded"] = W
    bars, band = weekly_funding_figure(section)["data"]
    assert bars["y"] == [19.17, None]  # never a near-invisible bar for the withheld week
    assert band["x"] == ["2026-11-09"] and band["y"] == [19.17]
    assert band["text"] == ["withheld"] and band["name"] == "Withheld (too few members)"


def test_withheld_parts_of_a_stacked_bar_are_named():
    columns = [Column("label", "Category", "text"), Column("yours", "Yours", "money"),
               Column("national", "National", "money"),
               Column("store", "Store", "money")]  # fmt: skip
    rows = [{"label": "Ketchup", "yours": W, "national": 20.0, "store": W},
            {"label": "Mustard", "yours": 5.0, "national": 10.0, "store": 1.0}]  # fmt: skip
    figure = sales_mix_figure(Section(key="s", title="s", columns=columns, rows=rows))
    names = [t["name"] for t in figure["data"]]
    assert names == ["Your brands", "Other national brands", "Store brand",
                     "Withheld (too few members)"]  # fmt: skip
    assert figure["data"][0]["x"] == [None, 5.0]
    assert figure["data"][3]["text"] == ["  withheld: Your brands, Store brand", ""]

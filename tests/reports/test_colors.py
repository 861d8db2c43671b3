"""One colour per meaning: a loyalty group looks the same on the dashboard and the portal,
and no colour stands for two things."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from django.urls import reverse

from apps.core.labels import CHROME, COLORS
from apps.portal.charts import matrix_figure, sales_mix_figure, weekly_funding_figure
from apps.portal.report import Column, Section
from apps.reports.services import reports_refresh

FILTERS = {"month_from": "2025-04", "month_to": "2026-03"}
HEX = re.compile(r"#[0-9a-fA-F]{6}\b")


@pytest.fixture
def pages(client, marketing_user, world) -> dict[str, str]:
    reports_refresh()
    client.force_login(marketing_user)
    return {
        name: client.get(reverse(f"reports:{name}"), FILTERS).content.decode()
        for name in ("loyalty", "redemption")
    }


def _figure(html: str, element_id: str) -> dict:
    start = html.index(f'<script id="{element_id}" type="application/json">')
    start = html.index(">", start) + 1
    return json.loads(html[start : html.index("</script>", start)])


def _portal_sales_mix() -> dict:
    columns = [Column("label", "Category", "text"), Column("yours", "Your brands", "money"),
               Column("national", "Other national brands", "money"),
               Column("store", "Store brand", "money")]  # fmt: skip
    rows = [{"label": "Ketchup", "yours": 10.0, "national": 20.0, "store": 5.0}]
    return sales_mix_figure(Section(key="mix", title="Mix", columns=columns, rows=rows))


def _bar_colours(figure: dict) -> dict[str, str]:
    return {trace["name"]: trace["marker"]["color"] for trace in figure["data"]}


def _colours(value) -> set[str]:
    """Every colour named anywhere in a figure's JSON."""
    found: set[str] = set()
    if isinstance(value, dict):
        for item in value.values():
            found |= _colours(item)
    elif isinstance(value, list):
        for item in value:
            found |= _colours(item)
    elif isinstance(value, str):
        found |= {c.lower() for c in HEX.findall(value)}
        rgba = re.fullmatch(r"rgba\((\d+),(\d+),(\d+),[\d.]+\)", value)
        if rgba:
            found.add("#{:02x}{:02x}{:02x}".format(*map(int, rgba.groups())))
    return found


def test_a_loyalty_group_has_the_same_colour_on_the_dashboard_and_the_portal(pages):
    cells = _bar_colours(_figure(pages["loyalty"], "fig-cells-members"))
    sales = _bar_colours(_figure(pages["loyalty"], "fig-cells-sales"))
    portal = _bar_colours(_portal_sales_mix())

    assert (
        cells
        == sales
        == {
            "National-brand loyal": "#1c7ed6",
            "Swinger": "#f08c00",
            "Store-brand loyal": "#2f9e44",
        }
    )
    # The portal's brand groups: national brands blue, the store brand green, as the buyers
    # loyal to them on the dashboard; the maker's own brands a colour no loyalty group has.
    assert portal["Other national brands"] == cells["National-brand loyal"]
    assert portal["Store brand"] == cells["Store-brand loyal"]
    assert portal["Your brands"] == "#d6336c"
    assert portal["Your brands"] not in cells.values()
    # The moves' Sankey: each loyalty group's node in its colour, before and now.
    sankey = _figure(pages["loyalty"], "fig-moves")["data"][0]["node"]
    nodes = dict(zip(sankey["label"], sankey["color"], strict=True))
    assert nodes["National-brand loyal (Jan 2026)"] == nodes["National-brand loyal (now)"]
    assert nodes["Store-brand loyal (now)"] == "#2f9e44"
    assert nodes["Swinger (now)"] == "#f08c00"


def test_money_is_not_drawn_in_a_loyalty_colour(pages):
    split = _bar_colours(_figure(pages["redemption"], "fig-cost-split"))
    month = _bar_colours(_figure(pages["redemption"], "fig-cost-month"))
    assert split == month == {"Store (net cost)": "#9c6644", "Manufacturers": "#7048e8"}
    funded = weekly_funding_figure(
        Section(key="weeks", title="Weeks",
                columns=[Column("label", "Week", "text"), Column("redemptions", "Redemptions"),
                         Column("funded", "Funded", "money")],
                rows=[{"label": "2026-03-02", "redemptions": 12, "funded": 4.0}])
    )  # fmt: skip
    # What a maker funded is the manufacturers' share, in the same violet.
    assert funded["data"][0]["marker"]["color"] == "#7048e8"
    for colour in ("#9c6644", "#7048e8"):
        assert colour not in {"#1c7ed6", "#f08c00", "#2f9e44", "#d6336c"}


def test_no_two_meanings_share_a_colour():
    colours = [c.lower() for c in COLORS.values()]
    assert len(colours) == len(set(colours)) == 22
    assert not set(colours) & {c.lower() for c in CHROME.values()}


def test_every_colour_on_the_pages_is_one_of_the_meanings(pages):
    known = {c.lower() for c in (*COLORS.values(), *CHROME.values())}
    for name, html in pages.items():
        ids = re.findall(r'<script id="(fig-[\w-]+)" type="application/json">', html)
        assert ids, name
        for element_id in ids:
            assert _colours(_figure(html, element_id)) <= known, element_id
    cells = {"label": "x", "low": 3.0, "high": 40.0}
    heatmap = matrix_figure(
        Section(key="cells", title="Cells", rows=[cells], matrix=True,
                columns=[Column("label", "Loyalty", "text"), Column("low", "Low"),
                         Column("high", "High")]),
        title="t",
    )  # fmt: skip
    # Counts shade from near white to the measure colour, not to a brand's green.
    assert heatmap["data"][0]["colorscale"][-1][1] == COLORS["measure"] == "#495057"
    # The portal's figures, less plotly's own template (its default colourway is not used).
    portal = _portal_sales_mix()
    assert _colours(portal["data"]) <= known
    assert _colours({k: v for k, v in portal["layout"].items() if k != "template"}) <= known


def test_the_chart_modules_name_no_colour_of_their_own():
    root = Path(__file__).resolve().parents[2]
    dashboard = sorted(
        str(p.relative_to(root)) for p in (root / "apps/reports/charts").glob("*.py")
    )
    assert "apps/reports/charts/loyalty.py" in dashboard  # the package's modules are read
    for module in (*dashboard, "apps/portal/charts.py", "apps/portal/views.py"):
        source = (root / module).read_text()
        assert HEX.findall(source) == [], module
        # Nor one of plotly's named scales (a blue heatmap would read as national brands).
        assert re.findall(r"colorscale=\"\w+\"|\"(?:Greens|Blues|Reds)\"", source) == [], module

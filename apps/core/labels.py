"""One label and one colour per meaning, for every page and chart of the product.

A reader who learns on one page that green is the store brand must find green meaning the
store brand on every other page, and nothing else: so each colour below stands for exactly
one thing, and the charts of the dashboard and the manufacturer portal take their colours
from here rather than naming their own.

Brand loyalty is drawn in the colour of the brand type it is loyal to: national-brand loyal
buyers and "other national brands" sales are the same blue, store-brand loyal buyers and
store-brand sales the same green. Money is not a brand: the store's net discount cost and
the manufacturers' share have colours of their own. A chart of one measure with no
categories (a histogram, a curve, a lift estimate) is drawn in the neutral MEASURE colour.

Keys are the values of the enums they describe, `apps.segments.models.Loyalty` and
`apps.segments.models.UsageTier`. `core` sits upstream of every app and imports none of
them; tests/core/test_labels.py pins these keys and labels to the enums.
"""

from __future__ import annotations

from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

# --- Loyalty groups (apps.segments.models.Loyalty) ----------------------------------------

NATIONAL = "national"
SWINGER = "swinger"
STORE = "store"
LOYALTY_ORDER = (NATIONAL, SWINGER, STORE)
LOYALTY_LABELS = {
    NATIONAL: _("National-brand loyal"),
    SWINGER: _("Swinger"),
    STORE: _("Store-brand loyal"),
}

# Buyers outside the loyalty groups when two snapshots are compared.
NEW = "new"
LAPSED = "lapsed"
MOVE_LABELS = {**LOYALTY_LABELS, NEW: _("New buyers"), LAPSED: _("Stopped buying")}

# --- Usage tiers (apps.segments.models.UsageTier: category spend terciles) ----------------

LOW = 1
MEDIUM = 2
HIGH = 3
TIER_ORDER = (LOW, MEDIUM, HIGH)
TIER_LABELS = {LOW: _("Low"), MEDIUM: _("Medium"), HIGH: _("High")}


def usage_label(tier: int) -> str:
    """Return 'Low usage', 'Medium usage' or 'High usage' for a tier."""
    return gettext("%(tier)s usage") % {"tier": TIER_LABELS[tier]}


# --- Colours: one per meaning, no two meanings alike ----------------------------------------

COLORS: dict[str, str] = {
    # Brand types, and the loyalty groups of buyers who keep to one of them.
    "national_brand": "#1c7ed6",
    "store_brand": "#2f9e44",
    "swinger": "#f08c00",
    # The manufacturer's own brands, on its portal (a subset of the national brands).
    "your_brands": "#d6336c",
    # Buyers entering or leaving a category between two snapshots.
    "new_buyers": "#adb5bd",
    "stopped_buying": "#868e96",
    # Usage tiers, light to dark.
    "usage_low": "#99e9f2",
    "usage_medium": "#22b8cf",
    "usage_high": "#0b7285",
    # Who pays a discount.
    "store_cost": "#9c6644",
    "manufacturer_share": "#7048e8",
    # Member risk.
    "at_risk": "#e03131",
    "not_at_risk": "#ced4da",
    # List reach, from lists made to lists redeemed (light to dark).
    "lists_made": "#bac8ff",
    "lists_with_offer": "#748ffc",
    "lists_redeemed": "#4263eb",
    # One measure without categories: histograms, curves, lift estimates, heatmap scales.
    "measure": "#495057",
    # A figure withheld to protect members' anonymity (portal).
    "hidden": "#6c757d",
    # Members' points, month by month (the points page): what came in, and where it went.
    "points_earned": "#0ca678",
    "points_spent": "#1864ab",
    "points_converted": "#ae3ec9",
    "points_expired": "#e8590c",
}

LOYALTY_COLORS = {
    NATIONAL: COLORS["national_brand"],
    SWINGER: COLORS["swinger"],
    STORE: COLORS["store_brand"],
}
MOVE_COLORS = {**LOYALTY_COLORS, NEW: COLORS["new_buyers"], LAPSED: COLORS["stopped_buying"]}
TIER_COLORS = {LOW: COLORS["usage_low"], MEDIUM: COLORS["usage_medium"], HIGH: COLORS["usage_high"]}
# Brand types ("national", "store") as the portal's sales groups name them.
BRAND_COLORS = {NATIONAL: COLORS["national_brand"], STORE: COLORS["store_brand"]}
STORE_COST_COLOR = COLORS["store_cost"]
MANUFACTURER_COLOR = COLORS["manufacturer_share"]
MEASURE_COLOR = COLORS["measure"]
# Heatmaps of counts: from (almost) white to the measure colour.
MEASURE_SCALE = [[0.0, "#f8f9fa"], [1.0, COLORS["measure"]]]
# Chart furniture, not data: grid lines, axes, a reference line at zero.
CHROME = {"grid": "#e9ecef", "axis": "#dee2e6", "reference": "#9aa1a8"}

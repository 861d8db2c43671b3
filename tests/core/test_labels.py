"""The shared labels are the enums' own words, and every app uses them."""

from __future__ import annotations

from apps.core import labels
from apps.segments.models import Loyalty, UsageTier


def test_loyalty_labels_are_the_enums_words():
    assert labels.LOYALTY_LABELS == {
        "national": "National-brand loyal",
        "swinger": "Swinger",
        "store": "Store-brand loyal",
    }
    assert dict(Loyalty.choices) == labels.LOYALTY_LABELS
    assert set(labels.LOYALTY_ORDER) == set(Loyalty.values)
    assert set(labels.LOYALTY_COLORS) == set(Loyalty.values)


def test_tier_labels_are_the_enums_words():
    assert labels.TIER_LABELS == {1: "Low", 2: "Medium", 3: "High"} == dict(UsageTier.choices)
    assert labels.TIER_ORDER == (1, 2, 3)
    assert set(labels.TIER_COLORS) == set(UsageTier.values)
    assert [labels.usage_label(t) for t in labels.TIER_ORDER] == [
        "Low usage",
        "Medium usage",
        "High usage",
    ]


def test_every_app_says_the_same_words():
    from apps.portal import report
    from apps.reports import selectors as report_selectors
    from apps.segments import selectors as segment_selectors

    assert segment_selectors.LOYALTY_LABELS is labels.LOYALTY_LABELS
    assert segment_selectors.USAGE_TIER_NAMES == {1: "low", 2: "medium", 3: "high"}
    assert report_selectors.cell_label("store-3") == "Store-brand loyal · high"
    assert report_selectors.cell_label("lapsed") == "Stopped buying"
    assert {k: v for k, v in report.LOYALTY_LABELS.items() if k in labels.LOYALTY_ORDER} == (
        labels.LOYALTY_LABELS
    )
    assert report.TIER_LABELS == {
        1: "Low usage",
        2: "Medium usage",
        3: "High usage",
        0: "No usage tier",
    }

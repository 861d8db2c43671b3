"""Reads of the category association rules: the latest window's, for the page and audiences."""

from __future__ import annotations

import datetime as dt

from django.db.models import Max, Q, QuerySet

from apps.segments.models import CategoryAffinity


def affinity_rules_latest_end() -> dt.date | None:
    """Return the window end of the latest rules, or None before the first computation.

    Only the latest window is shown and targeted: an older window's rules describe habits
    the chain may have lost, and mixing windows would count a pair twice.
    """
    return CategoryAffinity.objects.aggregate(end=Max("window_end"))["end"]


def affinity_rules(*, category_id: int | None = None) -> QuerySet[CategoryAffinity]:
    """Return the latest window's rules, strongest lift first; with `category_id`, only the
    rules that have it on either side (what goes with it, and what it goes with)."""
    end = affinity_rules_latest_end()
    rules = CategoryAffinity.objects.filter(window_end=end).select_related(
        "antecedent", "consequent"
    )
    if category_id is not None:
        rules = rules.filter(Q(antecedent_id=category_id) | Q(consequent_id=category_id))
    return rules.order_by("-lift", "antecedent__name", "consequent__name")


def affinity_window() -> dict | None:
    """Return the latest rules' window_start, window_end and baskets counted, or None."""
    end = affinity_rules_latest_end()
    if end is None:
        return None
    return (
        CategoryAffinity.objects.filter(window_end=end)
        .values("window_start", "window_end", "baskets")
        .first()
    )

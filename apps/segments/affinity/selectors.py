"""Reads of the category association rules: the latest window's, for the page and audiences."""

from __future__ import annotations

import datetime as dt

from django.db.models import Max, Q, QuerySet

from apps.segments.models import CategoryAffinity

# The rules worth acting on: the affinity audiences of campaigns (apps.campaigns.selectors)
# and the page's default view. Lift >= 2: the antecedent's baskets hold the consequent twice
# as often as baskets at large. Big baskets hold many categories, so most pairs show some
# lift: on the demo the median rule (of those on 30+ baskets) has 1.38, and 1.2 let half of
# all members into a category's affinity audience; 2 keeps the quarter of rules that stand
# out (pet foods → pet toys at 2.6–3.1). On >= 50 baskets with both: a lift seen on a
# handful is noise (frozen waffles → pet toys, 3.7 on 38; canned tomatoes → cakes, 78 on 23).
TARGET_MIN_LIFT = 2.0
TARGET_MIN_BASKETS = 50


def affinity_rules_latest_end() -> dt.date | None:
    """Return the window end of the latest rules, or None before the first computation.

    Only the latest window is shown and targeted: an older window's rules describe habits
    the chain may have lost, and mixing windows would count a pair twice.
    """
    return CategoryAffinity.objects.aggregate(end=Max("window_end"))["end"]


def affinity_rules(
    *, category_id: int | None = None, min_baskets: int = 1
) -> QuerySet[CategoryAffinity]:
    """Return the latest window's rules on at least `min_baskets` baskets with both, strongest
    lift first; with `category_id`, only the rules that have it on either side (what goes
    with it, and what it goes with)."""
    end = affinity_rules_latest_end()
    rules = CategoryAffinity.objects.filter(
        window_end=end, baskets_with_both__gte=min_baskets
    ).select_related("antecedent", "consequent")
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

"""Category association rules: which categories are bought together (market-basket analysis).

The beer-and-diapers question, asked of every pair of categories at once. For a window of
baskets and two categories A (antecedent) and B (consequent):

* support(A→B) = baskets with both / all baskets: how common the pair is;
* confidence(A→B) = baskets with both / baskets with A: of A's baskets, the share that
  also hold B;
* lift(A→B) = confidence / (baskets with B / all baskets): how many times likelier B is in
  a basket with A than in any basket; 1 means no link, above 1 bought together.

Cross-sell and trial campaigns use the rules into their category to find members who buy
the antecedents but not the category yet (apps.campaigns.selectors, the "affinity" audience).

One set-based statement computes every pair: the distinct (basket, category) pairs of the
window, a self-join on the basket for pairs A < B (each basket's pair counted once), and the
per-category basket counts; both directions of each pair are written from the one count.
A whole-window scan of the lines, the same as a snapshot of every category, once a night.
"""

from apps.segments.affinity.selectors import (
    TARGET_MIN_BASKETS,
    TARGET_MIN_LIFT,
    affinity_rules,
    affinity_rules_latest_end,
    affinity_window,
)
from apps.segments.affinity.services import (
    DEFAULT_MIN_BASKETS,
    DEFAULT_WEEKS,
    category_affinity_compute,
)

__all__ = [
    "DEFAULT_MIN_BASKETS",
    "DEFAULT_WEEKS",
    "TARGET_MIN_BASKETS",
    "TARGET_MIN_LIFT",
    "affinity_rules",
    "affinity_rules_latest_end",
    "affinity_window",
    "category_affinity_compute",
]

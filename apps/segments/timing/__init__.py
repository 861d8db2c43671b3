"""Purchase timing: the probability that a member buys a category in a period.

features.py computes the features in SQL, fit.py fits a logistic regression on past periods
and measures it on a held-out one, fill.py writes BuyProbability rows set-based.
"""

from apps.segments.timing.features import FEATURES, HORIZON_DAYS
from apps.segments.timing.fill import PRIOR, PRIOR_INTERCEPT, buy_probabilities_ensure

__all__ = [
    "FEATURES",
    "HORIZON_DAYS",
    "PRIOR",
    "PRIOR_INTERCEPT",
    "buy_probabilities_ensure",
]

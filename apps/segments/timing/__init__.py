"""Purchase timing: the probability that a member buys a category in a period.

features.py computes the features in SQL, training.py labels past periods, fit.py fits a
logistic regression on them and measures it on a held-out period, fill.py writes
BuyProbability rows set-based, jobs.py runs a fit under a job record.
"""

from apps.segments.timing.features import FEATURES, HORIZON_DAYS
from apps.segments.timing.fill import PRIOR, PRIOR_INTERCEPT, buy_probabilities_ensure
from apps.segments.timing.fit import TimingFitRefused, purchase_timing_fit

__all__ = [
    "FEATURES",
    "HORIZON_DAYS",
    "PRIOR",
    "PRIOR_INTERCEPT",
    "TimingFitRefused",
    "buy_probabilities_ensure",
    "purchase_timing_fit",
]

"""The offer redemption model's feedback loop: label what was given, fit, measure.

Allocation (campaigns) scores candidate offers with the newest `OfferModel`; this package,
in the reports room because it reads the tills' redemptions, labels the given offers of
ended periods (`offer_outcomes_refresh`) and fits the model on them (`offer_model_fit`).
"""

from apps.reports.offers.fit import MIN_POSITIVES, MIN_ROWS, OfferFit, offer_model_fit
from apps.reports.offers.outcomes import offer_outcomes_refresh

__all__ = ["MIN_POSITIVES", "MIN_ROWS", "OfferFit", "offer_model_fit", "offer_outcomes_refresh"]

"""Fit the purchase-timing model (scikit-learn's logistic regression) and measure it.

Trained on the pairs of five past as-of days (as_of − 14·k, k = 2..6) and measured on the
most recent one whose period is over, as_of − 14, which the fit does not see: held-out AUC
of the model beside the binary "due" rule's and purchase frequency alone, and calibration
by decile (does a predicted 30 % mean 30 % bought?). Features are standardised for the fit
(so that the regularisation treats them alike) and the coefficients are stored back in the
features' own units, the ones the filling SQL computes.
"""

from __future__ import annotations

import datetime as dt

import numpy as np
from django.db import transaction
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import roc_auc_score

from apps.segments.models import PurchaseTimingFit
from apps.segments.selectors import basket_days
from apps.segments.timing.features import FEATURES, HORIZON_DAYS
from apps.segments.timing.training import sample_modulus, training_rows

TRAIN_PERIODS = range(2, 7)  # as_of − 14·k: five fortnights before the held-out one
DECILES = 10


class TimingFitRefused(ValueError):
    """The fit cannot be made on this history; nothing was written."""


def _auc(y: np.ndarray, score: np.ndarray) -> float | None:
    """ROC AUC, or None when the rows hold only one class (AUC is undefined then)."""
    if y.size == 0 or y.min() == y.max():
        return None
    return float(roc_auc_score(y, score))


def calibration_by_decile(y: np.ndarray, predicted: np.ndarray) -> list[dict]:
    """Split rows into deciles of predicted probability: predicted mean, actual rate, n."""
    order = np.argsort(predicted, kind="stable")
    out = []
    for decile, idx in enumerate(np.array_split(order, DECILES), start=1):
        if idx.size:
            out.append(
                {
                    "decile": decile,
                    "predicted": float(predicted[idx].mean()),
                    "actual": float(y[idx].mean()),
                    "n": int(idx.size),
                }
            )
    return out


def _check_history(*, first_day: dt.date, as_of: dt.date) -> None:
    """Refuse an as-of day whose labels are not observed yet or that has no history."""
    first, last = basket_days()
    if last is None:
        raise TimingFitRefused("There are no baskets yet: there is no history to fit.")
    if as_of > last + dt.timedelta(days=1):
        raise TimingFitRefused(
            f"as-of {as_of} is after the last basket day ({last}): the held-out period would "
            f"look like nobody bought. Use {last + dt.timedelta(days=1)} or earlier."
        )
    if first_day <= first:
        raise TimingFitRefused(
            f"Baskets start on {first}: the earliest training day {first_day} has no history "
            "before it. Choose a later as-of day."
        )


def purchase_timing_fit(
    *, as_of: dt.date, horizon_days: int = HORIZON_DAYS, job_id: int | None = None
) -> PurchaseTimingFit:
    """Fit P(buys the category in [D, D + horizon)) on past periods and store the fit."""
    train_days = [as_of - dt.timedelta(days=horizon_days * k) for k in TRAIN_PERIODS]
    test_day = as_of - dt.timedelta(days=horizon_days)
    _check_history(first_day=min(train_days), as_of=as_of)
    rows = training_rows(
        days=[*train_days, test_day], horizon=horizon_days, modulus=sample_modulus()
    )
    test = rows.as_of == test_day
    x_train, y_train = rows.x[~test], rows.y[~test]
    if y_train.size == 0 or y_train.min() == y_train.max():
        raise TimingFitRefused(
            "The training periods need both buyers and non-buyers of a category; "
            f"{y_train.size} rows do not."
        )
    means = x_train.mean(axis=0)
    scales = x_train.std(axis=0)
    scales[scales == 0] = 1.0
    model = LogisticRegression(max_iter=1000).fit((x_train - means) / scales, y_train)
    coef = model.coef_[0] / scales  # back to the features' own units
    intercept = float(model.intercept_[0] - (coef * means).sum())

    y_test = rows.y[test]
    predicted = model.predict_proba((rows.x[test] - means) / scales)[:, 1]
    with transaction.atomic():
        return PurchaseTimingFit.objects.create(
            as_of=as_of,
            horizon_days=horizon_days,
            intercept=intercept,
            coefficients=dict(zip(FEATURES, map(float, coef), strict=True)),
            feature_means=dict(zip(FEATURES, map(float, means), strict=True)),
            feature_scales=dict(zip(FEATURES, map(float, scales), strict=True)),
            train_rows=int(y_train.size),
            train_days=[day.isoformat() for day in train_days],
            test_day=test_day,
            test_rows=int(y_test.size),
            test_positive_rate=float(y_test.mean()) if y_test.size else None,
            auc=_auc(y_test, predicted),
            auc_rule=_auc(y_test, rows.rule_due[test]),
            auc_frequency=_auc(y_test, rows.n[test]),
            calibration=calibration_by_decile(y_test, predicted) if y_test.size else [],
            job_id=job_id,
        )

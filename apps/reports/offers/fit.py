"""Fit the offer redemption model (scikit-learn's logistic regression) and measure it.

Trained on the given offers of ended periods, labelled by `offer_outcomes_refresh`, with
the features exactly as allocation's scoring SQL uses them (booleans as 0/1, the usage tier
centred as tier − 2), so the stored coefficients score without any transformation.
Measured before it is stored: trained on the older periods and tested on the newest
labelled one (the model scores periods it has not seen, as in use); with only one period,
or when the newest has fewer than MIN_TEST_ROWS offers, on a stratified random quarter
(fixed seed). The stored model is then refitted on every labelled row. Below MIN_ROWS rows
or MIN_POSITIVES redemptions nothing is stored and allocation keeps the model it has (the
documented prior until a first fit).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import numpy as np
from django.db import connection, transaction
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import roc_auc_score
from sklearn.model_selection import train_test_split

from apps.campaigns.allocation import PERIOD_DAYS
from apps.campaigns.allocation.rules import FEATURES
from apps.campaigns.models import OfferModel
from apps.segments.timing.fit import calibration_by_decile

MIN_ROWS = 200  # labelled given offers
MIN_POSITIVES = 20  # of which redeemed (and as many not redeemed)
MIN_TEST_ROWS = 50  # offers of the newest period, to hold it out whole
TEST_SHARE = 0.25
SEED = 18
# Mild L2 regularisation: keeps a feature that never varies in the history (all members
# in one tier, say) at zero instead of an arbitrary value.
C = 1.0

ROWS_SQL = """
SELECT a.period_start,
       a.bought_target::int, a.discovery::int, a.buy_probability, a.usage_tier - 2,
       a.past_rate, a.depth,
       a.redeemed::int
FROM campaigns_allocation a
WHERE a.outcome = 'given' AND a.redeemed IS NOT NULL AND a.period_start <= %(last_ended_start)s
"""


@dataclass(frozen=True)
class OfferFit:
    """What a fit did: the stored model, or why the prior (or the last fit) is kept."""

    model: OfferModel | None
    rows: int
    positives: int
    note: str

    def as_result(self) -> dict:
        """The job result's entries (JSON)."""
        return {
            "offer_model": self.model.pk if self.model else None,
            "offer_model_rows": self.rows,
            "offer_model_redeemed": self.positives,
            "offer_model_auc": self.model.held_out_auc if self.model else None,
            "offer_model_note": self.note,
        }


def _labelled_rows(today: dt.date) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Periods, features (in FEATURES order) and labels of the labelled given offers."""
    with connection.cursor() as cursor:
        cursor.execute(ROWS_SQL, {"last_ended_start": today - dt.timedelta(days=PERIOD_DAYS)})
        rows = cursor.fetchall()
    if not rows:
        return np.array([], dtype="datetime64[D]"), np.empty((0, len(FEATURES))), np.array([])
    periods = np.array([r[0] for r in rows], dtype="datetime64[D]")
    x = np.array([r[1 : 1 + len(FEATURES)] for r in rows], dtype=float)
    y = np.array([r[-1] for r in rows], dtype=int)
    return periods, x, y


def _fit(x: np.ndarray, y: np.ndarray) -> LogisticRegression:
    return LogisticRegression(C=C, max_iter=1000).fit(x, y)


def _both(y: np.ndarray) -> bool:
    return y.size > 0 and y.min() != y.max()


def _held_out(periods: np.ndarray, y: np.ndarray) -> tuple[np.ndarray, np.ndarray, str]:
    """Indices of the training and test rows, and in words which were held out.

    The newest period is held out when it holds MIN_TEST_ROWS offers and both it and the
    older periods hold redeemed and unredeemed ones; otherwise a stratified random quarter
    of all rows (a new programme's first periods, or a newest period of a few late offers).
    """
    newest = periods.max()
    test = periods == newest
    if test.sum() >= MIN_TEST_ROWS and _both(y[test]) and _both(y[~test]):
        return np.flatnonzero(~test), np.flatnonzero(test), f"the newest period, {newest}"
    index = np.arange(y.size)
    train, held = train_test_split(index, test_size=TEST_SHARE, stratify=y, random_state=SEED)
    return np.sort(train), np.sort(held), "a random quarter of them"


def _auc(y: np.ndarray, score: np.ndarray) -> float | None:
    if not _both(y):
        return None
    return float(roc_auc_score(y, score))


def offer_model_fit(*, today: dt.date) -> OfferFit:
    """Fit the redemption model on the labelled given offers and store it, if enough.

    Call `offer_outcomes_refresh(today=today)` first: this reads its labels.
    """
    periods, x, y = _labelled_rows(today)
    rows, positives = int(y.size), int(y.sum())
    if rows < MIN_ROWS or positives < MIN_POSITIVES or rows - positives < MIN_POSITIVES:
        kept = "the last fitted model" if OfferModel.objects.exists() else "the prior"
        return OfferFit(
            model=None,
            rows=rows,
            positives=positives,
            note=(
                f"Kept {kept}: {rows:,} labelled offers of which {positives:,} redeemed; a fit "
                f"needs {MIN_ROWS:,} offers with {MIN_POSITIVES} redeemed and "
                f"{MIN_POSITIVES} not."
            ),
        )
    train, test, held = _held_out(periods, y)
    predicted = _fit(x[train], y[train]).predict_proba(x[test])[:, 1]
    final = _fit(x, y)
    with transaction.atomic():
        model = OfferModel.objects.create(
            intercept=float(final.intercept_[0]),
            coefficients=dict(zip(FEATURES, map(float, final.coef_[0]), strict=True)),
            training_rows=rows,
            redeemed_rows=positives,
            held_out_auc=_auc(y[test], predicted),
            calibration=calibration_by_decile(y[test], predicted),
            periods=sorted({str(p) for p in periods}),
        )
    return OfferFit(
        model=model,
        rows=rows,
        positives=positives,
        note=f"Fitted on {rows:,} offers ({positives:,} redeemed); measured on "
        f"{test.size:,} held-out offers ({held}).",
    )

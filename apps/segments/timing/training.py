"""Labelled training rows for the purchase-timing model, built set-based in SQL.

Rows are the FEATURES_CTE pairs of several as-of days D, each labelled by whether the member
bought the category in [D, D + horizon). The caller picks days whose periods ended before
the fit's as-of day, so every label is fully observed.
"""

from __future__ import annotations

import datetime as dt
import math
from typing import NamedTuple

import numpy as np
from django.db import connection

from apps.segments.timing.features import FEATURES, FEATURES_CTE, features_params

# Training reads every fifth, tenth… member when there are many: 30,000 members' pairs over
# six as-of days are enough for five coefficients, and fetching every pair of 100,000
# members into NumPy would cost more memory than the fit is worth.
TRAIN_MEMBERS = 30_000

TRAINING_ROWS = f"""
WITH {FEATURES_CTE},
labels AS (
    SELECT DISTINCT a.d, x.member_id, x.category_id
    FROM asof a
    JOIN purchase_days x ON x.day >= a.d AND x.day < a.d + %(horizon)s
)
SELECT f.as_of, f.n, f.rule_due, {", ".join(f"f.{name}" for name in FEATURES)},
       (lb.member_id IS NOT NULL) AS bought
FROM features f
LEFT JOIN labels lb
  ON lb.d = f.as_of AND lb.member_id = f.member_id AND lb.category_id = f.category_id
WHERE f.member_id %% %(modulus)s = 0
"""


class TrainingRows(NamedTuple):
    as_of: np.ndarray  # dates (object)
    n: np.ndarray  # purchase days in the history (frequency alone)
    rule_due: np.ndarray  # the binary rule, 0/1
    x: np.ndarray  # features, columns in FEATURES order
    y: np.ndarray  # bought in the period, 0/1


def sample_modulus() -> int:
    """Return k such that members with id % k == 0 are about TRAIN_MEMBERS of them."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM members_member")
        (members,) = cursor.fetchone()
    return max(1, math.ceil(members / TRAIN_MEMBERS))


def training_rows(*, days: list[dt.date], horizon: int, modulus: int = 1) -> TrainingRows:
    """Return the labelled pairs of every as-of day in `days` (members with id % modulus == 0)."""
    params = features_params(days=days, lo=0, hi=2**62, horizon=horizon, label=True)
    params["modulus"] = modulus
    with connection.cursor() as cursor:
        cursor.execute(TRAINING_ROWS, params)
        rows = cursor.fetchall()
    width = len(FEATURES)
    if not rows:
        empty = np.empty(0)
        return TrainingRows(empty, empty, empty, np.empty((0, width)), empty)
    as_of, n, rule, *rest = zip(*rows, strict=True)
    return TrainingRows(
        as_of=np.array(as_of, dtype=object),
        n=np.array(n, dtype=float),
        rule_due=np.array(rule, dtype=float),
        x=np.column_stack([np.array(col, dtype=float) for col in rest[:width]]),
        y=np.array(rest[width], dtype=float),
    )

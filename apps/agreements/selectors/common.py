"""What every settlement read shares: a period as bound parameters, SQL rows as dicts."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.db import connection

from apps.core.clock import local_midnight

ZERO = Decimal("0.00")


def _period_params(agreement_id: int, start: dt.date, end: dt.date) -> dict:
    return {
        "agreement_id": agreement_id,
        "start_at": local_midnight(start),
        "end_at": local_midnight(end + dt.timedelta(days=1)),  # exclusive
    }


def _rows(sql: str, params: dict) -> list[dict]:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        names = [c.name for c in cursor.description]
        return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]

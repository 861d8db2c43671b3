"""A staging table is analyzed from a small sample, and only it: the statistics target of
everything analyzed after it in the same transaction is the one set before."""

from __future__ import annotations

import pytest
from django.db import connection, transaction

from apps.baskets.importing.staging import STAGE_STATISTICS_TARGET, analyze_stage

pytestmark = pytest.mark.django_db


def test_the_stage_is_sampled_small_and_the_target_restored():
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SET default_statistics_target = 57")
        cursor.execute("CREATE TEMP TABLE stage_probe (v int) ON COMMIT DROP")
        cursor.execute("INSERT INTO stage_probe SELECT g % 1000 FROM generate_series(1, 50000) g")
        analyze_stage(cursor, "stage_probe")
        cursor.execute("SHOW default_statistics_target")
        assert cursor.fetchone()[0] == "57"
        # The histogram of a target of n has at most n + 1 bounds; 1000 distinct values
        # sampled at 57 would give 58.
        cursor.execute(
            "SELECT cardinality(histogram_bounds::text::int[]) FROM pg_stats "
            "WHERE tablename = 'stage_probe' AND attname = 'v'"
        )
        assert cursor.fetchone()[0] == STAGE_STATISTICS_TARGET + 1
        cursor.execute("RESET default_statistics_target")

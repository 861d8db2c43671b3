"""The PostgreSQL counter cache behind the lookup limits (apps/desk/counters.py)."""

from __future__ import annotations

from types import SimpleNamespace

import pytest
from django.core.cache import caches
from django.db import connection

pytestmark = pytest.mark.django_db


@pytest.fixture
def counters(monkeypatch):
    """The "ratelimit" cache, with a clock the test moves."""
    clock = {"t": 1_800_000_000.0}
    fake_time = SimpleNamespace(time=lambda: clock["t"])
    # The module-level name `time` of the two modules, not the time module itself.
    monkeypatch.setattr("apps.desk.counters.time", fake_time)
    monkeypatch.setattr("django.core.cache.backends.base.time", fake_time)
    cache = caches["ratelimit"]
    cache.clock = clock
    return cache


def rows() -> list[tuple]:
    with connection.cursor() as cursor:
        cursor.execute("SELECT cache_key, value FROM ratelimit_counter ORDER BY cache_key")
        return cursor.fetchall()


def test_add_sets_only_a_missing_counter_and_incr_counts_on(counters):
    assert counters.add("a", 1, 60) is True
    assert counters.add("a", 1, 60) is False
    assert counters.incr("a") == 2
    assert counters.incr("a", 5) == 7
    assert counters.get("a") == 7
    assert rows() == [(":1:a", 7)]


def test_an_expired_counter_is_gone_and_taken_over_by_add(counters):
    counters.add("a", 1, 60)
    counters.incr("a")
    counters.clock["t"] += 60
    assert counters.get("a") is None
    with pytest.raises(ValueError):
        counters.incr("a")
    assert counters.add("a", 1, 60) is True
    assert counters.get("a") == 1


def test_a_new_counter_clears_the_expired_ones(counters):
    counters.add("old", 1, 60)
    counters.add("live", 1, 600)
    counters.clock["t"] += 61
    counters.add("new", 1, 60)
    assert rows() == [(":1:live", 1), (":1:new", 1)]


def test_only_integers_are_stored(counters):
    for value in ("1", 1.5, True, None):
        with pytest.raises(TypeError):
            counters.add("a", value, 60)
    assert rows() == []


def test_set_touch_delete_and_clear(counters):
    counters.set("a", 3, 10)
    counters.set("a", 4, 10)
    assert counters.get("a") == 4
    assert counters.touch("a", 100) is True
    counters.clock["t"] += 50
    assert counters.get("a") == 4
    assert counters.delete("a") is True and counters.delete("a") is False
    counters.set("b", 1, None)  # never expires
    counters.clock["t"] += 10**9
    assert counters.get("b") == 1
    counters.clear()
    assert rows() == []

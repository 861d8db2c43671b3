"""Shared personas: a marketing user, a cashier, two manufacturers' users and an admin."""

from __future__ import annotations

import pytest

from apps.accounts.models import Role
from tests.browser import report_missing_browser
from tests.catalogs import compile_stale_catalogs
from tests.factories import ManufacturerFactory, UserFactory
from tests.flush import flush_past_triggers


def pytest_terminal_summary(terminalreporter):
    report_missing_browser(terminalreporter)


@pytest.fixture(autouse=True, scope="session")
def _compiled_catalogs():
    """Compile a message catalog whose .mo is missing or older than its .po (git-ignored; the
    Makefile makes them too), so that `pytest` run by hand on a fresh clone has them."""
    compile_stale_catalogs()


@pytest.fixture(autouse=True, scope="session")
def _flush_past_triggers():
    """The audit trail and the ledger refuse TRUNCATE: a transactional test's flush gets past."""
    with flush_past_triggers():
        yield


@pytest.fixture(autouse=True)
def _keep_migration_data(request, django_db_blocker):
    """Give back what data migrations wrote (list content, beat schedules) after tests that
    commit: a transactional test ends by emptying every table (this teardown runs after
    that), and the tests after it would otherwise run without those rows."""
    yield
    if {"transactional_db", "live_server"} & set(request.fixturenames):
        from tests.migration_data import restore_migration_data

        with django_db_blocker.unblock():
            restore_migration_data()


@pytest.fixture(autouse=True)
def fast_password_hashing(settings):
    """Hash test passwords with MD5: the real hasher costs ~0.2 s per persona."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def manufacturer_a(db):
    return ManufacturerFactory(code="ACME", name="Acme Foods")


@pytest.fixture
def manufacturer_b(db):
    return ManufacturerFactory(code="BOLT", name="Bolt Brands")


@pytest.fixture
def marketing_user(db):
    return UserFactory(username="vp", role=Role.MARKETING)


@pytest.fixture
def cashier_user(db):
    return UserFactory(username="cashier", role=Role.CASHIER)


@pytest.fixture
def manufacturer_a_user(manufacturer_a):
    return UserFactory(username="acme", role=Role.MANUFACTURER, manufacturer=manufacturer_a)


@pytest.fixture
def manufacturer_b_user(manufacturer_b):
    return UserFactory(username="bolt", role=Role.MANUFACTURER, manufacturer=manufacturer_b)


@pytest.fixture
def privacy_user(db):
    return UserFactory(username="dpo", role=Role.PRIVACY)


@pytest.fixture
def admin_user_(db):
    return UserFactory(username="admin", role=Role.ADMIN, is_staff=True, is_superuser=True)


@pytest.fixture
def personas(
    marketing_user,
    cashier_user,
    manufacturer_a_user,
    manufacturer_b_user,
    privacy_user,
    admin_user_,
) -> dict:
    """Every role by name, plus None for an anonymous visitor."""
    return {
        "anonymous": None,
        "cashier": cashier_user,
        "marketing": marketing_user,
        "manufacturer_a": manufacturer_a_user,
        "manufacturer_b": manufacturer_b_user,
        "privacy": privacy_user,
        "admin": admin_user_,
    }


@pytest.fixture
def live_worker(transactional_db, tmp_path):
    """Start a real Celery worker process on a queue of its own (see tests/live_worker.py)."""
    from tests.live_worker import LiveWorker

    worker = LiveWorker(tmp_path / "worker.log").start()
    yield worker
    worker.stop()

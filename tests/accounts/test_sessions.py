"""The session store reads what Django's database store reads (apps/accounts/sessions.py).

The oracle is Django's own `db.SessionStore` on the same rows: a live session's data, and
nothing (with the key forgotten) for an expired or unknown key.
"""

from __future__ import annotations

import datetime as dt

import pytest
from django.conf import settings
from django.contrib.sessions.backends import db
from django.contrib.sessions.models import Session
from django.utils import timezone

from apps.accounts.sessions import SessionStore

pytestmark = pytest.mark.django_db


def test_the_site_uses_this_store():
    assert settings.SESSION_ENGINE == "apps.accounts.sessions"


def _saved(data: dict) -> str:
    store = SessionStore()
    store.update(data)
    store.save()
    return store.session_key


def test_a_live_session_reads_as_djangos_store_reads_it():
    key = _saved({"_auth_user_id": "7", "basket": [1, 2], "when": "2026-12-07"})
    ours, django = SessionStore(key), db.SessionStore(key)
    assert (
        ours.load()
        == django.load()
        == {
            "_auth_user_id": "7",
            "basket": [1, 2],
            "when": "2026-12-07",
        }
    )
    assert ours.session_key == key


@pytest.mark.parametrize("case", ["expired", "unknown"])
def test_no_session_past_its_expiry_or_for_an_unknown_key(case):
    key = _saved({"_auth_user_id": "7"})
    if case == "expired":
        Session.objects.filter(pk=key).update(expire_date=timezone.now() - dt.timedelta(seconds=1))
    else:
        key = "x" * 32
    ours, django = SessionStore(key), db.SessionStore(key)
    assert ours.load() == django.load() == {}
    assert ours.session_key is None and django.session_key is None

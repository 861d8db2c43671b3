"""The model backend reads each request's user as Django's own does (apps/accounts/backends.py).

The oracle is Django's `ModelBackend.get_user` on the same rows: an active user (by the id
as the session keeps it, text), no one for an inactive or unknown id.
"""

from __future__ import annotations

import pytest
from django.conf import settings
from django.contrib.auth import backends as django_backends

from apps.accounts.backends import ModelBackend
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def _fields(user) -> dict | None:
    if user is None:
        return None
    return {f.attname: getattr(user, f.attname) for f in user._meta.concrete_fields}


def test_the_site_signs_in_with_this_backend():
    assert "apps.accounts.backends.ModelBackend" in settings.AUTHENTICATION_BACKENDS
    assert "django.contrib.auth.backends.ModelBackend" not in settings.AUTHENTICATION_BACKENDS


@pytest.mark.parametrize("who", ["active", "inactive", "unknown"])
def test_get_user_answers_as_djangos_backend(who):
    user = UserFactory(is_active=who != "inactive", first_name="Ann")
    user_id = str(user.pk if who != "unknown" else user.pk + 1000)
    ours = ModelBackend().get_user(user_id)
    django = django_backends.ModelBackend().get_user(user_id)
    assert _fields(ours) == _fields(django)
    assert (ours is None) == (who != "active")
    if who == "active":
        assert ours.pk == user.pk and ours.first_name == "Ann" and not ours._state.adding


def test_a_signed_in_request_gets_its_user(client):
    user = UserFactory()
    client.force_login(user)
    assert client.session["_auth_user_backend"] == "apps.accounts.backends.ModelBackend"
    assert client.get("/").wsgi_request.user.pk == user.pk

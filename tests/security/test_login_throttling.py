"""Failed-sign-in throttling (django-axes): lock by user name, refuse even the right password."""

from __future__ import annotations

import datetime as dt

import pytest
from axes.models import AccessAttempt
from django.test import Client
from django.urls import reverse

from apps.audit.models import AuditEvent, AuditKind

PASSWORD = "correct-horse-battery"  # tests.factories.UserFactory's
LOCKED = 429


@pytest.fixture(autouse=True)
def _limits(settings):
    settings.AXES_FAILURE_LIMIT = 3
    settings.AXES_COOLOFF_TIME = dt.timedelta(minutes=15)


def sign_in(client: Client, username: str, password: str, url: str | None = None):
    return client.post(url or reverse("login"), {"username": username, "password": password})


def signed_in(client: Client) -> bool:
    return "_auth_user_id" in client.session


def test_wrong_passwords_lock_the_user_name_until_the_cool_off(marketing_user, cashier_user):
    client = Client()
    for _ in range(2):
        assert sign_in(client, "vp", "wrong").status_code == 200  # the form, with its error
    third = sign_in(client, "vp", "wrong")
    assert third.status_code == LOCKED
    assert b"Too many failed sign-ins" in third.content

    # Locked: the right password is refused too, from any client.
    for other in (client, Client(REMOTE_ADDR="10.9.9.9")):
        response = sign_in(other, "vp", PASSWORD)
        assert response.status_code == LOCKED
        assert not signed_in(other)

    # Another user is not affected, even from the same client.
    other_user = Client()
    assert sign_in(other_user, "cashier", PASSWORD).status_code == 302
    assert signed_in(other_user)

    # Once the cool-off has passed since the attempts, the right password works again.
    AccessAttempt.objects.filter(username="vp").update(
        attempt_time=dt.datetime.now(dt.UTC) - dt.timedelta(minutes=16)
    )
    fresh = Client()
    assert sign_in(fresh, "vp", PASSWORD).status_code == 302
    assert signed_in(fresh)

    refused = AuditEvent.objects.filter(kind=AuditKind.LOGIN_FAILED, actor_name="vp")
    # 3 wrong passwords, then the 2 right ones refused by the lock.
    assert [e.detail["locked_out"] for e in refused.order_by("id")][-2:] == [True, True]
    assert refused.count() == 5


def test_still_locked_just_before_the_cool_off_ends(marketing_user):
    client = Client()
    for _ in range(3):
        sign_in(client, "vp", "wrong")
    AccessAttempt.objects.filter(username="vp").update(
        attempt_time=dt.datetime.now(dt.UTC) - dt.timedelta(minutes=14)
    )
    assert sign_in(client, "vp", PASSWORD).status_code == LOCKED


def test_a_success_clears_earlier_failures(marketing_user):
    client = Client()
    for _ in range(2):
        sign_in(client, "vp", "wrong")
    assert sign_in(client, "vp", PASSWORD).status_code == 302
    client.post(reverse("logout"))
    for _ in range(2):
        assert sign_in(client, "vp", "wrong").status_code == 200  # 2 of 3 again, not 4


def test_the_admin_sign_in_shares_the_lock(admin_user_):
    admin_login = reverse("admin:login")
    client = Client()
    for _ in range(3):
        sign_in(client, "admin", "wrong", admin_login)
    assert sign_in(client, "admin", PASSWORD, admin_login).status_code == LOCKED
    assert sign_in(Client(), "admin", PASSWORD).status_code == LOCKED

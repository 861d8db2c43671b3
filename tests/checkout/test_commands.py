"""create_till_token prints a secret that authenticates; the admin action revokes it."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from apps.checkout.admin import TillTokenAdmin
from apps.checkout.models import TillToken, hash_token
from apps.checkout.selectors import till_token_for_header
from tests.factories import StoreFactory


def test_create_till_token_prints_a_working_secret(db):
    StoreFactory(code="S07")
    out = StringIO()
    call_command("create_till_token", "--store", "S07", "--name", "Lane 3", stdout=out)
    secret = out.getvalue().strip()
    token = TillToken.objects.get()
    assert (token.store.code, token.name) == ("S07", "Lane 3")
    assert token.token_hash == hash_token(secret) and secret not in token.token_hash
    assert till_token_for_header(authorization=f"Bearer {secret}") == token


def test_create_till_token_unknown_store(db):
    with pytest.raises(CommandError, match="No store"):
        call_command("create_till_token", "--store", "NOPE", "--name", "Lane 3")


def test_admin_revoke_action(db, rf, admin_user_):
    from django.contrib.admin.sites import site
    from django.contrib.messages.storage.fallback import FallbackStorage

    from apps.checkout.services import till_token_create

    token, secret = till_token_create(store=StoreFactory(code="S08"), name="Lane 1")
    request = rf.post("/")
    request.user = admin_user_
    request.session = {}
    request._messages = FallbackStorage(request)
    TillTokenAdmin(TillToken, site).revoke(request, TillToken.objects.all())
    token.refresh_from_db()
    assert token.revoked_at is not None
    assert till_token_for_header(authorization=f"Bearer {secret}") is None


def test_admin_add_shows_the_secret_once_and_stores_its_hash(db, client, admin_user_):
    store = StoreFactory(code="S09")
    client.force_login(admin_user_)
    response = client.post(
        "/admin/checkout/tilltoken/add/", {"store": store.pk, "name": "Lane 2"}, follow=True
    )
    assert response.status_code == 200
    token = TillToken.objects.get(name="Lane 2")
    [note] = [str(m) for m in response.context["messages"] if "copy it now" in str(m)]
    secret = note.rsplit(" ", 1)[1]
    assert token.token_hash == hash_token(secret)
    assert till_token_for_header(authorization=f"Bearer {secret}") == token

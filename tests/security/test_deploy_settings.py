"""Production settings: `check --deploy` is clean, and responses carry the hardening headers."""

from __future__ import annotations

import os
import secrets
import subprocess
import sys

import pytest
from django.conf import settings
from django.urls import reverse

# What the test run sets for itself (tests/env_defaults.py) and what production leaves unset.
_NOT_IN_PRODUCTION = (
    "DEBUG", "SECRET_KEY", "ALLOWED_HOSTS", "SECURE_SSL_REDIRECT", "SECURE_COOKIES",
    "SECURE_HSTS_SECONDS", "SECURE_HSTS_INCLUDE_SUBDOMAINS", "SECURE_HSTS_PRELOAD",
    "SECURE_PROXY_SSL_HEADER", "STATIC_MANIFEST", "LOGIN_LOCKOUT_ALSO_BY_IP",
    "DJANGO_ALLOW_ASYNC_UNSAFE",  # set by the browser tests for their own thread
)  # fmt: skip


def deploy_check(**extra: str) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if k not in _NOT_IN_PRODUCTION}
    env |= {
        "SECRET_KEY": secrets.token_urlsafe(64),
        "ALLOWED_HOSTS": "crm.example.com",
        "DATABASE_URL": os.environ.get("DATABASE_URL", "postgres://127.0.0.1/crm"),
        "LOCAL_ENV_FILE": "",  # a production host has no development local.env
        **extra,
    }
    return subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=settings.BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


@pytest.mark.slow
def test_check_deploy_is_clean_with_production_defaults():
    done = deploy_check()
    output = done.stdout + done.stderr
    assert done.returncode == 0, output
    assert "System check identified no issues" in output
    assert "WARNING" not in output


@pytest.mark.slow
def test_check_deploy_fails_when_https_is_turned_off():
    done = deploy_check(SECURE_SSL_REDIRECT="0", SECURE_COOKIES="0")
    output = done.stdout + done.stderr
    assert done.returncode != 0
    for code in ("security.W008", "security.W012", "security.W016"):
        assert code in output


@pytest.mark.slow
def test_opting_out_of_hsts_preload_is_not_a_warning():
    done = deploy_check(SECURE_HSTS_PRELOAD="0", SECURE_HSTS_INCLUDE_SUBDOMAINS="0")
    assert done.returncode == 0, done.stdout + done.stderr


def test_responses_carry_the_security_headers(client):
    response = client.get(reverse("login"), secure=True)
    assert response.status_code == 200
    assert response["Strict-Transport-Security"] == "max-age=31536000; includeSubDomains; preload"
    assert response["X-Frame-Options"] == "DENY"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "same-origin"
    assert response["Cross-Origin-Opener-Policy"] == "same-origin"
    policy = dict(
        (part.strip().split(" ", 1) + [""])[:2]
        for part in response["Content-Security-Policy"].split(";")
    )
    assert policy["script-src"] == "'self'"
    assert policy["default-src"] == "'self'"
    assert policy["object-src"] == "'none'"
    assert policy["frame-ancestors"] == "'none'"
    assert policy["form-action"] == "'self'"


def test_cookies_are_secure_httponly_and_same_site(client, marketing_user):
    page = client.get(reverse("login"), secure=True)
    csrf = page.cookies["csrftoken"]
    assert (csrf["secure"], csrf["httponly"], csrf["samesite"]) == (True, True, "Lax")
    response = client.post(
        reverse("login"),
        {"username": "vp", "password": "correct-horse-battery"},
        secure=True,
        headers={"Referer": "https://testserver/accounts/login/"},
    )
    assert response.status_code == 302
    session = response.cookies["sessionid"]
    assert (session["secure"], session["httponly"], session["samesite"]) == (True, True, "Lax")
    assert session["max-age"] == 12 * 3600


def test_plain_http_is_redirected_to_https(client, settings):
    settings.SECURE_SSL_REDIRECT = True
    response = client.get(reverse("login"))
    assert response.status_code == 301
    assert response["Location"] == "https://testserver/accounts/login/"


def test_no_debug_pages(client, marketing_user):
    assert settings.DEBUG is False
    client.force_login(marketing_user)
    response = client.get("/no-such-page/")
    assert response.status_code == 404
    assert b"Page not found" in response.content
    assert b"URLconf" not in response.content  # Django's debug 404 lists the URL patterns

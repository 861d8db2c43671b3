"""The CSP header (apps/core/csp.py): django-csp's policy, built once per process."""

from __future__ import annotations

import pytest
from csp.utils import build_policy
from django.http import HttpResponse
from django.test import RequestFactory
from django.urls import reverse

import apps.core.csp
from apps.core.csp import CSPMiddleware

pytestmark = pytest.mark.django_db


@pytest.fixture
def builds(monkeypatch) -> list[bool]:
    """The report_only flag of every policy apps.core.csp builds, from a fresh start."""
    calls: list[bool] = []

    def counted(*args, **kwargs):
        calls.append(kwargs.get("report_only", False))
        return build_policy(*args, **kwargs)

    monkeypatch.setattr(apps.core.csp, "build_policy", counted)
    monkeypatch.setattr(apps.core.csp, "_built", {})
    return calls


def test_the_header_is_django_csps_policy_built_once(client, cashier_user, builds):
    client.force_login(cashier_user)
    headers = [client.get(reverse("members:lookup"))["Content-Security-Policy"] for _ in range(3)]

    assert headers == [build_policy()] * 3
    assert "script-src 'self'" in headers[0] and "object-src 'none'" in headers[0]
    assert builds == [False, True]  # the policy and the (empty) report-only one, once
    assert "Content-Security-Policy-Report-Only" not in client.get(reverse("login"))


def test_a_changed_setting_changes_the_header(client, settings, builds):
    assert "frame-ancestors 'none'" in client.get(reverse("login"))["Content-Security-Policy"]
    settings.CONTENT_SECURITY_POLICY = {"DIRECTIVES": {"default-src": ["'none'"]}}
    settings.CONTENT_SECURITY_POLICY_REPORT_ONLY = {"DIRECTIVES": {"img-src": ["'self'"]}}

    response = client.get(reverse("login"))
    assert response["Content-Security-Policy"] == "default-src 'none'"
    report_only = response["Content-Security-Policy-Report-Only"]
    assert report_only == build_policy(report_only=True)
    assert sorted(report_only.split("; ")) == ["default-src 'self'", "img-src 'self'"]


def test_an_answer_with_its_own_policy_gets_it():
    response = HttpResponse()
    response._csp_update = {"img-src": ["https://example.com"]}
    response._csp_config_ro = {"script-src": ["'self'"]}
    answered = CSPMiddleware(lambda request: response)(RequestFactory().get("/"))

    assert answered["Content-Security-Policy"] == build_policy(update=response._csp_update)
    assert "img-src 'self' data: blob: https://example.com" in answered["Content-Security-Policy"]
    assert answered["Content-Security-Policy-Report-Only"] == "script-src 'self'"
    # The next plain answer has the settings' policy again.
    plain = CSPMiddleware(lambda request: HttpResponse())(RequestFactory().get("/"))
    assert plain["Content-Security-Policy"] == build_policy()


def test_an_exempt_answer_has_no_header():
    response = HttpResponse()
    response._csp_exempt = True
    answered = CSPMiddleware(lambda request: response)(RequestFactory().get("/"))
    assert "Content-Security-Policy" not in answered

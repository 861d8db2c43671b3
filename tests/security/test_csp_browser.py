"""The Content-Security-Policy in a real Chromium: pages and plotly charts draw, no violations.

Each page is loaded signed in; the browser reports any blocked script, style or image as a
`securitypolicyviolation` event (collected by an init script, which the CSP does not cover
because the browser injects it) and as a console error.
"""

from __future__ import annotations

import datetime as dt
from contextlib import contextmanager
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from apps.accounts.models import Role
from apps.jobs.models import Job
from tests.factories import BasketFactory, MemberFactory, UserFactory

pytestmark = [pytest.mark.e2e, pytest.mark.slow]

CHROMIUM = "/usr/bin/chromium"
COLLECT = """
window.__csp = [];
document.addEventListener('securitypolicyviolation', function (e) {
  window.__csp.push(e.effectiveDirective + ' blocked ' + (e.blockedURI || 'inline') +
                    ' (' + (e.sourceFile || '') + ':' + e.lineNumber + ')');
});
"""


@contextmanager
def chromium():
    """Launch Debian's Chromium; only after the test's database work (Playwright's sync API
    runs an event loop in this thread, and Django refuses ORM calls inside one)."""
    sync_api = pytest.importorskip("playwright.sync_api")
    with sync_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM,
            args=["--no-sandbox", "--disable-gpu", "--disable-background-networking"],
        )
        try:
            yield browser
        finally:
            browser.close()


@pytest.fixture
def sample(transactional_db) -> dict:
    """A marketing login, a member with three baskets (a weekly-spend chart), a job."""
    UserFactory(username="vp", role=Role.MARKETING)
    member = MemberFactory(card_number="400000000017", first_name="Ada")
    now = timezone.now()
    for weeks_ago, total in ((1, "42.10"), (3, "18.75"), (9, "63.00")):
        BasketFactory(
            member=member,
            purchased_at=now - dt.timedelta(weeks=weeks_ago),
            total_amount=Decimal(total),
        )
    job = Job.objects.create(kind="segments_refresh")
    return {
        "chart": reverse("members:detail", kwargs={"card_number": member.card_number}),
        "styled": reverse("jobs:detail", kwargs={"pk": job.pk}),  # style="…" attributes
    }


def visit(base_url: str, paths: list[str]) -> dict[str, dict]:
    """Sign in as marketing, load each path; return its CSP reports and chart count."""
    with chromium() as browser:
        return _visit(browser.new_page(), base_url, paths)


def _visit(page, base_url: str, paths: list[str]) -> dict[str, dict]:
    page.add_init_script(COLLECT)
    console: list[str] = []
    page.on(
        "console",
        lambda message: (
            console.append(message.text) if "Content Security Policy" in message.text else None
        ),
    )
    page.goto(base_url + reverse("login"))
    page.fill("input[name=username]", "vp")
    page.fill("input[name=password]", "correct-horse-battery")
    page.click("button[type=submit]")
    page.wait_for_load_state("networkidle")
    results = {}
    for path in paths:
        console.clear()
        response = page.goto(base_url + path)
        page.wait_for_load_state("networkidle")
        page.wait_for_timeout(500)  # plotly draws after the deferred scripts ran
        results[path] = {
            "status": response.status,
            "csp_header": response.headers.get("content-security-policy", ""),
            "violations": page.evaluate("window.__csp"),
            "console": list(console),
            "charts": page.locator(".js-plotly-plot .main-svg").count(),
        }
    return results


def test_pages_and_charts_render_under_the_csp(live_server, sample):
    paths = [
        sample["chart"],  # plotly.js and plotly-figures.js
        sample["styled"],  # job-progress.js
        reverse("members:list"),
        reverse("members:lookup"),  # lookup.js
        reverse("campaigns:list"),
        reverse("login"),
    ]
    results = visit(live_server.url, paths)
    assert results[sample["chart"]]["charts"] >= 1, "the plotly chart did not draw"
    for path, result in results.items():
        assert result["status"] == 200, path
        # Directives in any order (django-csp does not keep one): parse, then compare.
        directives = dict(
            part.strip().split(" ", 1) for part in result["csp_header"].split(";") if part.strip()
        )
        assert directives["script-src"] == "'self'", path
        assert "unsafe-eval" not in result["csp_header"]
        assert result["violations"] == [], (path, result["violations"])
        assert result["console"] == [], (path, result["console"])


# Why styles need 'unsafe-inline': take it away from one kind of inline style at a time.
@pytest.mark.parametrize(
    ("page", "allowed", "blocked"),
    [
        # plotly.js injects a <style> element with its rules (modebar, hover labels).
        ("chart", {"style-src-attr": ["'unsafe-inline'"]}, "style-src-elem blocked inline"),
        # Templates set progress-bar widths with style="…" attributes.
        ("styled", {"style-src-elem": ["'self'", "'unsafe-inline'"]}, "style-src-attr blocked"),
    ],
)
def test_styles_need_unsafe_inline(live_server, sample, settings, page, allowed, blocked):
    directives = settings.CONTENT_SECURITY_POLICY["DIRECTIVES"]
    settings.CONTENT_SECURITY_POLICY = {
        "DIRECTIVES": {**directives, "style-src": ["'self'"], **allowed}
    }
    path = sample[page]
    result = visit(live_server.url, [path])[path]
    assert any(v.startswith(blocked) for v in result["violations"]), result["violations"]

"""The Content-Security-Policy in a real Chromium: pages and plotly charts draw, no violations.

Each page is loaded signed in; the browser reports any blocked script, style or image as a
`securitypolicyviolation` event (collected by an init script, which the CSP does not cover
because the browser injects it) and as a console error.
"""

from __future__ import annotations

import datetime as dt
from contextlib import contextmanager, suppress
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from apps.accounts.models import Role
from apps.jobs.models import Job
from tests.clock import freeze_django_clock
from tests.factories import BasketFactory, MemberFactory, UserFactory

pytestmark = [pytest.mark.e2e, pytest.mark.slow]

CHROMIUM = "/usr/bin/chromium"
# The day the pages are served on (a fixed one: the member's weekly-spend chart is relative
# to today), and how long a page may take to draw its charts or report a violation.
TODAY = dt.date(2026, 3, 11)
DRAW_TIMEOUT_MS = 15_000
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
def sample(transactional_db, monkeypatch) -> dict:
    """A marketing login, a member with three baskets (a weekly-spend chart), a job; the
    site's clock on TODAY."""
    freeze_django_clock(monkeypatch, timezone.make_aware(dt.datetime.combine(TODAY, dt.time(10))))
    UserFactory(username="vp", role=Role.MARKETING)
    member = MemberFactory(card_number="400000000017", first_name="Ada")
    for day, total in (("2026-03-04", "42.10"), ("2026-02-18", "18.75"), ("2026-01-07", "63.00")):
        BasketFactory(
            member=member,
            purchased_at=timezone.make_aware(dt.datetime.fromisoformat(f"{day}T12:00")),
            total_amount=Decimal(total),
        )
    job = Job.objects.create(kind="segments_refresh")
    return {
        "chart": reverse("members:detail", kwargs={"card_number": member.card_number}),
        "styled": reverse("jobs:detail", kwargs={"pk": job.pk}),  # style="…" attributes
    }


# Every chart container drawn (plotly draws after the deferred scripts ran).
CHARTS_DRAWN = """() => Array.from(document.querySelectorAll('[data-plotly-figure]'))
    .every(el => el.querySelector('.main-svg'))"""
# A violation starting with the given text was reported.
VIOLATION_SEEN = "prefix => window.__csp.some(v => v.startsWith(prefix))"


def visit(base_url: str, paths: list[str], *, violation: str | None = None) -> dict[str, dict]:
    """Sign in as marketing, load each path; return its CSP reports and chart counts.

    `violation`: wait (bounded) until a violation starting with it is reported as well.
    """
    with chromium() as browser:
        return _visit(browser.new_page(), base_url, paths, violation=violation)


def _settle(page, violation: str | None) -> None:
    """Wait until the page's charts are drawn (and the expected violation reported), at most
    DRAW_TIMEOUT_MS each; on time-out go on: the caller's assertions say what is missing."""
    from playwright.sync_api import TimeoutError as PlaywrightTimeout

    waits = [(CHARTS_DRAWN, None)] + ([(VIOLATION_SEEN, violation)] if violation else [])
    for condition, arg in waits:
        with suppress(PlaywrightTimeout):
            page.wait_for_function(condition, arg=arg, timeout=DRAW_TIMEOUT_MS)
    # Let events already queued (a violation is reported in a task of its own) run.
    page.evaluate("() => new Promise(resolve => setTimeout(resolve, 0))")


def _visit(page, base_url: str, paths: list[str], *, violation: str | None) -> dict[str, dict]:
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
    page.click("main button[type=submit]")  # the navbar has its own buttons
    page.wait_for_load_state("networkidle")
    results = {}
    for path in paths:
        console.clear()
        response = page.goto(base_url + path)
        page.wait_for_load_state("networkidle")
        _settle(page, violation)
        results[path] = {
            "status": response.status,
            "csp_header": response.headers.get("content-security-policy", ""),
            "violations": page.evaluate("window.__csp"),
            "console": list(console),
            "containers": page.locator("[data-plotly-figure]").count(),
            "drawn": page.evaluate(
                "() => document.querySelectorAll('[data-plotly-figure]:has(.main-svg)').length"
            ),
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
        assert result["drawn"] == result["containers"], (path, "a chart did not draw")
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
    result = visit(live_server.url, [path], violation=blocked)[path]
    assert any(v.startswith(blocked) for v in result["violations"]), result["violations"]


def test_a_chart_speaks_chinese_to_a_chinese_speaking_user(live_server, sample):
    """Plotly's own texts come from the scripts' catalog (static/js/plotly-figures.js): the
    mode bar's buttons and the months on a date axis; the catalog loads under the CSP."""
    UserFactory(username="li", role=Role.MARKETING, language="zh-hans")
    with chromium() as browser:
        page = browser.new_page()
        page.add_init_script(COLLECT)
        page.goto(live_server.url + reverse("login"))
        page.fill("input[name=username]", "li")
        page.fill("input[name=password]", "correct-horse-battery")
        page.click("main button[type=submit]")
        page.wait_for_load_state("networkidle")
        page.goto(live_server.url + sample["chart"])
        page.wait_for_load_state("networkidle")
        _settle(page, None)
        titles = page.eval_on_selector_all(
            ".modebar-btn", "els => els.map(el => el.getAttribute('data-title'))"
        )
        ticks = page.eval_on_selector_all(".xtick text", "els => els.map(el => el.textContent)")
        violations = page.evaluate("window.__csp")
    assert "下载图表（PNG）" in titles and "平移" in titles, titles
    english = {"Download plot as a PNG", "Share chart...", "Zoom", "Pan", "Reset axes"}
    assert not english & set(titles), titles
    assert ticks and all("月" in tick for tick in ticks), ticks
    assert not any(month in " ".join(ticks) for month in ("Jan", "Feb", "Mar")), ticks
    assert violations == [], violations

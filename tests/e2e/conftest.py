"""Browser tests: Playwright driving Debian's Chromium against a live server.

Playwright's own browser download does not work on our machines, so the tests launch the
system's `chromium` (`apt-get install chromium`; `.ci/run` installs it). Without it they
skip, saying so at the end of the run, or fail in CI (tests/browser.py). Screenshots of
every page visited go to tests/e2e/screenshots/ (ignored by git): look at them.
"""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest

from tests.browser import chromium_path

SCREENSHOTS = Path(__file__).resolve().parent / "screenshots"
# Flags for a root user on a machine without a display or outside network.
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run"]  # fmt: skip


def pytest_collection_modifyitems(items):
    here = str(Path(__file__).resolve().parent)
    for item in items:
        if str(item.fspath).startswith(here):
            item.add_marker(pytest.mark.e2e)
            item.add_marker(pytest.mark.slow)


# Per module, not per session: Playwright's sync API keeps an event loop running in this
# thread while it is started, and a later test starting Playwright of its own (the CSP test
# in tests/security) would find that loop and refuse.
@pytest.fixture(scope="module")
def browser():
    executable = chromium_path()
    # Playwright's sync API runs an event loop in this thread; the ORM calls the tests make
    # between browser steps are plain synchronous code, not async.
    # Taken back afterwards: subprocesses of later tests (`check --deploy`) would see it.
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    from playwright.sync_api import sync_playwright

    playwright = sync_playwright().start()
    chromium = playwright.chromium.launch(executable_path=executable, args=CHROMIUM_ARGS)
    yield chromium
    chromium.close()
    playwright.stop()
    os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)


class Session:
    """A signed-in browser tab of one user, which screenshots every page it shows."""

    def __init__(self, page, base_url: str, name: str):
        self.page = page
        self.base_url = base_url
        self.name = name
        self.console_errors: list[str] = []
        page.on("console", self._console)

    def _console(self, msg) -> None:
        """Keep the console's errors (CSP violations show there), with where they came from.

        Pages link their icon, so not even the browser's own /favicon.ico request may fail."""
        url = (msg.location or {}).get("url", "")
        if msg.type == "error":
            self.console_errors.append(f"{msg.text} ({url})" if url else msg.text)

    def goto(self, path: str):
        response = self.page.goto(self.base_url + path)
        self.page.wait_for_load_state("networkidle")
        return response

    def shot(self, label: str) -> Path:
        SCREENSHOTS.mkdir(exist_ok=True)
        path = SCREENSHOTS / f"{self.name}-{re.sub(r'[^a-z0-9]+', '-', label.lower())}.png"
        self.page.screenshot(path=str(path), full_page=True)
        return path


@pytest.fixture
def sign_in(browser, live_server, transactional_db):
    """Return a function that opens a new tab signed in as the given user.

    Its tabs close before the test's database is emptied (it depends on transactional_db):
    a page left open would go on polling the live server, whose answers would recreate
    rows (content types) in the emptied database, under new ids.
    """
    contexts = []

    def _sign_in(username: str, password: str, *, name: str | None = None) -> Session:
        context = browser.new_context(viewport={"width": 1366, "height": 860})
        contexts.append(context)
        page = context.new_page()
        session = Session(page, live_server.url, name or username)
        session.goto("/accounts/login/")
        page.fill("input[name=username]", username)
        page.fill("input[name=password]", password)
        page.click("main button[type=submit]")  # the navbar has its own buttons
        page.wait_for_load_state("networkidle")
        assert "/accounts/login/" not in page.url, f"{username} could not sign in"
        return session

    yield _sign_in
    for context in contexts:
        context.close()

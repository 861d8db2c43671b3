"""Debian's Chromium for the browser tests, or a loud word on why they did not run.

Playwright's own browser download does not work on our machines, so the tests launch the
system's `chromium`. Without it a developer's run skips them, and the summary says so in a
section of its own; CI (`CI` or `CRM_REQUIRE_BROWSER` set, as `.ci/run` does) fails them.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

BROWSER_MISSING = "Chromium is not installed, so the browser tests did not run"
HOW_TO_GET_IT = "install Debian's chromium (`apt-get install chromium`; `.ci/run` does it)"


def chromium_path() -> str:
    """Return the Chromium executable; skip (or, in CI, fail) the test without one."""
    path = shutil.which("chromium") or "/usr/bin/chromium"
    if Path(path).exists():
        return path
    message = f"{BROWSER_MISSING}: {HOW_TO_GET_IT}"
    if os.environ.get("CI") or os.environ.get("CRM_REQUIRE_BROWSER"):
        pytest.fail(message, pytrace=False)
    pytest.skip(message)


def report_missing_browser(terminalreporter) -> None:
    """Print a section at the end of the run when browser tests were skipped for want of one."""
    skipped = [
        report
        for report in terminalreporter.stats.get("skipped", [])
        if BROWSER_MISSING in str(report.longrepr)
    ]
    if not skipped:
        return
    terminalreporter.section("browser tests did not run", sep="!", red=True, bold=True)
    terminalreporter.line(
        f"{len(skipped)} browser test(s) skipped: {BROWSER_MISSING}. To run them, {HOW_TO_GET_IT}.",
        red=True,
        bold=True,
    )

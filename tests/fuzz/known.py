"""Bugs the fuzzers found in code this suite does not fix (see tests/fuzz/test_*_regressions.py).

Each has a strict-xfail test. Until it is fixed the fuzzers steer around it, so that they go on
finding other things instead of the same one; when its xfail test flips, delete its entry here.
"""

from __future__ import annotations

import re

# An offset of 16 hours or more: PostgreSQL refuses it (test_pos_regressions.py).
_FAR_OFFSET = re.compile(r"[+-](1[6-9]|2[0-3]):?[0-5][0-9]$")


def known_pos_failure(body: object) -> str | None:
    """Return which known bug a POS request body would hit, or None."""
    if not isinstance(body, dict):
        return None
    for field in ("purchased_at", "returned_at"):
        value = body.get(field)
        if isinstance(value, str) and _FAR_OFFSET.search(value):
            return "offset beyond ±15:59"
    return None


def known_form_failure(name: str, data: dict[str, list]) -> str | None:
    """Return which known bug a form submission would hit, or None."""
    if name == "members:lookup" and any("\x00" in v for v in data.get("q", [])):
        return "members:lookup sends a NUL to PostgreSQL"
    if name == "reports:refresh":
        back = (data.get("next") or [""])[-1]
        if back and "/" not in back and "." not in back:
            return "reports:refresh redirects to a `next` without / or . as to a URL name"
    return None

"""Access-matrix rows of the points pages: the staff adjustment (POST, from the member page)."""

from __future__ import annotations

from tests.access_rules import MARKETING, NOT_ALLOWED, page

EXPECTED = {
    "rewards:rules": page(*MARKETING),
    "rewards:adjust": page(*MARKETING, ok=NOT_ALLOWED),  # POST only
}

SAMPLE_KWARGS = {"rewards:adjust": lambda o: {"card_number": o["member"].card_number}}

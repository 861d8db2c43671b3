"""Access-matrix rows of the privacy officer's pages."""

from __future__ import annotations

from tests.access_rules import PRIVACY, page

EXPECTED = {
    "privacy:home": page(*PRIVACY),
}

"""Access-matrix rows of the privacy officer's pages."""

from __future__ import annotations

from tests.access_rules import PRIVACY, page

EXPECTED = {
    "privacy:home": page(*PRIVACY),
    "privacy:member_search": page(*PRIVACY),
    "privacy:member": page(*PRIVACY),
    "privacy:export_json": page(*PRIVACY),
    "privacy:export_html": page(*PRIVACY),
}

SAMPLE_KWARGS = {
    "privacy:member": lambda o: {"card_number": o["member"].card_number},
    "privacy:export_json": lambda o: {"card_number": o["member"].card_number},
    "privacy:export_html": lambda o: {"card_number": o["member"].card_number},
}

"""Access-matrix rows of the campaign pages that tests/test_access_matrix.py does not list:
the confirm step of Approve, Activate and End (a GET page for marketing; its button POSTs
to the transition's own URL)."""

from __future__ import annotations

from tests.access_rules import MARKETING, page

EXPECTED = {
    "campaigns:approve_confirm": page(*MARKETING),
    "campaigns:activate_confirm": page(*MARKETING),
    "campaigns:end_confirm": page(*MARKETING),
    # The members behind one count of a campaign's allocation.
    "campaigns:members": page(*MARKETING),
}

SAMPLE_KWARGS = {
    f"campaigns:{action}_confirm": lambda o: {"pk": o["campaign"].pk}
    for action in ("approve", "activate", "end")
} | {"campaigns:members": lambda o: {"pk": o["campaign"].pk, "group": "given"}}

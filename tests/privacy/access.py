"""Access-matrix rows of the privacy officer's pages."""

from __future__ import annotations

from tests.access_rules import PRIVACY, page
from tests.privacy.erasure_samples import batch_pk, erasure_pk

EXPECTED = {
    "privacy:home": page(*PRIVACY),
    "privacy:member_search": page(*PRIVACY),
    "privacy:member": page(*PRIVACY),
    "privacy:export_json": page(*PRIVACY),
    "privacy:export_html": page(*PRIVACY),
    "privacy:erase": page(*PRIVACY),
    "privacy:erase_done": page(*PRIVACY),
    "privacy:erase_batch": page(*PRIVACY),
    "privacy:erase_batch_preview": page(*PRIVACY),
    "privacy:erase_batch_job": page(*PRIVACY),
    "privacy:erase_batch_progress": page(*PRIVACY),
}

SAMPLE_KWARGS = {
    "privacy:member": lambda o: {"card_number": o["member"].card_number},
    "privacy:export_json": lambda o: {"card_number": o["member"].card_number},
    "privacy:export_html": lambda o: {"card_number": o["member"].card_number},
    "privacy:erase": lambda o: {"card_number": o["member"].card_number},
    "privacy:erase_done": erasure_pk,
    "privacy:erase_batch_preview": batch_pk,
    "privacy:erase_batch_job": batch_pk,
    "privacy:erase_batch_progress": batch_pk,
}

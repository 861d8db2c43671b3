"""A member's complete record (the right of access): what is held, as JSON and as a page.

base (the shape), one module per part of the record (profile, shopping, lists, points,
analytics, trail), registry (the sections, and the rule for what must be in them), record
(reads and formats), services (the audit trail of views and exports).
"""

from apps.rights.access.record import (
    consent_now,
    member_find,
    member_record,
    record_counts,
    record_for_html,
    record_json,
    record_row_counts,
)
from apps.rights.access.registry import SECTIONS, covered_models

__all__ = [
    "SECTIONS",
    "consent_now",
    "covered_models",
    "member_find",
    "member_record",
    "record_counts",
    "record_for_html",
    "record_json",
    "record_row_counts",
]

"""Erasure: a member's personal data removed for good, their anonymous history kept.

- `members.py`: `erase_members`, the set-based erasure of many members in one transaction;
- `scrub.py`: the personal values the members left in other tables (the audit trail's paths
  and lookups, the tills' requests, jobs, import rejects, the admin's log), rewritten;
- `batch.py`: a CSV of card numbers read into a preview, and the job that erases them.
"""

from apps.rights.erasure.members import erase_members

__all__ = ["erase_members"]

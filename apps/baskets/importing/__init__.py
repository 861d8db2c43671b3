"""The POS file import: products, members and baskets CSV files, loaded by COPY.

See docs/import.md for formats, rules, rejects, idempotency and speed.
"""

from __future__ import annotations

from apps.baskets.importing.result import FileResult, ImportResult, RejectedRow
from apps.baskets.importing.runner import pos_import_dir, summary_line

__all__ = ["FileResult", "ImportResult", "RejectedRow", "pos_import_dir", "summary_line"]

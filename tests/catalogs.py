"""The compiled message catalogs the tests read (docs/i18n.md)."""

from __future__ import annotations

import subprocess
from pathlib import Path

from django.conf import settings


def compile_stale_catalogs() -> list[Path]:
    """Run msgfmt for each catalog under LOCALE_PATHS whose .mo is missing or older than its
    .po; return the .mo files written."""
    written = []
    for root in settings.LOCALE_PATHS:
        for po in sorted(Path(root).glob("*/LC_MESSAGES/*.po")):
            mo = po.with_suffix(".mo")
            if mo.exists() and mo.stat().st_mtime >= po.stat().st_mtime:
                continue
            subprocess.run(["msgfmt", "--check-format", "-o", str(mo), str(po)], check=True)
            written.append(mo)
    if written:
        from django.utils.translation import trans_real

        # Catalogs read before this compile (none, normally) are read again.
        trans_real._translations = {}
        trans_real._default = None
    return written

"""Logging filters for the console."""

from __future__ import annotations

import logging


class ClientErrorsOnOneLine(logging.Filter):
    """Log a 4xx answer as one line, without the exception's traceback.

    A 403 or 404 is the product working (a role without access, a mistyped address), and
    Django logs it with the traceback of the PermissionDenied or Http404 behind it, which
    buried the real errors in `make run`'s log.
    """

    def filter(self, record: logging.LogRecord) -> bool:
        status = getattr(record, "status_code", None)
        if status is not None and 400 <= status < 500:
            record.exc_info = None
            record.exc_text = None
        return True

"""Record every download (a response with `Content-Disposition: attachment`)."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponseBase

from apps.audit.models import AuditKind
from apps.audit.services import audit_export_count, audit_record


class CsvRowCounter:
    """Count the records of CSV text fed in chunks: newlines outside quoted fields.

    A doubled quote inside a quoted field toggles twice, so quoting state stays right.
    """

    def __init__(self) -> None:
        self.newlines = 0
        self.in_quotes = False
        self.last = b""

    def feed(self, chunk: bytes | str) -> None:
        if isinstance(chunk, str):
            chunk = chunk.encode()
        if not chunk:
            return
        parts = chunk.split(b'"')
        for i, part in enumerate(parts):
            if not self.in_quotes:
                self.newlines += part.count(b"\n")
            if i < len(parts) - 1:
                self.in_quotes = not self.in_quotes
        self.last = chunk[-1:]

    @property
    def data_rows(self) -> int:
        """Records after the header line."""
        records = self.newlines + (1 if self.last not in (b"", b"\n") else 0)
        return max(records - 1, 0)


def _filename(disposition: str) -> str:
    for part in disposition.split(";"):
        key, _, value = part.strip().partition("=")
        if key.lower() == "filename":
            return value.strip().strip('"')
    return ""


class ExportAuditMiddleware:
    """Write an export event before any byte of a download leaves (fail closed).

    CSV row counts: counted now for a plain response; for a streamed one, as it streams,
    and filled in when the stream ends (or the client goes away: the rows sent so far).
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        response = self.get_response(request)
        disposition = response.get("Content-Disposition", "")
        if not disposition.lower().startswith("attachment"):
            return response
        content_type = response.get("Content-Type", "")
        is_csv = content_type.split(";")[0].strip().lower() == "text/csv"
        detail = {"filename": _filename(disposition), "content_type": content_type}
        user = getattr(request, "user", None)
        if response.streaming:
            event = audit_record(kind=AuditKind.EXPORT, request=request, actor=user, detail=detail)
            if is_csv:
                response.streaming_content = _counted(response.streaming_content, event.pk)
            return response
        row_count = None
        if is_csv:
            counter = CsvRowCounter()
            counter.feed(response.content)
            row_count = counter.data_rows
        audit_record(
            kind=AuditKind.EXPORT, request=request, actor=user, row_count=row_count, detail=detail
        )
        return response


def _counted(chunks, event_id: int):
    counter = CsvRowCounter()
    try:
        for chunk in chunks:
            counter.feed(chunk)
            yield chunk
    finally:
        audit_export_count(event_id=event_id, row_count=counter.data_rows)

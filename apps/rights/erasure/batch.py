"""A batch of erasures: a CSV of card numbers read into a preview, then erased by a job.

The upload is read at once (one column `card_number`, header required) and matched to the
members in one statement; the preview is kept as a job waiting for confirmation, with the
members' ids (never the card numbers: a card that matched nobody may still be someone's,
so only its line number is kept). Confirming claims the job (queued and unconfirmed ->
confirmed, one UPDATE) and queues it; a second confirmation finds it claimed and queues
nothing. The job erases in chunks, one `erase_members` call (one transaction, one audit
event) each, and counts its progress.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field

from django.db import connection, transaction
from django.utils.translation import gettext, gettext_noop

from apps.jobs.models import Job, JobStatus
from apps.jobs.services import job_create, job_fail, job_progress, job_start, job_succeed
from apps.rights.erasure.members import erase_members
from apps.rights.models import ErasureReason

KIND = "erasure_batch"
CHUNK = 2000
MAX_BYTES = 5 * 1024 * 1024
MAX_ROWS = 200_000
LINES_SHOWN = 200
COLUMN = "card_number"
# The job's messages are stored in English, as every job's (the worker has no reader's
# language); pages show them in the reader's (Job.message_shown: apps/rights/job_messages.py).
ERASING = gettext_noop("Erasing")
CONFIRMED = gettext_noop("Confirmed: queued")
ERASED = gettext_noop("%(n)s members erased")

MATCH_SQL = """
SELECT c.card, m.id, m.status = 'erased'
FROM unnest(%s::text[]) c(card)
JOIN members_member m ON m.card_number = c.card
"""


class BatchFileError(ValueError):
    """The file cannot be read as a list of card numbers; the message says why."""


@dataclass
class BatchPreview:
    """What the file names: members to erase, ones erased already, lines matching nobody."""

    rows: int = 0
    member_ids: list[int] = field(default_factory=list)
    already_erased: int = 0
    not_found_lines: list[int] = field(default_factory=list)
    duplicate_lines: list[int] = field(default_factory=list)


def _cards(data: bytes) -> list[tuple[int, str]]:
    """Return (line, card) of each data row; BatchFileError when the file is not readable."""
    if len(data) > MAX_BYTES:
        raise BatchFileError(
            gettext("The file is larger than %(mb)s MB.") % {"mb": MAX_BYTES // (1024 * 1024)}
        )
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise BatchFileError(
            gettext("The file is not UTF-8 text (save it as CSV UTF-8).")
        ) from error
    reader = csv.reader(io.StringIO(text))
    header = next(reader, None)
    names = [name.strip().lower() for name in header or []]
    if COLUMN not in names:
        found = ", ".join(repr(n) for n in names) or gettext("an empty file")
        raise BatchFileError(
            gettext(
                "The first line must be a header naming the column %(column)s (found %(found)s)."
            )
            % {"column": repr(COLUMN), "found": found}
        )
    index = names.index(COLUMN)
    cards = []
    for row in reader:
        if not any(cell.strip() for cell in row):
            continue  # a blank line
        card = row[index].strip() if index < len(row) else ""
        cards.append((reader.line_num, card))
        if len(cards) > MAX_ROWS:
            raise BatchFileError(
                gettext("The file has more than %(n)s rows; split it.") % {"n": f"{MAX_ROWS:,}"}
            )
    if not cards:
        raise BatchFileError(gettext("The file names no card number."))
    return cards


def batch_preview(data: bytes) -> BatchPreview:
    """Read the file and match its cards to members (one statement)."""
    cards = _cards(data)
    preview = BatchPreview(rows=len(cards))
    with connection.cursor() as cursor:
        cursor.execute(MATCH_SQL, [sorted({card for _, card in cards if card})])
        found = {card: (member_id, erased) for card, member_id, erased in cursor.fetchall()}
    seen: set[str] = set()
    for line, card in cards:
        if card in seen:
            preview.duplicate_lines.append(line)
            continue
        seen.add(card)
        if card not in found:
            preview.not_found_lines.append(line)
        elif found[card][1]:
            preview.already_erased += 1
        else:
            preview.member_ids.append(found[card][0])
    return preview


def batch_create(*, preview: BatchPreview, file_name: str, reference: str, user) -> Job:
    """Keep the preview as a job waiting for confirmation (nothing is erased yet)."""
    return job_create(
        kind=KIND,
        started_by=user,
        total=len(preview.member_ids),
        params={
            "file": file_name[:200],
            "reference": reference.strip()[:80],
            "rows": preview.rows,
            "member_ids": sorted(preview.member_ids),
            "already_erased": preview.already_erased,
            "not_found": len(preview.not_found_lines),
            "not_found_lines": preview.not_found_lines[:LINES_SHOWN],
            "duplicates": len(preview.duplicate_lines),
            "confirmed": False,
        },
    )


def batch_confirm(*, job_id: int) -> bool:
    """Claim the waiting batch and queue it once; False when it was confirmed before."""
    with transaction.atomic():
        job = (
            Job.objects.select_for_update()
            .filter(pk=job_id, kind=KIND, status=JobStatus.QUEUED)
            .first()
        )
        if job is None or job.params.get("confirmed"):
            return False
        Job.objects.filter(pk=job_id).update(
            params={**job.params, "confirmed": True}, message=CONFIRMED
        )
        transaction.on_commit(lambda: _enqueue(job_id))
    return True


def _enqueue(job_id: int) -> None:
    from apps.rights.erasure.tasks import erasure_batch_task  # loads Celery: late

    erasure_batch_task.delay(job_id)


def batch_run(*, job_id: int) -> dict:
    """Erase the batch's members in chunks; run again (a redelivery), it erases no one twice."""
    job = Job.objects.select_related("started_by").get(pk=job_id, kind=KIND)
    ids = job.params.get("member_ids", [])
    job_start(job_id=job_id, total=len(ids), message=ERASING)
    erased = 0
    try:
        for start in range(0, len(ids), CHUNK):
            chunk = ids[start : start + CHUNK]
            erased += erase_members(
                chunk,
                reason=ErasureReason.REQUEST,
                actor=job.started_by,
                reference=job.params.get("reference", ""),
            )
            job_progress(job_id=job_id, done=start + len(chunk), message=ERASING)
    except Exception as error:
        job_fail(job_id=job_id, error=error)
        raise
    result = {"erased": erased, "already_erased": len(ids) - erased}
    job_succeed(job_id=job_id, result=result, message=ERASED % {"n": f"{erased:,}"})
    return result

"""Opening balances from a previous programme: a CSV file of (card, points, earned day).

Each good row becomes one `import` lot: key `import:<member id>:<earned_on>` (the id, not
the card: an erasure replaces the card, and the ledger keeps no copy of it), created at the
import's moment, spendable until `ledger.valid_until(earned_on)`. So importing the same
file twice changes nothing, and a lot keeps the life it had left in the old programme.

The file goes through the till import's machinery (`apps.baskets.importing`): the same
reading (UTF-8 with or without a BOM, header names in any case and order, extra columns
ignored, quoted fields), the same staging table filled by COPY after a check of each row
in Python, and the same reporting of rejects by line (`ImportReject` rows under the job,
a reject file next to the upload). This module only adds the checks and the load.

A row is rejected, with its line and why, when:
- a value is missing or malformed: the card; points not a whole number from 1 to
  MAX_POINTS; earned_on not a `YYYY-MM-DD` day, or after today;
- its points are past their last day already (`valid_until(earned_on)` before today):
  they could never be spent, so the ledger would only write them to expire them;
- the card is unknown (cards come with the member import, not with points);
- the same card and day appear on another line of the file: which line is right (or
  whether they should add up) is unknowable, and the key allows one lot, so all of them
  are rejected and a corrected file loads that lot later;
- the lot was imported before with other points: a correction is a staff adjustment
  (member page), never a second opening balance. The same points again are "already
  loaded", not a reject.
Good rows still load.

Set-based, as the backfill (`backfill.py`): the members of the good rows are locked in id
order (their balance rows, as the nightly expiry does), then one INSERT ... SELECT writes
the lots with ON CONFLICT (member_id, key) DO NOTHING, and from what it inserted, in the same
statement, settles what members below zero owe (oldest debt first, from the new lots,
earliest last day first, as the ledger settles a debt from the next points earned) and
adds the points to the balances (rows created if need be).
"""

from __future__ import annotations

import datetime as dt
import re
from functools import partial
from pathlib import Path

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.text import get_valid_filename

from apps.baskets.importing.result import FileResult, ImportResult
from apps.baskets.importing.runner import import_file, summary_line
from apps.baskets.importing.staging import DROP_STAGE_SQL, Checker, Header, quoted, stage_simple
from apps.baskets.importing.values import date as parse_date
from apps.jobs.models import Job
from apps.jobs.services import job_create, job_fail, job_start, job_succeed
from apps.rewards.job_messages import IMPORTING
from apps.rewards.ledger import new_lots_settle_sql, valid_until

KIND = "points_import"  # the job kind (apps/jobs/display.py KINDS)
COLUMNS = ("card_number", "points", "earned_on")
OPTIONAL: tuple[str, ...] = ()
WIDTH = 4  # staged values: card_number, points, earned_on, valid_until
MAX_POINTS = 1_000_000  # as a staff adjustment: more in one lot is a slip of the keyboard
_POINTS_RE = re.compile(r"\d{1,9}", re.ASCII)

STAGE_SQL = """
CREATE TEMP TABLE pos_stage (
    line integer NOT NULL,
    card_number text,
    points integer,
    earned_on date,
    valid_until date,
    reason text,
    raw text,
    member_id bigint,
    key text
) ON COMMIT DROP
"""
COPY_SQL = (
    "COPY pos_stage (line, card_number, points, earned_on, valid_until, reason, raw) FROM STDIN"
)

DUPLICATES_SQL = """
UPDATE pos_stage s
SET reason = 'card_number ' || quote_literal(s.card_number) || ' and earned_on '
             || to_char(s.earned_on, 'YYYY-MM-DD') || ' are on lines ' || d.lines
             || ' (one lot a card and day: none of them loaded)'
FROM (
    SELECT card_number, earned_on, string_agg(line::text, ', ' ORDER BY line) AS lines
    FROM pos_stage
    WHERE reason IS NULL
    GROUP BY card_number, earned_on
    HAVING count(*) > 1
) d
WHERE s.card_number = d.card_number AND s.earned_on = d.earned_on AND s.reason IS NULL
"""
# The key is written by a second statement on the stage alone: Citus refuses a STABLE
# function (to_char) on a column in an UPDATE that joins a table it manages (docs/scale.md).
MEMBERS_SQL = """
UPDATE pos_stage s
SET member_id = m.id
FROM members_member m
WHERE m.card_number = s.card_number AND s.reason IS NULL
"""
KEYS_SQL = """
UPDATE pos_stage SET key = 'import:' || member_id || ':' || to_char(earned_on, 'YYYY-MM-DD')
WHERE member_id IS NOT NULL
"""
UNKNOWN_SQL = """
UPDATE pos_stage SET reason = 'unknown card_number ' || quote_literal(card_number)
WHERE reason IS NULL AND member_id IS NULL
"""
CHANGED_SQL = """
UPDATE pos_stage s
SET reason = 'imported before with ' || e.points || ' points (a correction is a staff '
             || 'adjustment on the member page)'
FROM rewards_pointsentry e
WHERE e.member_id = s.member_id AND e.key = s.key AND s.reason IS NULL AND e.points <> s.points
"""
# Locked by an UPDATE that changes nothing, not SELECT … FOR UPDATE: on Citus a row lock
# over many members' shards is refused, and an UPDATE takes the same row locks on every
# shard at once (apps/rewards/ledger.py's one-member lock still uses FOR UPDATE).
LOCK_SQL = """
WITH locked AS (
    UPDATE rewards_pointsbalance SET points = points
    WHERE member_id IN (SELECT member_id FROM pos_stage WHERE reason IS NULL)
    RETURNING member_id
)
SELECT member_id FROM locked ORDER BY member_id
"""
LOAD_SQL = f"""
WITH inserted AS (
    INSERT INTO rewards_pointsentry
        (member_id, kind, points, key, created_at, valid_until, user_id, reason)
    SELECT member_id, 'import', points, key, %(at)s, valid_until, %(user)s, %(reason)s
    FROM pos_stage
    WHERE reason IS NULL
    ORDER BY member_id, valid_until, line
    ON CONFLICT (member_id, key) DO NOTHING
    RETURNING id, member_id, points, valid_until
){new_lots_settle_sql("inserted")}
SELECT count(*), coalesce(sum(points), 0) FROM inserted
"""


def _points(text: str) -> str:
    value = text.strip()
    if not value:
        raise ValueError("missing points")
    if not _POINTS_RE.fullmatch(value) or not 1 <= int(value) <= MAX_POINTS:
        limits = f"a whole number from 1 to {MAX_POINTS:,}"
        raise ValueError(f"points must be {limits}, got {quoted(value)}")
    return str(int(value))


def _earned_on(text: str, *, today: dt.date) -> tuple[str, str]:
    """Return (earned_on, its lot's last day); raise ValueError if the points cannot load."""
    value = parse_date(text, field="earned_on")
    if value is None:
        raise ValueError("missing earned_on")
    day = dt.date.fromisoformat(value)
    if day > today:
        raise ValueError(f"earned_on {value} is after today")
    last = valid_until(day)
    if last < today:
        raise ValueError(f"points earned on {value} expired after {last.isoformat()}")
    return value, last.isoformat()


def convert(get, *, today: dt.date) -> list[str | None]:
    """Validate a row; return its staged values."""
    check = Checker(get)
    card = check.identifier("card_number", max_length=32)
    points = check.value(_points, "points")
    earned = check.value(partial(_earned_on, today=today), "earned_on")
    check.done()
    return [card, points, *earned]


class Importer:
    """The shape `apps.baskets.importing.runner.import_file` runs: columns and `load`."""

    COLUMNS = COLUMNS
    OPTIONAL = OPTIONAL

    def __init__(self, *, user_id: int | None, reason: str, today: dt.date) -> None:
        self.user_id, self.reason, self.today = user_id, reason, today

    def load(self, *, cursor, path, stream, header: Header, buffer_factory, result: FileResult):
        """Stage the rows, reject what cannot load, then write the lots and balances."""
        cursor.execute(DROP_STAGE_SQL)
        cursor.execute(STAGE_SQL)
        with cursor.copy(COPY_SQL) as copy:
            result.rows_read = stage_simple(
                buffer=buffer_factory(copy),
                stream=stream,
                header=header,
                width=WIDTH,
                convert=partial(convert, today=self.today),
            )
        cursor.execute("ANALYZE pos_stage")
        for sql in (DUPLICATES_SQL, MEMBERS_SQL, KEYS_SQL, UNKNOWN_SQL, CHANGED_SQL, LOCK_SQL):
            cursor.execute(sql)
        cursor.execute(
            LOAD_SQL,
            {
                "at": timezone.now(),
                "user": self.user_id,
                "reason": self.reason,
                "today": self.today,
            },
        )
        result.loaded, points = cursor.fetchone()
        result.points = int(points)  # type: ignore[attr-defined]


def points_import_file(
    *,
    path: Path,
    job_id: int | None = None,
    user_id: int | None = None,
    today: dt.date | None = None,
) -> FileResult:
    """Import the opening balances of one CSV file (under the job, when given).

    `today` (default: the local date) decides which days are in the future and which
    lots are past their last day already.
    """
    path = Path(path)
    if job_id is not None:
        job_start(job_id=job_id, total=1, message=IMPORTING(file=path.name))
    reason = f"opening balance, import #{job_id}" if job_id else f"opening balance, {path.name}"
    importer = Importer(user_id=user_id, reason=reason[:200], today=today or timezone.localdate())
    try:
        result = import_file(path=path, importer=importer, job_id=job_id, progress=False)
    except BaseException as exc:
        if job_id is not None:
            job_fail(job_id=job_id, error=exc)
        raise
    if job_id is not None:
        if result.error:
            job_fail(job_id=job_id, error=summary_line(result))
        else:
            outcome = ImportResult(files=[result]).as_dict()
            outcome["points"] = getattr(result, "points", 0)
            job_succeed(job_id=job_id, result=outcome, message=summary_line(result)[:300])
    return result


@transaction.atomic
def points_import_start(*, upload, started_by) -> Job:
    """Keep the uploaded file under MEDIA_ROOT/points-imports/<job id>/ and queue its import.

    The reject file is written next to it; the name the user gave is kept in the params.
    """
    job = job_create(kind=KIND, params={}, started_by=started_by)
    directory = Path(settings.MEDIA_ROOT) / "points-imports" / str(job.pk)
    directory.mkdir(parents=True, exist_ok=True)
    # The user's own name (made safe), so the job's page and the reject file say it.
    path = directory / (get_valid_filename(Path(upload.name).name) or "opening-balances.csv")
    with path.open("wb") as out:
        for chunk in upload.chunks():
            out.write(chunk)
    job.params = {"file": Path(upload.name).name[:200], "path": str(path)}
    job.save(update_fields=["params"])
    transaction.on_commit(lambda: _enqueue(job.pk))
    return job


def _enqueue(job_id: int) -> None:
    from apps.rewards.tasks import points_import_task  # loads Celery: late

    points_import_task.delay(job_id)

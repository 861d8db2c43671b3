"""pos_import_dir: import products, members and baskets files from a directory."""

from __future__ import annotations

import gzip
import logging
import time
import zlib
from pathlib import Path
from types import ModuleType

from django.db import connection, transaction

from apps.baskets.importing import baskets, members, products
from apps.baskets.importing.result import FileResult, ImportActor, ImportResult
from apps.baskets.importing.staging import (
    DROP_STAGE_SQL,
    CopyBuffer,
    HeaderError,
    count_rejects,
    fill_raw,
    open_csv,
    progress_bar,
    read_header,
    report_rejects,
    report_warnings,
    tune_session,
)
from apps.baskets.job_messages import IMPORTING_FROM
from apps.jobs.models import Job
from apps.jobs.services import job_fail, job_progress, job_start, job_succeed

logger = logging.getLogger(__name__)

# In this order: baskets need the products (and are better with the members) first.
IMPORTERS: tuple[tuple[str, ModuleType], ...] = (
    ("products", products),
    ("members", members),
    ("baskets", baskets),
)


def find_files(*, directory: Path) -> list[tuple[Path, ModuleType]]:
    """Return the files to import, in order: `<name>.csv`, else `<name>.csv.gz`."""
    found = []
    for stem, importer in IMPORTERS:
        for candidate in (directory / f"{stem}.csv", directory / f"{stem}.csv.gz"):
            if candidate.is_file():
                found.append((candidate, importer))
                break
    return found


def pos_import_dir(
    *, directory: Path, job_id: int | None = None, progress: bool = False
) -> ImportResult:
    """Import whichever of products, members and baskets CSV files the directory holds."""
    directory = Path(directory)
    files = find_files(directory=directory)
    result = ImportResult()
    actor = import_actor(job_id=job_id)
    if job_id is not None:
        total = sum(path.stat().st_size for path, _ in files)
        job_start(job_id=job_id, total=total, message=IMPORTING_FROM(directory=directory))
    try:
        done = 0
        for path, importer in files:
            file_result = import_file(
                path=path, importer=importer, job_id=job_id, progress=progress, actor=actor
            )
            result.files.append(file_result)
            done += path.stat().st_size
            if job_id is not None:
                job_progress(job_id=job_id, done=done, message=summary_line(file_result))
    except BaseException as exc:
        if job_id is not None:
            job_fail(job_id=job_id, error=exc)
        raise
    if job_id is not None:
        if result.nothing_read:
            job_fail(job_id=job_id, error=nothing_read_message(directory=directory, result=result))
        else:
            message = "; ".join(summary_line(f) for f in result.files)
            job_succeed(job_id=job_id, result=result.as_dict(), message=message[:300])
    return result


def import_actor(*, job_id: int | None) -> ImportActor | None:
    """Return who started the import's job (an upload), or None (a command, the demo)."""
    if job_id is None:
        return None
    row = Job.objects.filter(pk=job_id, started_by__isnull=False).values_list(
        "started_by_id", "started_by__username"
    )
    found = row.first()
    return ImportActor(user_id=found[0], name=found[1]) if found else None


def import_file(
    *,
    path: Path,
    importer: ModuleType,
    job_id: int | None,
    progress: bool,
    actor: ImportActor | None = None,
) -> FileResult:
    """Import one file in one transaction; a file that cannot be read loads nothing.

    `actor` goes to the importers that record who changed what (RECORDS_ACTOR: members).
    """
    result = FileResult(file_name=path.name)
    started = time.perf_counter()
    bar = progress_bar(path=path, enabled=progress)
    try:
        with (
            transaction.atomic(),
            connection.cursor() as cursor,
            open_csv(path) as (raw, stream),
        ):
            header = read_header(stream, required=importer.COLUMNS, optional=importer.OPTIONAL)
            tune_session(cursor)
            who = {"actor": actor} if getattr(importer, "RECORDS_ACTOR", False) else {}
            importer.load(
                cursor=cursor,
                path=path,
                stream=stream,
                header=header,
                buffer_factory=lambda copy: CopyBuffer(copy=copy, raw=raw, bar=bar),
                result=result,
                **who,
            )
            rejected, missing_raw = count_rejects(cursor=cursor)
            fill_raw(cursor=cursor, path=path, wanted=missing_raw)
            report_rejects(
                cursor=cursor, path=path, result=result, job_id=job_id, rejected=rejected
            )
            if getattr(importer, "WARNINGS", False):
                report_warnings(cursor=cursor, path=path, result=result)
            result.unchanged_or_already_loaded = result.rows_read - result.loaded - result.rejected
            # ON COMMIT DROP does not fire when we run inside a caller's transaction.
            cursor.execute(DROP_STAGE_SQL)
            cursor.execute(baskets.DROP_BASKETS_SQL)
    except HeaderError as exc:
        result = FileResult(file_name=path.name, error=str(exc))
    except (OSError, EOFError, gzip.BadGzipFile, zlib.error) as exc:
        logger.warning("cannot read %s: %s", path, exc)
        result = FileResult(file_name=path.name, error=f"cannot read the file: {exc}")
    finally:
        bar.close()
    result.seconds = time.perf_counter() - started
    return result


def summary_line(result: FileResult) -> str:
    """Return a one-line account of a file's import."""
    if result.error:
        return f"{result.file_name}: not imported: {result.error}"
    return (
        f"{result.file_name}: {result.rows_read:,} rows read, {result.loaded:,} loaded, "
        f"{result.unchanged_or_already_loaded:,} unchanged or already loaded, "
        f"{result.rejected:,} rejected"
        # Warned rows are among the loaded and unchanged ones, not another outcome.
        + (f"; {result.warned:,} accepted with warnings" if result.warned else "")
        + consent_phrase(result)
    )


def consent_phrase(result: FileResult) -> str:
    """Return what a members file did to consents, for the summary line ('' for others)."""
    if result.new_without_list_consent is None:
        return ""
    return (
        f"; {result.new_without_list_consent:,} new member"
        f"{'' if result.new_without_list_consent == 1 else 's'} without list consent, "
        f"{result.consent_changes or 0:,} consent change"
        f"{'' if result.consent_changes == 1 else 's'} recorded"
    )


def nothing_read_message(*, directory: Path, result: ImportResult) -> str:
    """Explain why nothing could be read."""
    if not result.files:
        names = ", ".join(f"{stem}.csv" for stem, _ in IMPORTERS)
        return f"no {names} (or .csv.gz) found in {directory}"
    return "; ".join(summary_line(f) for f in result.files)

"""How a job reads on a page: its outcome, and its parameters and result as labelled rows.

A job stores plain JSON (`params`, `result`); no page prints that JSON. Each kind of job
has a small formatter that names its keys and says how to write their values ("History up
to: 22 Nov 2026"); a key no formatter knows is humanised ("chunk_size" → "Chunk size") and
its value written by its type, so a new key still reads as words, never as a Python repr.

The kinds are named by their strings, not imported: apps upstream of jobs record jobs, and
jobs reaches back into none of them.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.text import capfirst
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _

from apps.core import clock
from apps.jobs.models import Job, JobStatus

IMPORT_KIND = "pos_import"
# The opening-balance import of points (apps/rewards/opening.py): the till import's
# machinery, so its result has the same shape (one file) and its outcome reads the same.
POINTS_IMPORT_KIND = "points_import"
# Each import kind and its page, which lists the rejected rows by line.
IMPORT_PAGES = {IMPORT_KIND: "baskets:import_detail", POINTS_IMPORT_KIND: "rewards:import_detail"}


@dataclass(frozen=True)
class Row:
    """One labelled line of a job's parameters or result; `url` links the value."""

    label: str
    value: str
    url: str | None = None


@dataclass(frozen=True)
class ImportCounts:
    """What an import's result says went wrong or needs a look, added up over its files."""

    files: int = 0
    files_not_read: int = 0
    rows_read: int = 0
    rows_loaded: int = 0
    rows_rejected: int = 0
    rows_warned: int = 0

    @property
    def rows_in(self) -> int:
        """Return the rows read that are in the database now: loaded, unchanged or warned."""
        return self.rows_read - self.rows_rejected

    @property
    def lost_rows(self) -> bool:
        """Return True when rows or whole files did not load: the import has problems."""
        return bool(self.files_not_read or self.rows_rejected)

    def phrases(self) -> list[str]:
        """Return the non-zero counts in words: "1 file not read", "3 rows rejected"."""
        n_files, n_rejected, n_warned = self.files_not_read, self.rows_rejected, self.rows_warned
        found = [
            (n_files, ngettext("%(n)s file not read", "%(n)s files not read", n_files)),
            (n_rejected, ngettext("%(n)s row rejected", "%(n)s rows rejected", n_rejected)),
            (n_warned, ngettext("%(n)s row with warnings", "%(n)s rows with warnings", n_warned)),
        ]
        return [text % {"n": f"{n:,}"} for n, text in found if n]


@dataclass(frozen=True)
class Outcome:
    """What the user is told about a job: a label, a Bootstrap colour, and counts."""

    label: str
    tone: str
    details: list[str] = field(default_factory=list)

    @property
    def badge_class(self) -> str:
        return f"text-bg-{self.tone}"

    @property
    def text(self) -> str:
        """Return the label with its counts: "Finished with problems: 3 rows rejected"."""
        return f"{self.label}: {', '.join(self.details)}" if self.details else self.label


STATUS_TONES = {
    JobStatus.QUEUED: "secondary",
    JobStatus.RUNNING: "primary",
    JobStatus.SUCCEEDED: "success",
    JobStatus.FAILED: "danger",
}


def import_files(result: object) -> list[dict]:
    """Return the per-file dicts of an import result (ImportResult.as_dict()), or none."""
    files = result.get("files") if isinstance(result, dict) else None
    if not isinstance(files, list):
        return []
    return [f for f in files if isinstance(f, dict)]


def _count(value: object) -> int:
    return value if isinstance(value, int) and not isinstance(value, bool) else 0


def import_counts(result: object) -> ImportCounts:
    """Add up an import result's files: read or not, rows read, loaded, rejected, warned."""
    files = import_files(result)
    return ImportCounts(
        files=len(files),
        files_not_read=sum(1 for f in files if f.get("error")),
        rows_read=sum(_count(f.get("rows_read")) for f in files),
        rows_loaded=sum(_count(f.get("loaded")) for f in files),
        rows_rejected=sum(_count(f.get("rejected")) for f in files),
        rows_warned=sum(_count(f.get("warned")) for f in files),
    )


def job_outcome(job: Job) -> Outcome:
    """Return what to tell the user about the job's status.

    An import whose job succeeded (the job ran to its end) but did not load every row or
    file "finished with problems", in a warning colour: never a green "Succeeded" when rows
    were lost. One whose rows all loaded, some with warnings, "finished with warnings".
    """
    status = JobStatus(job.status) if job.status in JobStatus.values else None
    if status is None:
        return Outcome(capfirst(str(job.status)) or gettext("Unknown"), "secondary")
    if status == JobStatus.SUCCEEDED and job.kind in IMPORT_PAGES:
        counts = import_counts(job.result)
        if counts.lost_rows:
            return Outcome(gettext("Finished with problems"), "warning", counts.phrases())
        if counts.rows_warned:
            return Outcome(gettext("Finished with warnings"), "warning", counts.phrases())
    return Outcome(status.label, STATUS_TONES[status])


# --- Values -------------------------------------------------------------------------------


def _parse_date(value: object) -> dt.date | None:
    if isinstance(value, dt.date) and not isinstance(value, dt.datetime):
        return value
    if isinstance(value, str) and len(value) == 10:
        try:
            return dt.date.fromisoformat(value)
        except ValueError:
            return None
    return None


def _parse_datetime(value: object) -> dt.datetime | None:
    if isinstance(value, dt.datetime):
        return value
    if isinstance(value, str) and len(value) > 10 and value[4:5] == "-" and value[10:11] in "T ":
        try:
            return dt.datetime.fromisoformat(value)
        except ValueError:
            return None
    return None


def _decimal(value: object) -> Decimal | None:
    if isinstance(value, bool):
        return None
    try:
        return Decimal(str(value))
    except (InvalidOperation, ValueError):
        return None


def humanise(key: str) -> str:
    """Return a key as a label: "calibration_end" → "Calibration end"."""
    return capfirst(str(key).replace("_", " ").strip()) or "?"


def plain(value: object) -> str:
    """Write any JSON value as words: dates in the site's format, numbers grouped, yes/no."""
    if value is None or value == "":
        return "—"
    if isinstance(value, bool):
        return gettext("yes") if value else gettext("no")
    if isinstance(value, int):
        return f"{value:,}"
    if isinstance(value, float):
        return f"{value:,.2f}".rstrip("0").rstrip(".")
    if isinstance(value, list):
        return ", ".join(plain(v) for v in value) if value else gettext("none")
    if isinstance(value, dict):
        return "; ".join(f"{humanise(k)}: {plain(v)}" for k, v in value.items()) or gettext("none")
    day = _parse_date(value)
    if day is not None:
        return date_format(day, "DATE_FORMAT")
    moment = _parse_datetime(value)
    if moment is not None:
        if timezone.is_aware(moment):
            moment = timezone.localtime(moment)  # as the |date filter shows it
        return date_format(moment, "DATETIME_FORMAT")
    return str(value)


def as_date(value: object) -> str:
    day = _parse_date(value)
    return date_format(day, "DATE_FORMAT") if day else plain(value)


def as_day_before(value: object) -> str:
    """Write an exclusive end date as the last day it includes."""
    day = _parse_date(value)
    return date_format(clock.last_day(day), "DATE_FORMAT") if day else plain(value)


def as_money(value: object) -> str:
    amount = _decimal(value)
    return f"${amount:,.2f}" if amount is not None else plain(value)


def as_percent_of_one(value: object) -> str:
    """Write a rate stored as a fraction (0.05) as a percentage (5 %)."""
    rate = _decimal(value)
    return f"{(rate * 100).normalize():f} %" if rate is not None else plain(value)


def as_number(value: object) -> str:
    number = _decimal(value)
    if number is None:
        return plain(value)
    if number == number.to_integral_value():
        return f"{int(number):,}"
    return f"{number.normalize():f}"


def as_count(value: object) -> str:
    """Write a list by its length (a list of chunks is a count to a reader)."""
    return f"{len(value):,}" if isinstance(value, list) else plain(value)


def as_fit(value: object) -> str:
    return f"#{value}" if isinstance(value, int) and not isinstance(value, bool) else plain(value)


def as_seconds_per_step(value: object) -> str:
    if not isinstance(value, dict):
        return plain(value)
    return "; ".join(f"{step}: {plain(seconds)} s" for step, seconds in value.items()) or "—"


def as_source(value: object) -> str:
    return gettext("demo data (manage.py generate_demo)") if value == "demo" else plain(value)


# --- Kinds --------------------------------------------------------------------------------

Formatter = Callable[[object], str]


@dataclass(frozen=True)
class Kind:
    """A kind of job: its title, and a label and a formatter for each key it stores."""

    title: str
    params: dict[str, tuple[str, Formatter]] = field(default_factory=dict)
    result: dict[str, tuple[str, Formatter]] = field(default_factory=dict)


KINDS: dict[str, Kind] = {
    IMPORT_KIND: Kind(
        _("Till import"),
        params={
            "source": (_("Source"), as_source),
            "files": (_("Files"), plain),
            "directory": (_("Stored in"), plain),
            "members": (_("Members"), as_number),
            "start_date": (_("Baskets from"), as_date),
            "end_date": (_("Baskets up to"), as_date),
            "baskets": (_("Baskets"), as_number),
            "seed": (_("Seed"), plain),
        },
    ),
    POINTS_IMPORT_KIND: Kind(
        _("Opening balances import"),
        params={"file": (_("File"), plain), "path": (_("Stored as"), plain)},
        result={"points": (_("Points loaded"), as_number)},
    ),
    "member_models": Kind(
        _("Member value fit"),
        params={"calibration_end": (_("History up to"), as_date)},
        result={"fit": (_("Fit"), as_fit), "members": (_("Members scored"), as_number)},
    ),
    "segments": Kind(
        _("Segment snapshots"),
        params={
            "window_start": (_("Baskets from"), as_date),
            "window_end": (_("Baskets up to"), as_day_before),
            "national_threshold": (
                _("National-brand loyal at a national share of at least"),
                plain,
            ),
            "store_threshold": (_("Store-brand loyal at a national share of at most"), plain),
            "categories": (_("Categories to compute"), as_number),
        },
        result={"chunks_done": (_("Batches of categories done"), as_count)},
    ),
    "lists": Kind(
        _("Shopping lists"),
        params={
            "period_start": (_("Period starts"), as_date),
            "min_spend": (_("Minimum spend"), as_money),
            "weeks": (_("Spend over weeks"), as_number),
            "reward_rate": (_("Rewards: share of the spend"), as_percent_of_one),
            "reward_step": (_("Reward coupon value"), as_money),
            "reward_cap": (_("Rewards at most"), as_money),
            "content_per_list": (_("Tips per list"), as_number),
        },
        result={
            "lists": (_("Lists made"), as_number),
            "offers": (_("Offers printed"), as_number),
            "lists_with_new_offers": (_("Lists that got offers"), as_number),
            "chunks_done": (_("Chunks of members done"), as_count),
        },
    ),
    "purchase_timing": Kind(
        _("Purchase timing fit"),
        params={"as_of": (_("History up to"), as_date)},
        result={
            "fit": (_("Fit"), plain),
            "auc": (_("Held-out AUC"), plain),
            "auc_rule": (_("AUC of the due rule"), plain),
        },
    ),
    "erasure_batch": Kind(
        _("Erasure of a batch of members"),
        params={
            "file": (_("File"), plain),
            "reference": (_("Request reference"), plain),
            "rows": (_("Cards in the file"), as_number),
            "member_ids": (_("Members to erase"), as_count),
            "already_erased": (_("Erased already"), as_number),
            "not_found": (_("Cards matching no member"), as_number),
            "not_found_lines": (_("Their lines (the first 200)"), plain),
            "duplicates": (_("Repeated cards"), as_number),
            "confirmed": (_("Confirmed"), plain),
        },
        result={
            "erased": (_("Members erased"), as_number),
            "already_erased": (_("Erased meanwhile by someone else"), as_number),
        },
    ),
    "retention": Kind(
        _("Retention"),
        params={
            "basket_years": (_("Baskets tied to their member for (years; 0: always)"), plain),
            "inactive_years": (_("Members erased after years without activity (0: never)"), plain),
            "basket_cutoff": (_("Baskets detached if bought before"), as_date),
            "inactive_cutoff": (_("Members erased if inactive since"), as_date),
            "basket_chunk": (_("Basket ids per chunk"), as_number),
            "member_chunk": (_("Member ids per chunk"), as_number),
            "basket_ids": (_("Basket ids to look at"), plain),
            "member_ids": (_("Member ids to look at"), plain),
        },
        result={
            "baskets_detached": (_("Baskets detached"), as_number),
            "lines_detached": (_("Basket lines detached"), as_number),
            "till_records_cleared": (_("Till records cleared of card and name"), as_number),
            "members_erased": (_("Inactive members erased"), as_number),
            "chunks_done": (_("Chunks done"), as_count),
        },
    ),
    "reports_refresh": Kind(
        _("Report figures refresh"),
        params={"full": (_("Recompute every snapshot's figures"), plain)},
        result={
            "snapshots_aggregated": (_("Snapshots aggregated"), as_number),
            "fit": (_("Member value fit"), as_fit),
            "seconds": (_("Time per step"), as_seconds_per_step),
        },
    ),
}


def job_title(kind: str) -> str:
    """Return a kind of job in words: "member_models" → "Member value fit"."""
    known = KINDS.get(kind)
    return known.title if known else humanise(kind)


def _rows(data: object, spec: dict[str, tuple[str, Formatter]]) -> list[Row]:
    if not isinstance(data, dict):
        return [] if data in (None, "", [], {}) else [Row(gettext("Value"), plain(data))]
    known = [Row(label, fmt(data[key])) for key, (label, fmt) in spec.items() if key in data]
    # jsonb keeps keys by length, not as written: unknown ones go in alphabetical order.
    others = [Row(humanise(key), plain(data[key])) for key in sorted(data) if key not in spec]
    return known + others


def job_param_rows(job: Job) -> list[Row]:
    """Return the job's parameters as labelled rows, in the kind's order, then unknown keys."""
    kind = KINDS.get(job.kind)
    return _rows(job.params, kind.params if kind else {})


def job_result_rows(job: Job) -> list[Row]:
    """Return the job's result as labelled rows; an import's, one row per file."""
    if job.kind in IMPORT_PAGES and import_files(job.result):
        rows = [Row(str(f.get("file_name", "?")), file_text(f)) for f in import_files(job.result)]
        others = {k: v for k, v in job.result.items() if k != "files"}
        kind = KINDS.get(job.kind)
        rows += _rows(others, kind.result if kind else {})
        try:
            url = reverse(IMPORT_PAGES[job.kind], args=[job.pk])
        except NoReverseMatch:  # pragma: no cover - the imports pages are always installed
            url = None
        return [
            *rows,
            Row(gettext("Rejected rows and warnings"), gettext("on the import's page"), url),
        ]
    kind = KINDS.get(job.kind)
    return _rows(job.result, kind.result if kind else {})


def file_text(f: dict) -> str:
    """Return one file's import in words, as the import command prints it."""
    if f.get("error"):
        return gettext("not read: %(error)s") % {"error": f["error"]}
    text = gettext(
        "%(read)s rows read: %(loaded)s loaded, %(unchanged)s unchanged or already loaded, "
        "%(rejected)s rejected"
    ) % {
        "read": plain(f.get("rows_read", 0)),
        "loaded": plain(f.get("loaded", 0)),
        "unchanged": plain(f.get("unchanged_or_already_loaded", 0)),
        "rejected": plain(f.get("rejected", 0)),
    }
    if _count(f.get("warned")):
        text += gettext("; %(warned)s with warnings") % {"warned": plain(f["warned"])}
    return text

"""What an import did, per file: rows read, loaded, unchanged, rejected, warned; for
members.csv also the consents it changed and the new members without list consent."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from pathlib import Path


@dataclass(frozen=True)
class ImportActor:
    """The user who ran an import, as the consent history names them (None: a command)."""

    user_id: int | None
    name: str


@dataclass(frozen=True)
class RejectedRow:
    """One rejected row: its physical line in the file (the header is line 1) and why."""

    line: int
    reason: str


@dataclass(frozen=True)
class WarnedRow:
    """A row that loaded, but with a value the importer filled in: its line and what it did."""

    line: int
    message: str


@dataclass
class FileResult:
    """The outcome of importing one file.

    `rows_read` counts data rows (blank lines are skipped); for a file that was read,
    rows_read == loaded + unchanged_or_already_loaded + rejected. `error` is set when
    the file could not be read at all (then nothing of it was loaded). `warned` counts
    the good rows (loaded or unchanged) that carry a warning, e.g. a blank brand filled in
    from the manufacturer; it is part of loaded + unchanged, not an extra outcome.
    """

    file_name: str
    rows_read: int = 0
    loaded: int = 0
    unchanged_or_already_loaded: int = 0
    rejected: int = 0
    warned: int = 0
    reject_file: Path | None = None
    warning_file: Path | None = None
    error: str | None = None
    # The first rejects in line order, for printing; all of them are in the reject file.
    first_rejects: list[RejectedRow] = field(default_factory=list)
    # The first warnings in line order; all of them are in the warning file.
    first_warnings: list[WarnedRow] = field(default_factory=list)
    seconds: float = 0.0
    # members.csv only (None for the other files): the ConsentChange rows written, and the
    # new members who came in without consent to the list (the chain's default or a "no").
    consent_changes: int | None = None
    new_without_list_consent: int | None = None

    def as_dict(self) -> dict:
        data = asdict(self)
        data["reject_file"] = str(self.reject_file) if self.reject_file else None
        data["first_rejects"] = [asdict(r) for r in self.first_rejects[:20]]
        data["warning_file"] = str(self.warning_file) if self.warning_file else None
        data["first_warnings"] = [asdict(w) for w in self.first_warnings[:20]]
        return data


@dataclass
class ImportResult:
    """The outcome of importing a directory: one FileResult per file found."""

    files: list[FileResult] = field(default_factory=list)

    @property
    def nothing_read(self) -> bool:
        """Return True when no file was found or none could be read."""
        return not any(f.error is None for f in self.files)

    def as_dict(self) -> dict:
        return {"files": [f.as_dict() for f in self.files]}

"""Feed COPY: escape values for its text format, build the line of a rejected row, and
hand buffered lines to COPY in batches while a progress bar follows the file.
"""

from __future__ import annotations

from pathlib import Path
from typing import IO

from tqdm import tqdm

# How many rows to buffer before handing text to COPY.
COPY_BATCH_ROWS = 20_000

# Escapes for PostgreSQL's COPY text format.
_COPY_ESCAPES = str.maketrans(
    {"\\": "\\\\", "\t": "\\t", "\n": "\\n", "\r": "\\r", "\x00": "\ufffd"}
)


def copy_text(value: str) -> str:
    """Escape a value for a COPY text-format field."""
    return value.translate(_COPY_ESCAPES)


def reject_line(line: int, width: int, reasons: list[str], raw: str) -> str:
    """Return the COPY text line of a rejected row: NULL data columns, reason and raw."""
    nulls = "\\N\t" * width
    return f"{line}\t{nulls}{copy_text('; '.join(reasons))}\t{copy_text(raw)}\n"


class CopyBuffer:
    """Collect COPY text lines and hand them to COPY in batches, moving a progress bar."""

    def __init__(self, *, copy, raw: IO[bytes], bar: tqdm) -> None:
        self.copy = copy
        self.raw = raw
        self.bar = bar
        self.lines: list[str] = []
        self.position = 0

    def flush(self) -> None:
        if self.lines:
            self.copy.write("".join(self.lines))
            self.lines.clear()
        position = self.raw.tell()
        self.bar.update(position - self.position)
        self.position = position

    def close(self) -> None:
        """Send the last rows; the rest of the work happens in the database."""
        self.flush()
        self.bar.set_postfix_str("writing to the database")


def progress_bar(*, path: Path, enabled: bool) -> tqdm:
    """Return a byte-count progress bar for reading the file (to stderr)."""
    return tqdm(
        total=path.stat().st_size,
        desc=path.name,
        unit="B",
        unit_scale=True,
        unit_divisor=1024,
        disable=not enabled,
        leave=True,
        dynamic_ncols=True,
    )

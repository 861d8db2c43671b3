"""A job's message in the reader's language.

A worker writes `Job.message` once, in English: it runs outside any request, and the same
line is what logs and older rows hold. Its messages are `Wording`s, each app's in its
`job_messages.py` (found like `admin.py` modules, by `autodiscover_modules`). A page shows
`job_message(job)`: the stored text is matched against the registered wordings' English
templates, and a match is written again in the active language with the values read back
from it; an import's message is written from its result, as its detail page writes it. A
text nothing matches (an older worker's, an error's) is shown as stored.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache

from django.utils.module_loading import autodiscover_modules
from django.utils.translation import gettext

from apps.jobs.display import file_text, import_files
from apps.jobs.models import JobStatus

PLACEHOLDER = re.compile(r"%\((\w+)\)s")
WORDINGS: list[Wording] = []
IMPORT_KINDS = frozenset({"pos_import", "points_import"})


@dataclass(frozen=True)
class Wording:
    """One message: its English `text`, with `%(name)s` placeholders, and for a message
    whose words follow a number, its `plural` and the placeholder that counts (`count`).

    The two forms are two messages of the catalog, chosen by the English rule (one, or
    more): Chinese writes both alike.
    """

    text: str
    plural: str = ""
    count: str = "n"

    def __call__(self, **values: object) -> str:
        """The English message a worker writes."""
        return self._form(values) % values

    def shown(self, values: dict[str, str]) -> str:
        """The message in the active language."""
        return gettext(self._form(values)) % values

    def read(self, message: str) -> dict[str, str] | None:
        """The values of `message` if it is this wording's, else None."""
        for template in filter(None, (self.text, self.plural)):
            found = _pattern(template).fullmatch(message)
            if found:
                return found.groupdict()
        return None

    def _form(self, values: dict) -> str:
        if not self.plural:
            return self.text
        return self.text if str(values.get(self.count)).replace(",", "") == "1" else self.plural


def register(*wordings: Wording) -> None:
    WORDINGS.extend(wordings)


@cache
def _pattern(template: str) -> re.Pattern:
    parts = PLACEHOLDER.split(template)  # literal, name, literal, name, …, literal
    regex = "".join(
        re.escape(part) if i % 2 == 0 else f"(?P<{part}>.+?)" for i, part in enumerate(parts)
    )
    return re.compile(regex, re.DOTALL)


@cache
def _discovered() -> bool:
    autodiscover_modules("job_messages")
    return True


def job_message(job) -> str:
    """The job's message in the active language (see the module docstring)."""
    if job.kind in IMPORT_KINDS and job.status == JobStatus.SUCCEEDED and job.result:
        files = import_files(job.result)
        if files:
            return gettext("; ").join(f"{f.get('file_name', '?')}: {file_text(f)}" for f in files)
    _discovered()
    for wording in WORDINGS:
        values = wording.read(job.message)
        if values is not None:
            return wording.shown(values)
    return job.message

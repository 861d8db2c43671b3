"""Upload of till export files for the POS import."""

from __future__ import annotations

from pathlib import Path

from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext_lazy as _

from apps.jobs.models import Job
from apps.jobs.services import job_create

IMPORT_FILES = ("products", "members", "baskets")
ACCEPTED_NAMES = tuple(f"{base}.csv{gz}" for base in IMPORT_FILES for gz in ("", ".gz"))
GZIP_MAGIC = b"\x1f\x8b"


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    def __init__(self, *args, **kwargs):
        kwargs.setdefault("widget", MultipleFileInput(attrs={"accept": ".csv,.gz"}))
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        single = super().clean
        if isinstance(data, list | tuple):
            return [single(d, initial) for d in data]
        return [single(data, initial)] if data else []


def _file_key(name: str) -> str:
    """Return which import file a name is ('baskets' for baskets.csv.gz)."""
    return name.lower().removesuffix(".gz").removesuffix(".csv")


class ImportUploadForm(forms.Form):
    files = MultipleFileField(
        label=_("Files"),
        help_text=_(
            "Choose one or more of products.csv, members.csv, baskets.csv "
            "(each may be gzipped: baskets.csv.gz). They are loaded in that order."
        ),
    )

    def clean_files(self):
        files = self.cleaned_data["files"]
        if not files:
            raise ValidationError(_("Choose at least one file."), code="required")
        errors, seen = [], set()
        for f in files:
            name = Path(f.name).name
            if name.lower() not in ACCEPTED_NAMES:
                errors.append(
                    ValidationError(
                        _(
                            "“%(name)s” is not an import file: use products.csv, members.csv or "
                            "baskets.csv (optionally .gz)."
                        ),
                        code="bad_name",
                        params={"name": name},
                    )
                )
                continue
            key = _file_key(name)
            if key in seen:
                errors.append(
                    ValidationError(
                        _("%(key)s is given twice; upload one %(key)s file at a time."),
                        code="duplicate",
                        params={"key": f"{key}.csv"},
                    )
                )
            seen.add(key)
            if f.size == 0:
                errors.append(
                    ValidationError(_("“%(name)s” is empty."), code="empty", params={"name": name})
                )
                continue
            head = f.read(2)
            f.seek(0)
            if name.lower().endswith(".gz") and head != GZIP_MAGIC:
                errors.append(
                    ValidationError(
                        _("“%(name)s” ends in .gz but is not gzip-compressed."),
                        code="not_gzip",
                        params={"name": name},
                    )
                )
            elif name.lower().endswith(".csv") and head == GZIP_MAGIC:
                errors.append(
                    ValidationError(
                        _("“%(name)s” is gzip-compressed; name it %(name)s.gz."),
                        code="gzip_csv",
                        params={"name": name},
                    )
                )
        if errors:
            raise ValidationError(errors)
        return files

    @transaction.atomic
    def save(self, *, started_by) -> Job:
        """Store the files under MEDIA_ROOT/imports/<job id>/ and queue the import task."""
        job = job_create(kind="pos_import", params={}, started_by=started_by)
        directory = Path(settings.MEDIA_ROOT) / "imports" / str(job.pk)
        directory.mkdir(parents=True, exist_ok=True)
        names = []
        for f in self.cleaned_data["files"]:
            name = Path(f.name).name.lower()
            with open(directory / name, "wb") as out:
                for chunk in f.chunks():
                    out.write(chunk)
            names.append(name)
        job.params = {"directory": str(directory), "files": sorted(names)}
        job.save(update_fields=["params"])
        transaction.on_commit(lambda: _enqueue(job.pk))
        return job


def _enqueue(job_id: int) -> None:
    # Imported late: the task module belongs to the importer and loads Celery.
    from apps.baskets.tasks import pos_import_task

    pos_import_task.delay(job_id)

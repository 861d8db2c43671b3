"""Generate the demo chain's till data and load it through the POS importer."""

from __future__ import annotations

import tempfile
import time
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from apps.baskets.importing import ImportResult, pos_import_dir
from apps.baskets.importing.runner import find_files
from apps.baskets.models import Store
from apps.catalog.models import Manufacturer
from apps.demo import vocabulary
from apps.demo.generator import DemoSummary, Params, generate_demo_files
from apps.jobs.models import Job
from apps.jobs.services import job_create

# The kind of job the Imports page lists (the upload form's jobs are of this kind too).
IMPORT_JOB_KIND = "pos_import"


@dataclass
class DemoResult:
    """The files' summary, the importer's result and how long each step took."""

    summary: DemoSummary
    imported: ImportResult
    generate_seconds: float
    import_seconds: float


def demo_generate(
    *,
    members: int,
    weeks: int,
    seed: int,
    end_date: date | None = None,
    directory: Path | None = None,
    progress: bool = False,
    params: Params | None = None,
) -> DemoResult:
    """Write the demo POS files (to `directory`, else a temp dir) and import them.

    The data goes through the same importer as real till files, so that the demo also
    exercises (and measures) the production load path, and under an import job, so that
    the Imports page shows the year of baskets that was loaded, with its counts.
    """
    with tempfile.TemporaryDirectory(prefix="crm-demo-") as tmp:
        target = Path(directory) if directory is not None else Path(tmp)
        t0 = time.perf_counter()
        summary = generate_demo_files(
            directory=target,
            members=members,
            weeks=weeks,
            seed=seed,
            end_date=end_date,
            params=params,
        )
        t1 = time.perf_counter()
        job = _import_job_create(
            summary=summary, directory=target if directory is not None else None, seed=seed
        )
        imported = pos_import_dir(directory=target, job_id=job.pk, progress=progress)
        t2 = time.perf_counter()
    _name_stores_and_makers()
    return DemoResult(
        summary=summary, imported=imported, generate_seconds=t1 - t0, import_seconds=t2 - t1
    )


def _import_job_create(*, summary: DemoSummary, directory: Path | None, seed: int) -> Job:
    """Record the demo's import as an import job, with what the files hold.

    `directory` is kept only when the files are (a temp dir is gone after the import).
    """
    params = {
        "source": "demo",
        "files": [path.name for path, _ in find_files(directory=summary.directory)],
        "members": summary.members,
        "start_date": summary.start_date.isoformat(),
        "end_date": summary.end_date.isoformat(),
        "baskets": summary.baskets,
        "seed": seed,
    }
    if directory is not None:
        params["directory"] = str(directory)
    return job_create(kind=IMPORT_JOB_KIND, params=params)


def _name_stores_and_makers() -> None:
    """Fill in the names the POS files cannot carry (they hold only codes)."""
    for code, town, *_ in vocabulary.STORES:
        Store.objects.filter(code=code).update(name=f"{vocabulary.CHAIN_NAME} {town}", city=town)
    for code, name in vocabulary.manufacturer_names().items():
        Manufacturer.objects.filter(code=code).update(name=name)

"""Generate the demo chain's till data and load it through the POS importer."""

from __future__ import annotations

import tempfile
import time
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from apps.baskets.importing import ImportResult, pos_import_dir
from apps.baskets.models import Store
from apps.catalog.models import Manufacturer
from apps.demo import vocabulary
from apps.demo.generator import DemoSummary, Params, generate_demo_files


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
    exercises (and measures) the production load path.
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
        imported = pos_import_dir(directory=target, progress=progress)
        t2 = time.perf_counter()
    _name_stores_and_makers()
    return DemoResult(
        summary=summary, imported=imported, generate_seconds=t1 - t0, import_seconds=t2 - t1
    )


def _name_stores_and_makers() -> None:
    """Fill in the names the POS files cannot carry (they hold only codes)."""
    for code, town, *_ in vocabulary.STORES:
        Store.objects.filter(code=code).update(name=f"{vocabulary.CHAIN_NAME} {town}", city=town)
    for code, name in vocabulary.manufacturer_names().items():
        Manufacturer.objects.filter(code=code).update(name=name)

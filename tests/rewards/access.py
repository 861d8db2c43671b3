"""Access-matrix rows of the points pages: the staff adjustment (POST, from the member page)."""

from __future__ import annotations

from tests.access_rules import MARKETING, NOT_ALLOWED, page

EXPECTED = {
    "rewards:rules": page(*MARKETING),
    "rewards:tiers": page(*MARKETING),
    "rewards:adjust": page(*MARKETING, ok=NOT_ALLOWED),  # POST only
    "rewards:imports": page(*MARKETING),
    "rewards:import_detail": page(*MARKETING),
}

SAMPLE_KWARGS = {
    "rewards:adjust": lambda o: {"card_number": o["member"].card_number},
    "rewards:import_detail": lambda o: {"pk": o["points_import_job"].pk},
}


def add_sample_objects(objects: dict) -> None:
    """An opening-balance import job, for its page."""
    from apps.jobs.models import Job

    objects["points_import_job"] = Job.objects.create(
        kind="points_import", params={"file": "opening.csv"}
    )

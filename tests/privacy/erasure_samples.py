"""Sample objects of the erasure pages for the access matrix (made when a row asks)."""

from __future__ import annotations

from apps.jobs.models import Job
from apps.rights.erasure.batch import KIND
from apps.rights.models import Erasure, ErasureReason
from tests.factories import MemberFactory


def erasure_pk(objects: dict) -> dict:
    """An erasure record of an (already anonymous) member: its result page."""
    if "erasure" not in objects:
        member = MemberFactory(first_name="", last_name="", email="", status="erased")
        objects["erasure"] = Erasure.objects.create(member=member, reason=ErasureReason.REQUEST)
    return {"pk": objects["erasure"].pk}


def batch_pk(objects: dict) -> dict:
    """A batch waiting for confirmation (confirming is a POST, never reached by a GET)."""
    if "erasure_batch" not in objects:
        objects["erasure_batch"] = Job.objects.create(
            kind=KIND,
            params={"file": "cards.csv", "reference": "T-1", "rows": 0, "member_ids": [],
                    "already_erased": 0, "not_found": 0, "not_found_lines": [],
                    "confirmed": False},
        )  # fmt: skip
    return {"pk": objects["erasure_batch"].pk}

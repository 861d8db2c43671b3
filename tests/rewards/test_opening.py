"""Opening balances from a previous programme: one `import` lot a good row, once.

Expected figures are worked out by hand from FILE below, with TODAY = 2026-03-10 and
lots spendable 12 months less a day (earned 2025-06-01: until 2026-05-31).
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from apps.baskets.models import ImportReject
from apps.jobs.display import job_outcome, job_result_rows
from apps.jobs.models import JobStatus
from apps.jobs.services import job_create
from apps.rewards.ledger import Movement, entry_record
from apps.rewards.models import LotUse, PointsBalance, PointsEntry
from apps.rewards.opening import points_import_file
from apps.rewards.tasks import points_import_task
from apps.rewards.verify import ledger_problems
from tests.factories import MemberFactory

pytestmark = pytest.mark.django_db

TODAY = dt.date(2026, 3, 10)

# A BOM, the columns in another order and case, an extra column.
FILE = """\ufeffPoints,CARD_NUMBER,Earned_On,note
250,1001,2025-06-01,first lot
100,1001,2026-01-15,
80,1003,2025-12-01,
40,9999,2026-01-01,
1.5,1002,2026-01-01,
0,1002,2026-01-01,
-5,1002,2026-01-01,
60,1002,2026-02-30,
60,1002,2026-03-11,
60,1002,2025-03-09,
60,1002,2025-03-10,
70,1002,2025-03-11,last day today
5,1002,2026-02-01,
6,1002,2026-02-01,
9,1002,03/01/2026,
10,,2026-01-01,
12,1002
"""
POINTS_RULE = "points must be a whole number from 1 to 1,000,000, got"
EXPECTED_REJECTS = [
    (5, "unknown card_number '9999'"),
    (6, f"{POINTS_RULE} '1.5'"),
    (7, f"{POINTS_RULE} '0'"),
    (8, f"{POINTS_RULE} '-5'"),
    (9, "bad earned_on '2026-02-30' (no such date)"),
    (10, "earned_on 2026-03-11 is after today"),
    (11, "points earned on 2025-03-09 expired after 2026-03-08"),
    (12, "points earned on 2025-03-10 expired after 2026-03-09"),
    (14, "card_number '1002' and earned_on 2026-02-01 are on lines 14, 15 "
         "(one lot a card and day: none of them loaded)"),
    (15, "card_number '1002' and earned_on 2026-02-01 are on lines 14, 15 "
         "(one lot a card and day: none of them loaded)"),
    (16, "bad earned_on '03/01/2026' (expected YYYY-MM-DD)"),
    (17, "missing card_number"),
    (18, "wrong number of fields: expected 4, found 2"),
]  # fmt: skip
# (card, points, valid_until) of the four good rows: lines 2, 3, 4 and 13.
EXPECTED_LOTS = [
    ("1001", 100, dt.date(2027, 1, 14)),
    ("1001", 250, dt.date(2026, 5, 31)),
    ("1002", 70, dt.date(2026, 3, 10)),
    ("1003", 80, dt.date(2026, 11, 30)),
]


@pytest.fixture
def members(db):
    a, b, c = (MemberFactory(card_number=card) for card in ("1001", "1002", "1003"))
    # 1003 owes 30 points: a return took back points already spent (the ledger's rule).
    with transaction.atomic():
        entry_record(Movement(member_id=c.pk, kind="reverse", points=-30, key="test:debt"))
    return {"1001": a, "1002": b, "1003": c}


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "opening.csv"
    path.write_text(text, encoding="utf-8")
    return path


def lots() -> list[tuple[str, int, dt.date]]:
    return sorted(
        PointsEntry.objects.filter(kind="import").values_list(
            "member__card_number", "points", "valid_until"
        )
    )


def balances() -> dict[str, int]:
    return dict(PointsBalance.objects.values_list("member__card_number", "points"))


def test_good_rows_load_as_lots_and_bad_rows_are_reported_by_line(members, tmp_path):
    result = points_import_file(path=write(tmp_path, FILE), today=TODAY)

    assert result.error is None
    assert [(r.line, r.reason) for r in result.first_rejects] == EXPECTED_REJECTS
    assert (result.rows_read, result.loaded, result.rejected) == (17, 4, 13)
    assert result.unchanged_or_already_loaded == 0
    assert lots() == EXPECTED_LOTS
    keys = set(PointsEntry.objects.filter(kind="import").values_list("key", flat=True))
    # Keyed by the member's id, not the card: an erased member's card must not stay here.
    ids = {card: member.pk for card, member in members.items()}
    assert keys == {
        f"import:{ids['1001']}:2025-06-01",
        f"import:{ids['1001']}:2026-01-15",
        f"import:{ids['1002']}:2025-03-11",
        f"import:{ids['1003']}:2025-12-01",
    }
    # 1001: 250 + 100; 1002: 70; 1003: -30 owed + 80.
    assert balances() == {"1001": 350, "1002": 70, "1003": 50}
    # The debt is settled from the new lot, as the ledger settles it from the next points.
    lot = PointsEntry.objects.get(key=f"import:{ids['1003']}:2025-12-01")
    debt = PointsEntry.objects.get(key="test:debt")
    assert list(LotUse.objects.values_list("consumer_id", "lot_id", "points")) == [
        (debt.pk, lot.pk, 30)
    ]
    assert ledger_problems() == {}


def test_importing_the_same_file_twice_changes_nothing(members, tmp_path):
    path = write(tmp_path, FILE)
    points_import_file(path=path, today=TODAY)
    entries = list(PointsEntry.objects.order_by("id").values())
    uses = list(LotUse.objects.order_by("consumer_id", "lot_id").values())
    before = balances()

    again = points_import_file(path=path, today=TODAY)

    assert (again.rows_read, again.loaded, again.rejected) == (17, 0, 13)
    assert again.unchanged_or_already_loaded == 4
    assert list(PointsEntry.objects.order_by("id").values()) == entries
    assert list(LotUse.objects.order_by("consumer_id", "lot_id").values()) == uses
    assert balances() == before == {"1001": 350, "1002": 70, "1003": 50}


def test_a_lot_imported_before_with_other_points_is_a_reject(members, tmp_path):
    points_import_file(path=write(tmp_path, FILE), today=TODAY)

    result = points_import_file(
        path=write(
            tmp_path, "card_number,points,earned_on\n1001,999,2025-06-01\n1002,5,2026-01-02\n"
        ),
        today=TODAY,
    )

    assert [(r.line, r.reason) for r in result.first_rejects] == [
        (2, "imported before with 250 points (a correction is a staff adjustment on the "
            "member page)"),
    ]  # fmt: skip
    assert result.loaded == 1
    assert balances() == {"1001": 350, "1002": 75, "1003": 50}


def test_a_missing_column_loads_nothing(members, tmp_path):
    result = points_import_file(path=write(tmp_path, "card,points,earned\n1001,5,2026-01-01\n"))

    assert result.error == (
        "missing required column(s): card_number, earned_on (the header has: card, points, earned)"
    )
    assert not PointsEntry.objects.filter(kind="import").exists()


def test_the_job_stores_rejects_by_line_and_finishes_with_problems(members, tmp_path):
    # The task imports as of the real date: days relative to it.
    today = timezone.localdate()
    earned, tomorrow = today - dt.timedelta(days=10), today + dt.timedelta(days=1)
    path = write(
        tmp_path,
        f"card_number,points,earned_on\n1001,250,{earned}\n9999,5,{earned}\n1002,7,{tomorrow}\n",
    )
    job = job_create(kind="points_import", params={"file": "opening.csv", "path": str(path)})

    assert points_import_task(job.pk) is True

    job.refresh_from_db()
    assert job.status == JobStatus.SUCCEEDED
    assert job.result["points"] == 250
    assert list(
        ImportReject.objects.filter(job=job).order_by("line").values_list("line", "reason")
    ) == [(3, "unknown card_number '9999'"), (4, f"earned_on {tomorrow} is after today")]
    outcome = job_outcome(job)
    assert (outcome.label, outcome.details) == ("Finished with problems", ["2 rows rejected"])
    rows = {row.label: row for row in job_result_rows(job)}
    assert rows["opening.csv"].value == (
        "3 rows read: 1 loaded, 0 unchanged or already loaded, 2 rejected"
    )
    assert rows["Points loaded"].value == "250"
    assert rows["Rejected rows and warnings"].url == reverse("rewards:import_detail", args=[job.pk])
    assert balances() == {"1001": 250, "1003": -30}
    assert PointsEntry.objects.get(kind="import").valid_until == earned.replace(
        year=earned.year + 1
    ) - dt.timedelta(days=1)

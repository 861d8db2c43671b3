import csv
import datetime as dt
import gzip
import re
import shutil
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils.datastructures import MultiValueDict

from apps.baskets.forms import ImportUploadForm
from apps.baskets.importing import pos_import_dir
from apps.baskets.models import ImportReject
from apps.demo.services import demo_generate
from apps.jobs.models import Job, JobStatus
from tests.factories import BasketFactory

EXAMPLES = Path(__file__).resolve().parents[2] / "docs" / "examples" / "till-files"

pytestmark = pytest.mark.django_db

BASKETS_CSV = b"basket_id,store,purchased_at,card_number,upc,quantity,amount,discount\n"


def upload(name: str, content: bytes = BASKETS_CSV) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content, content_type="text/csv")


def form_errors(*files) -> list[str]:
    form = ImportUploadForm(data={}, files=MultiValueDict({"files": list(files)}))
    return [] if form.is_valid() else form.errors["files"]


@pytest.fixture
def marketing_client(client, marketing_user):
    client.force_login(marketing_user)
    return client


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


def test_form_accepts_the_three_files_plain_or_gzipped():
    files = [
        upload("products.csv", b"upc,name\n"),
        upload("Members.CSV", b"card_number\n"),
        upload("baskets.csv.gz", gzip.compress(BASKETS_CSV)),
    ]
    assert form_errors(*files) == []


@pytest.mark.parametrize(
    ("files", "message"),
    [
        ([], "Choose at least one file."),
        ([upload("sales.csv")], "“sales.csv” is not an import file"),
        ([upload("baskets.txt")], "“baskets.txt” is not an import file"),
        ([upload("baskets.csv"), upload("baskets.csv.gz", gzip.compress(b"x"))], "given twice"),
        ([upload("baskets.csv.gz", b"plain text")], "is not gzip-compressed"),
        ([upload("baskets.csv", gzip.compress(b"x"))], "name it baskets.csv.gz"),
        ([upload("members.csv", b"")], "is empty"),
    ],
)
def test_form_rejects(files, message):
    errors = form_errors(*files)
    assert any(message in e for e in errors), errors


def test_upload_saves_files_creates_job_and_queues_task_on_commit(
    marketing_client, marketing_user, media_root, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        response = marketing_client.post(
            reverse("baskets:import_new"),
            {"files": [upload("baskets.csv"), upload("products.csv", b"upc\n1\n")]},
        )
    job = Job.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("baskets:import_detail", args=[job.pk])
    assert (job.kind, job.started_by, job.status) == ("pos_import", marketing_user, "queued")
    directory = media_root / "imports" / str(job.pk)
    assert job.params == {"directory": str(directory), "files": ["baskets.csv", "products.csv"]}
    assert (directory / "baskets.csv").read_bytes() == BASKETS_CSV
    assert (directory / "products.csv").read_bytes() == b"upc\n1\n"
    assert len(callbacks) == 1  # the Celery task is sent only once the job row is committed


def test_invalid_upload_shows_the_form_again(marketing_client):
    response = marketing_client.post(reverse("baskets:import_new"), {"files": [upload("x.csv")]})
    assert response.status_code == 200
    assert "is not an import file" in response.content.decode()
    assert not Job.objects.exists()


def test_detail_shows_progress_results_and_rejects(marketing_client, marketing_user):
    job = Job.objects.create(
        kind="pos_import",
        status=JobStatus.SUCCEEDED,
        started_by=marketing_user,
        params={"directory": "/x", "files": ["baskets.csv"]},
        # as apps.baskets.importing.result.ImportResult.as_dict() stores it
        result={
            "files": [
                {
                    "file_name": "baskets.csv",
                    "rows_read": 1200,
                    "loaded": 1190,
                    "unchanged_or_already_loaded": 7,
                    "rejected": 3,
                    "reject_file": "/x/baskets.rejects.csv",
                    "error": None,
                    "first_rejects": [{"line": 3, "reason": "bad UPC"}],
                    "seconds": 1.25,
                }
            ]
        },
    )
    for line in (7, 3, 12):
        ImportReject.objects.create(
            job=job, file_name="baskets.csv", line=line, reason=f"bad UPC on {line}", raw="x,y"
        )
    response = marketing_client.get(reverse("baskets:import_detail", args=[job.pk]))
    html = response.content.decode()
    assert 'class="job-progress"' in html and "js/job-progress.js" in html
    assert response.context["file_results"] == [
        {
            "name": "baskets.csv",
            "rows_read": 1200,
            "loaded": 1190,
            "unchanged": 7,
            "rejected": 3,
            "warned": 0,
            "seconds": 1.25,
            "error": None,
            "without_list_consent": None,  # a members.csv's only
            "consent_changes": None,
        }
    ]
    assert "1,190" in html
    rejects = [r.line for r in response.context["rejects"].page.object_list.data]
    assert rejects == [3, 7, 12]
    rejects = marketing_client.get(
        reverse("baskets:import_detail", args=[job.pk]), {"sort": "-line"}
    ).context["rejects"]
    assert [r.line for r in rejects.page.object_list.data] == [12, 7, 3]


def test_detail_of_another_kind_of_job_is_404(marketing_client):
    job = Job.objects.create(kind="segments_refresh")
    assert marketing_client.get(reverse("baskets:import_detail", args=[job.pk])).status_code == 404


def test_list_shows_imports_only_with_reject_counts(marketing_client):
    job = Job.objects.create(kind="pos_import", params={"files": ["members.csv"]})
    ImportReject.objects.create(job=job, file_name="members.csv", line=2, reason="no card")
    Job.objects.create(kind="segments_refresh")
    response = marketing_client.get(reverse("baskets:import_list"))
    rows = list(response.context["table"].page.object_list.data)
    assert [(r.pk, r.reject_count) for r in rows] == [(job.pk, 1)]
    assert "members.csv" in response.content.decode()


def badge(html: str) -> tuple[str, str]:
    """Return the (class, text) of the job's status badge on an import or job page."""
    found = re.search(r'<span class="job-status badge [^"]*(text-bg-\w+)">([^<]+)</span>', html)
    assert found, "no status badge"
    return found.group(1), found.group(2)


def text(html: str) -> str:
    """Return the page's words, tags taken out and spaces collapsed."""
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html)).replace(" .", ".").replace(" ,", ",")


def table_rows(html: str) -> list[str]:
    """Return the text of each body row of the page's first django-tables2 table."""
    body = html.split("<tbody", 1)[1].split("</tbody>", 1)[0]
    return [re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", row)).strip()
            for row in body.split("</tr>")[:-1]]  # fmt: skip


def file_result(name, *, read=0, loaded=0, unchanged=0, rejected=0, warned=0, error=None):
    """One file as ImportResult.as_dict() stores it."""
    return {"file_name": name, "rows_read": read, "loaded": loaded,
            "unchanged_or_already_loaded": unchanged, "rejected": rejected, "warned": warned,
            "reject_file": None, "warning_file": None, "error": error, "first_rejects": [],
            "first_warnings": [], "seconds": 0.5}  # fmt: skip


def import_job(*files, status=JobStatus.SUCCEEDED) -> Job:
    return Job.objects.create(
        kind="pos_import", status=status, params={"files": [f["file_name"] for f in files]},
        result={"files": list(files)},
    )  # fmt: skip


def test_an_import_that_lost_a_file_and_rows_finished_with_problems(marketing_client):
    job = import_job(
        file_result("products.csv", read=5, loaded=4, rejected=1, warned=2),
        file_result("members.csv", error="cannot read the file: not a gzipped file"),
        file_result("baskets.csv", read=1200, loaded=1190, unchanged=7, rejected=3),
    )
    html = marketing_client.get(reverse("baskets:import_detail", args=[job.pk])).content.decode()
    assert badge(html) == ("text-bg-warning", "Finished with problems")
    content = html.split('aria-label="breadcrumb"', 1)[1]  # the page, not the green navbar
    assert "Succeeded" not in content and "bg-success" not in content
    assert (
        "Finished with problems: 1 file not read (none of its rows loaded), "
        "4 rows rejected (not loaded), 2 rows with warnings (loaded, a value filled in). "
        "Of 1,205 rows read, 1,201 are in the database (loaded now or already there)."
    ) in text(content)  # 5 + 1,200 read; 1 + 3 rejected; 4 + 1,190 + 7 in
    # The job ran to its end: it stays succeeded; only what the user reads changes.
    job.refresh_from_db()
    assert job.status == JobStatus.SUCCEEDED

    html = marketing_client.get(reverse("baskets:import_list")).content.decode()
    (row,) = table_rows(html)
    assert "Finished with problems 1 file not read, 4 rows rejected, 2 rows with warnings" in row
    content = html.split("<tbody", 1)[1]
    assert "text-bg-warning" in content and "success" not in content

    progress = marketing_client.get(reverse("jobs:progress", args=[job.pk])).json()
    assert (progress["status"], progress["status_label"]) == ("succeeded", "Finished with problems")


def test_an_import_with_only_warnings_finished_with_warnings(marketing_client):
    job = import_job(file_result("products.csv", read=5, loaded=5, warned=2))
    html = marketing_client.get(reverse("baskets:import_detail", args=[job.pk])).content.decode()
    assert badge(html) == ("text-bg-warning", "Finished with warnings")
    assert "2 rows with warnings" in html and "rejected (not loaded)" not in html
    (row,) = table_rows(marketing_client.get(reverse("baskets:import_list")).content.decode())
    assert "Finished with warnings 2 rows with warnings" in row


def test_a_clean_import_succeeded_in_green(marketing_client):
    job = import_job(file_result("baskets.csv", read=10, loaded=6, unchanged=4))
    html = marketing_client.get(reverse("baskets:import_detail", args=[job.pk])).content.decode()
    assert badge(html) == ("text-bg-success", "Succeeded")
    assert "import-outcome" not in html
    (row,) = table_rows(marketing_client.get(reverse("baskets:import_list")).content.decode())
    assert "Succeeded" in row and "problems" not in row


def test_a_real_import_with_a_bad_file_and_rejects_reads_as_finished_with_problems(
    marketing_client, tmp_path
):
    """The example till files (1 bad product, 2 products with warnings, 1 unknown UPC in a
    basket) and a members file with no card_number column: the importer's own result."""
    shutil.copy(EXAMPLES / "products.csv", tmp_path / "products.csv")
    shutil.copy(EXAMPLES / "baskets.csv", tmp_path / "baskets.csv")
    (tmp_path / "members.csv").write_text("first_name,last_name\nAda,Lovelace\n")
    job = Job.objects.create(kind="pos_import", params={"files": ["x"]})
    pos_import_dir(directory=tmp_path, job_id=job.pk)
    job.refresh_from_db()
    assert job.status == JobStatus.SUCCEEDED

    html = marketing_client.get(reverse("baskets:import_detail", args=[job.pk])).content.decode()
    assert badge(html) == ("text-bg-warning", "Finished with problems")
    # products 5 read (1 rejected, 2 warned), members not read, baskets 6 read (1 rejected)
    assert "1 file not read" in html and "2 rows rejected" in html
    assert "2 rows with warnings" in html
    assert "Of 11 rows read, 9 are in the database" in html
    (row,) = table_rows(marketing_client.get(reverse("baskets:import_list")).content.decode())
    assert "1 file not read, 2 rows rejected, 2 rows with warnings" in row


def test_the_empty_imports_list_says_where_existing_baskets_came_from(marketing_client):
    assert (
        "No imports yet." in marketing_client.get(reverse("baskets:import_list")).content.decode()
    )
    BasketFactory()  # loaded by manage.py import_pos: no job
    html = marketing_client.get(reverse("baskets:import_list")).content.decode()
    assert "No imports yet." not in html
    assert "loaded from the command line (manage.py import_pos or manage.py generate_demo)" in html


def csv_rows(path: Path) -> int:
    with open(path, newline="") as f:
        return sum(1 for _ in csv.DictReader(f))


@pytest.mark.django_db(transaction=True)
def test_the_demo_records_its_import_with_its_counts(marketing_client, tmp_path):
    demo_generate(members=30, weeks=3, seed=3, end_date=dt.date(2026, 3, 1), directory=tmp_path)
    job = Job.objects.get(kind="pos_import")
    assert job.status == JobStatus.SUCCEEDED and job.started_by is None
    assert job.params["source"] == "demo"
    assert job.params["files"] == ["products.csv", "members.csv", "baskets.csv"]
    # 3 weeks ending Sunday 1 Mar 2026: from Monday 9 Feb.
    assert (job.params["start_date"], job.params["end_date"]) == ("2026-02-09", "2026-03-01")
    products, lines = csv_rows(tmp_path / "products.csv"), csv_rows(tmp_path / "baskets.csv")
    loaded = [(f["file_name"], f["rows_read"], f["loaded"], f["rejected"])
              for f in job.result["files"]]  # fmt: skip
    assert loaded == [("products.csv", products, products, 0), ("members.csv", 30, 30, 0),
                      ("baskets.csv", lines, lines, 0)]  # fmt: skip

    (row,) = table_rows(marketing_client.get(reverse("baskets:import_list")).content.decode())
    assert "products.csv, members.csv, baskets.csv (demo data)" in row and "Succeeded" in row
    html = marketing_client.get(reverse("baskets:import_detail", args=[job.pk])).content.decode()
    assert "by the demo data generator (manage.py generate_demo)" in html
    assert 'Baskets from</dt><dd class="col-sm-9 mb-0">9 Feb 2026' in html
    assert "1 Mar 2026" in html and f"{lines:,}" in html

import gzip

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils.datastructures import MultiValueDict

from apps.baskets.forms import ImportUploadForm
from apps.baskets.models import ImportReject
from apps.jobs.models import Job, JobStatus

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
            "seconds": 1.25,
            "error": None,
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

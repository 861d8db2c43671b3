"""The job pages: every kind's parameters and result as labelled rows, dates in one format."""

from __future__ import annotations

import datetime as dt
import importlib
import re
from html import unescape
from pathlib import Path

import pytest
from django.urls import reverse

from apps.jobs.display import KINDS
from apps.jobs.models import Job, JobStatus

pytestmark = pytest.mark.django_db

APPS = Path(__file__).resolve().parents[2] / "apps"


@pytest.fixture
def marketing_client(client, marketing_user):
    client.force_login(marketing_user)
    return client


def text(html: str) -> str:
    return unescape(re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html)))


def rows(html: str, css: str) -> list[tuple[str, str]]:
    """Return the (label, value) pairs of the page's <dl class="… css">."""
    block = html.split(f"{css}", 1)[1].split("</dl>", 1)[0]
    pairs = re.findall(r"<dt[^>]*>(.*?)</dt>\s*<dd[^>]*>(.*?)</dd>", block, re.S)
    return [(text(k).strip(), text(v).strip()) for k, v in pairs]


def detail(client, job: Job) -> str:
    response = client.get(reverse("jobs:detail", args=[job.pk]))
    assert response.status_code == 200
    html = response.content.decode()
    # Never a Python repr of the JSON: no braces, no quoted keys.
    page = html.split('aria-label="breadcrumb"', 1)[1]
    assert "{&#x27;" not in page and "{'" not in page and "&#x27;:" not in page
    return html


def job(kind: str, params: dict, result: dict | None = None, **fields) -> Job:
    return Job.objects.create(
        kind=kind, status=JobStatus.SUCCEEDED, params=params, result=result or {}, **fields
    )


def test_a_member_value_fit(marketing_client):
    # As apps.segments.fits.repeat_model_fit_queue and _job store them.
    html = detail(
        marketing_client,
        job("member_models", {"calibration_end": "2026-11-22"}, {"fit": 7, "members": 3000}),
    )
    assert "Member value fit" in html
    assert rows(html, "job-params") == [("History up to", "22 Nov 2026")]
    assert rows(html, "job-result") == [("Fit", "#7"), ("Members scored", "3,000")]


def test_segment_snapshots(marketing_client):
    # As apps.segments.services.snapshots_refresh_all stores them (the end is exclusive).
    params = {"window_start": "2025-11-24", "window_end": "2026-11-23", "categories": 269,
              "national_threshold": "0.80", "store_threshold": "0.20"}  # fmt: skip
    html = detail(marketing_client, job("segments", params))
    assert rows(html, "job-params") == [
        ("Baskets from", "24 Nov 2025"),
        ("Baskets up to", "22 Nov 2026"),
        ("National-brand loyal at a national share of at least", "0.80"),
        ("Store-brand loyal at a national share of at most", "0.20"),
        ("Categories to compute", "269"),
    ]
    assert "Nothing recorded." in html


def test_shopping_lists(marketing_client):
    # As apps.lists.services.lists_generate (ListRules.as_params) and its chunks store them.
    params = {"period_start": "2026-12-07", "min_spend": "200.00", "weeks": "8",
              "reward_rate": "0.05", "reward_step": "5", "reward_cap": "40",
              "content_per_list": "2"}  # fmt: skip
    result = {"chunks_done": [1, 2001, 4001], "lists": 1234}
    html = detail(marketing_client, job("lists", params, result))
    assert rows(html, "job-params") == [
        ("Period starts", "7 Dec 2026"),
        ("Minimum spend", "$200.00"),
        ("Spend over weeks", "8"),
        ("Rewards: share of the spend", "5 %"),
        ("Reward coupon value", "$5.00"),
        ("Rewards at most", "$40.00"),
        ("Tips per list", "2"),
    ]
    assert rows(html, "job-result") == [("Lists made", "1,234"), ("Chunks of members done", "3")]


def test_a_report_refresh(marketing_client):
    # As apps.reports.services.reports_refresh_job stores them.
    result = {"seconds": {"home stores": 0.41, "member value": 2.0},
              "snapshots_aggregated": 12, "fit": None}  # fmt: skip
    html = detail(marketing_client, job("reports_refresh", {"full": False}, result))
    assert "Report figures refresh" in html
    assert rows(html, "job-params") == [("Recompute every snapshot's figures", "no")]
    assert rows(html, "job-result") == [
        ("Snapshots aggregated", "12"),
        ("Member value fit", "—"),
        ("Time per step", "home stores: 0.41 s; member value: 2 s"),
    ]


def test_an_import(marketing_client):
    # As apps.baskets.forms.ImportUploadForm.save and the importer store them.
    files = [
        {"file_name": "products.csv", "rows_read": 5, "loaded": 4, "rejected": 1, "warned": 2,
         "unchanged_or_already_loaded": 0, "error": None},
        {"file_name": "members.csv", "rows_read": 0, "loaded": 0, "rejected": 0, "warned": 0,
         "unchanged_or_already_loaded": 0, "error": "missing column card_number"},
    ]  # fmt: skip
    imported = job("pos_import", {"directory": "/m/imports/9", "files": ["members.csv",
                                  "products.csv"]}, {"files": files})  # fmt: skip
    html = detail(marketing_client, imported)
    assert rows(html, "job-params") == [
        ("Files", "members.csv, products.csv"),
        ("Stored in", "/m/imports/9"),
    ]
    assert rows(html, "job-result") == [
        ("products.csv", "5 rows read: 4 loaded, 0 unchanged or already loaded, 1 rejected; "
                         "2 with warnings"),
        ("members.csv", "not read: missing column card_number"),
        ("Rejected rows and warnings", "on the import's page"),
    ]  # fmt: skip
    assert f'href="{reverse("baskets:import_detail", args=[imported.pk])}"' in html
    assert "Finished with problems: 1 file not read, 1 row rejected, 2 rows with warnings." in (
        text(html)
    )
    assert 'text-nowrap text-bg-warning">Finished with problems<' in html


def test_an_unknown_kind_and_unknown_keys_are_humanised(marketing_client):
    params = {"chunk_size": 2000, "since": "2026-11-01", "dry_run": True,
              "stores": ["S01", "S02"], "limits": {"max_rows": 10}}  # fmt: skip
    html = detail(
        marketing_client, job("stock_recount", params, {"counted_at": "2026-12-04T21:08:00+00:00"})
    )
    assert "Stock recount" in html
    assert rows(html, "job-params") == [  # in alphabetical order of the keys
        ("Chunk size", "2,000"),
        ("Dry run", "yes"),
        ("Limits", "Max rows: 10"),
        ("Since", "1 Nov 2026"),
        ("Stores", "S01, S02"),
    ]
    assert rows(html, "job-result") == [("Counted at", "4 Dec 2026 15:08")]  # Chicago time


def test_a_failed_job_shows_its_error_under_details(marketing_client):
    failed = Job.objects.create(kind="lists", status=JobStatus.FAILED, error="Traceback …")
    html = detail(marketing_client, failed)
    assert 'text-nowrap text-bg-danger">Failed<' in html
    assert "The job failed." in html and "Traceback …" in html


def test_dates_are_in_the_site_format_in_local_time(marketing_client):
    # 21:08 UTC on 4 Dec 2026 is 15:08 in Chicago (CST, UTC-6).
    at = dt.datetime(2026, 12, 4, 21, 8, tzinfo=dt.UTC)
    ran = job("member_models", {"calibration_end": "2026-11-22"})
    Job.objects.filter(pk=ran.pk).update(created_at=at, finished_at=at + dt.timedelta(minutes=3))
    html = detail(marketing_client, ran)
    assert rows(html, "job-facts")[1:3] == [("Created", "4 Dec 2026 15:08"),
                                            ("Finished", "4 Dec 2026 15:11")]  # fmt: skip
    listing = marketing_client.get(reverse("jobs:list")).content.decode()
    assert "4 Dec 2026 15:08" in listing and "p.m." not in listing
    assert "Member value fit" in listing


def job_kinds_in_the_code() -> set[str]:
    """Return every kind the code records jobs of: `job_create(kind=…)` across apps/."""
    kinds = set()
    for path in APPS.rglob("*.py"):
        source = path.read_text()
        for value in re.findall(r"job_create\(\s*kind=([\w\"]+)", source):
            if value.startswith('"'):
                kinds.add(value.strip('"'))
            else:  # a constant, defined or imported in that module
                module = ".".join(path.relative_to(APPS.parent).with_suffix("").parts)
                kinds.add(getattr(importlib.import_module(module), value))
    return kinds


def test_every_kind_of_job_in_the_code_has_a_formatter():
    kinds = job_kinds_in_the_code()
    assert {"pos_import", "member_models", "segments", "lists", "reports_refresh"} <= kinds
    assert kinds <= set(KINDS), f"give {kinds - set(KINDS)} a Kind in apps/jobs/display.py"

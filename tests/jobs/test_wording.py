"""A job's message in the reader's language (apps/jobs/wording.py).

Workers write the message in English; pages word it again in the reader's language from
the registered wordings (or, for an import, from its result). The expected Chinese is the
catalog's, written out here.
"""

from __future__ import annotations

import pytest
from django.urls import reverse
from django.utils import translation

from apps.jobs.models import Job, JobStatus
from apps.jobs.wording import job_message
from apps.lists.job_messages import CHUNKS
from apps.segments.job_messages import TIMING_FITTED

pytestmark = pytest.mark.django_db


def a_job(message: str, **fields) -> Job:
    return Job.objects.create(kind=fields.pop("kind", "lists"), message=message, **fields)


def test_a_worker_writes_english_and_the_page_words_it_again():
    assert CHUNKS(n=3) == "3 chunks of members, then the period's offers"
    assert CHUNKS(n=1) == "1 chunk of members, then the period's offers"
    job = a_job(CHUNKS(n=3))
    with translation.override("zh-hans"):
        assert job_message(job) == "3 批会员，然后是本期的优惠"
    with translation.override("en"):
        assert job_message(job) == "3 chunks of members, then the period's offers"


def test_values_are_read_back_from_the_text():
    job = a_job(TIMING_FITTED(auc="0.812", rule="0.640"), kind="purchase_timing")
    with translation.override("zh-hans"):
        assert job_message(job) == "留出集 AUC 0.812（到期规则 0.640）"


def test_a_message_no_wording_knows_is_shown_as_stored():
    job = a_job("something an older worker wrote")
    with translation.override("zh-hans"):
        assert job_message(job) == "something an older worker wrote"


def test_an_imports_message_is_written_from_its_result():
    files = [{"file_name": "products.csv", "rows_read": 1306, "loaded": 1306,
              "unchanged_or_already_loaded": 0, "rejected": 0}]  # fmt: skip
    job = a_job(
        "products.csv: 1,306 rows read, 1,306 loaded, 0 unchanged or already loaded, 0 rejected",
        kind="pos_import", status=JobStatus.SUCCEEDED, result={"files": files},
    )  # fmt: skip
    with translation.override("zh-hans"):
        shown = job_message(job)
    assert shown.startswith("products.csv: ") and "1,306" in shown
    assert shown == "products.csv: 读取 1,306 行：载入 1,306 行，0 行未变或已载入，0 行被拒绝"


def test_the_jobs_page_shows_the_message_in_chinese(client, marketing_user):
    a_job(CHUNKS(n=2), status=JobStatus.SUCCEEDED)
    marketing_user.language = "zh-hans"
    marketing_user.save(update_fields=["language"])
    client.force_login(marketing_user)
    page = client.get(reverse("jobs:list")).content.decode()
    assert "2 批会员，然后是本期的优惠" in page
    assert "chunks of members" not in page

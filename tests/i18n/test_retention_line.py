"""The dashboard's retention line in Simplified Chinese: whole phrases, Chinese punctuation."""

from __future__ import annotations

import pytest
from django.utils import translation

from apps.jobs.models import Job, JobStatus
from apps.reports.selectors.retention import retention_line

pytestmark = pytest.mark.django_db


def test_the_policy_not_run_yet(settings):
    settings.CRM_RETENTION_BASKET_YEARS = 3
    settings.CRM_RETENTION_INACTIVE_YEARS = 1
    with translation.override("zh-hans"):
        line = retention_line()
    assert line == "保留期限：购物篮与会员关联保留 3 年；不活跃满 1 年的会员予以删除 · 尚未运行"
    with translation.override("en"):
        english = retention_line()
    assert english == (
        "Retention: baskets tied to a member for 3 years; members inactive 1 year erased"
        " · not run yet"
    )


def test_a_run_that_erased_one_member(settings):
    settings.CRM_RETENTION_BASKET_YEARS = 0
    settings.CRM_RETENTION_INACTIVE_YEARS = 2
    Job.objects.create(
        kind="retention", status=JobStatus.SUCCEEDED,
        result={"baskets_detached": 1200, "members_erased": 1},
    )  # fmt: skip
    with translation.override("zh-hans"):
        line = retention_line()
    assert line.startswith(
        "保留期限：购物篮一直与会员关联；不活跃满 2 年的会员予以删除 · 上次运行于 "
    )
    assert line.endswith("（解除关联 1,200 个购物篮，删除 1 位会员）")
    assert "年" in line and "Dec" not in line

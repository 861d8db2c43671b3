"""The privacy officer's pages in Simplified Chinese (issue 23).

The officer's own language (User.language) picks Chinese: headings, breadcrumbs, buttons,
the retention policy's sentences, the record's sections and the form errors are Chinese, the
English gone. English stays the default (tests/privacy's other files check its wording).
"""

from __future__ import annotations

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.urls import reverse
from django.utils import translation

from apps.jobs.models import Job, JobStatus
from apps.rights.access.headings import HEADINGS
from apps.rights.access.registry import all_tables
from apps.rights.erasure.batch import KIND, batch_run
from apps.rights.retention import RetentionPolicy, retention_start
from tests.factories import MemberFactory
from tests.privacy.access_rows import member_with_every_row
from tests.privacy.retention_data import TODAY, build_retention_chain

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(not settings.USE_I18N, reason="the site is not translated"),
]

CARD = "400000000017"


@pytest.fixture
def officer(client, privacy_user):
    privacy_user.language = "zh-hans"
    privacy_user.save(update_fields=["language"])
    client.force_login(privacy_user)
    return client


@pytest.fixture
def member(db):
    return MemberFactory(card_number=CARD, first_name="Anna", last_name="Lindqvist")


def _page(client, url, **params) -> str:
    response = client.get(url, params)
    assert response.status_code == 200
    return response.content.decode()


def _absent(html: str, *english: str) -> None:
    for text in english:
        assert text not in html, text


def test_home_reads_in_chinese(officer, settings, django_capture_on_commit_callbacks):
    from crm_site.celery import app

    settings.CRM_RETENTION_BASKET_YEARS = 3
    settings.CRM_RETENTION_INACTIVE_YEARS = 4
    build_retention_chain()
    app.conf.task_always_eager = True
    try:
        with django_capture_on_commit_callbacks(execute=True):
            retention_start(policy=RetentionPolicy(3, 3), today=TODAY)
    finally:
        app.conf.task_always_eager = False
    html = _page(officer, reverse("privacy:home"))
    assert "会员的数据权利" in html  # the heading
    assert "保留期限政策" in html and "保留期限运行记录" in html and "最近的删除" in html
    assert "超过 3 年的购物篮及其明细将与会员解除关联" in html  # the policy, in words
    assert "4 年内没有任何购买或其他活动的会员将被删除" in html
    assert "每晚 00:30 运行。" in html  # the schedule
    assert "已解除 3 个购物篮 和 6 行明细 的关联，已删除 1 名不活跃会员。" in html  # the last run
    assert "累计：0 名应请求删除，1 名因保留期限删除" in html
    assert "夜间运行" in html and ">查询</button>" in html
    assert "保留期限任务 #" in html  # the run's erasures' reference, stored in English
    _absent(
        html,
        "Members' data rights",
        "Retention policy",
        "Recent erasures",
        "Baskets and their lines older than",
        "Runs every night",
        "inactive member erased",
        "by retention, in all",
        "nightly run",
        "Retention job #",
        ">Find</button>",
    )


def test_home_before_any_run_reads_in_chinese(officer, settings):
    settings.CRM_RETENTION_BASKET_YEARS = 0
    html = _page(officer, reverse("privacy:home"))
    assert "保留期限清理尚未运行。" in html and "尚未删除任何会员。" in html
    assert "购物篮保留期限已关闭" in html
    _absent(html, "retention has not run yet", "No member has been erased.", "retention is off")


def test_search_and_its_miss_read_in_chinese(officer, member):
    url = reverse("privacy:member_search")
    html = _page(officer, url)
    assert '<h1 class="h3">查找会员</h1>' in html and "会员卡号或清单条形码" in html
    _absent(html, "Find a member", "Card number or list barcode", "Scan or type")
    miss = _page(officer, url, number="400099999999")
    assert "没有会员的会员卡号或清单条形码为“400099999999”" in miss
    _absent(miss, "No member has the card number")
    blank = _page(officer, url, number="")
    assert "这个字段是必填项。" in blank and "This field is required." not in blank


def test_the_member_page_and_the_printable_record_read_in_chinese(officer):
    held, _, _ = member_with_every_row()
    html = _page(officer, reverse("privacy:member", args=[held.card_number]))
    assert "数据权利" in html and "查找会员" in html  # the breadcrumbs
    assert "下载记录（JSON）" in html and "打开可打印的记录" in html  # the buttons
    assert "各渠道当前的同意状态" in html and "所持数据" in html
    assert "资料与同意" in html and "购物篮及其明细" in html  # the sections
    assert "删除此会员…" in html
    _absent(
        html,
        "Download the record",
        "Open the printable record",
        "Consent now, by channel",
        "What is held",
        "Profile and consent",
        "Baskets and their lines",
        "Erase this member",
        "rows in all",
    )
    record = _page(officer, reverse("privacy:export_html", args=[held.card_number]))
    assert f"会员俱乐部持有的关于会员卡 {held.card_number} 的数据" in record
    assert "审计记录：谁查看或更改了会员的数据" in record and "积分账本" in record
    _absent(record, "What the loyalty club holds", "Audit trail:", "Points ledger", "row in all")
    # The columns: headed in Chinese (the JSON export keeps the field names).
    assert '<th scope="row">会员卡号</th>' in record and '<th scope="col">购买时间</th>' in record
    _absent(record, ">card number</th>", ">purchased at</th>", ">first name</th>")


def test_every_column_of_the_record_has_a_heading_to_translate():
    columns = {name.replace("__", " ").replace("_", " ") for t in all_tables() for name in t.fields}
    assert columns - set(HEADINGS) == set(), "add them to apps/rights/access/headings.py"


def test_the_exported_record_names_its_sections_in_chinese_and_keeps_its_keys(officer):
    held, _, _ = member_with_every_row()
    record = officer.get(reverse("privacy:export_json", args=[held.card_number])).json()
    titles = [section["title"] for section in record["sections"]]
    assert "资料与同意" in titles and "Profile and consent" not in titles
    # What a program reads stays as it is: keys, model labels, field names.
    assert record["format"] == "loyalty-club member record"
    profile = record["sections"][0]["tables"][0]
    assert profile["model"] == "members.member" and "card_number" in profile["fields"]


def test_the_erase_page_and_a_wrong_card_read_in_chinese(officer, member):
    url = reverse("privacy:erase", args=[CARD])
    html = _page(officer, url)
    assert f"会员卡 {CARD}" in html  # the breadcrumb
    assert "此操作无法撤销。" in html and "删除或替换" in html and "作为匿名历史保留" in html
    assert "再次输入会员卡号" in html and "永久删除</button>" in html
    _absent(html, "cannot be undone", "Removed or replaced", "Erase for good", "Type the card")
    wrong = officer.post(url, {"member": member.pk, "card_number": "1", "reference": "Anna"})
    assert wrong.status_code == 400
    page = wrong.content.decode()
    assert "这不是所显示会员的会员卡号。" in page
    assert "请填写请求的工单编号" in page
    _absent(page, "This is not the card number", "Give the request's ticket number")


def test_the_result_of_an_erasure_reads_in_chinese(officer, member):
    url = reverse("privacy:erase", args=[CARD])
    done = officer.post(url, {"member": member.pk, "card_number": CARD, "reference": "DPO-1"})
    html = _page(officer, done["Location"])
    assert "会员已删除" in html and "假名编号" in html and "会员本人的请求" in html
    _absent(html, "Member erased", "Pseudonymous number", "The member's request")


def test_a_bad_batch_file_says_why_in_chinese(officer, member):
    url = reverse("privacy:erase_batch")
    html = _page(officer, url)
    assert "批量删除会员" in html and "上传并预览" in html and "尚未上传任何批次。" in html
    _absent(html, "Erase a batch of members", "Upload and preview", "No batch uploaded")
    upload = SimpleUploadedFile("cards.csv", b"card\n400000000017\n", content_type="text/csv")
    response = officer.post(url, {"file": upload, "reference": "DPO-2026-0141"})
    assert response.status_code == 400
    page = response.content.decode()
    quoted = "第一行必须是包含列名 &#x27;card_number&#x27; 的表头（实际为 &#x27;card&#x27;）。"
    assert quoted in page
    _absent(page, "The first line must be a header")


def test_a_batch_previews_and_runs_in_chinese(officer, member):
    MemberFactory(card_number="400000000025")
    data = b"card_number\n400000000017\n400000000025\n999\n"
    upload = SimpleUploadedFile("cards.csv", data, content_type="text/csv")
    created = officer.post(
        reverse("privacy:erase_batch"), {"file": upload, "reference": "DPO-2026-0141"}
    )
    preview = _page(officer, created["Location"])
    assert "永久删除 2 名会员</button>" in preview and "未匹配到会员" in preview
    assert "1：第 4 行" in preview  # one card matched no one: its line
    _absent(preview, "members for good", "Matching no member", ": line 4")

    officer.post(created["Location"])  # confirm (the task is queued on commit: run it here)
    job = Job.objects.get(kind=KIND)
    batch_run(job_id=job.pk)
    job.refresh_from_db()
    assert job.status == JobStatus.SUCCEEDED and job.message == "2 members erased"  # stored
    html = _page(officer, reverse("privacy:erase_batch_job", args=[job.pk]))
    assert "已删除 2 名会员" in html and "批次中的会员" in html
    _absent(html, "members erased", "Members in the batch", "Batch erasure")
    progress = officer.get(reverse("privacy:erase_batch_progress", args=[job.pk])).json()
    assert progress["message"] == "已删除 2 名会员"


def test_english_stays_the_default(client, privacy_user, member):
    client.force_login(privacy_user)
    html = _page(client, reverse("privacy:erase", args=[CARD]))
    assert "This cannot be undone." in html and "Erase for good" in html
    assert "此操作无法撤销" not in html


def test_the_retention_command_speaks_the_active_language(settings, capsys):
    settings.CRM_RETENTION_BASKET_YEARS = 0
    settings.CRM_RETENTION_INACTIVE_YEARS = 0
    with translation.override("zh-hans"):
        call_command("retention_run")
    out = capsys.readouterr().out
    assert "保留期限规则已关闭：无需处理。" in out and "Retention is off" not in out

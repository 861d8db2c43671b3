"""Settlement statements in Simplified Chinese: what a manufacturer and marketing read.

Statuses, table headers, section titles, budget labels, form errors and the services'
messages come from Python (apps.agreements): they follow the user's language. The English
pages are pinned by tests/agreements/test_views.py.
"""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse

from tests.agreements.test_views import body, csv_rows, make, statements  # noqa: F401


def in_chinese(user):
    user.language = "zh-hans"
    user.save(update_fields=["language"])
    return user


def test_a_manufacturer_reads_its_statements_in_chinese(client, statements, manufacturer_a_user):  # noqa: F811
    client.force_login(in_chinese(manufacturer_a_user))
    page = client.get(reverse("settlement:list")).content.decode()
    for header in ("对账单", "协议", "应付金额", "发送日期", "付款日期"):  # sortable headers
        assert f'">{header}</a>' in page, header
    assert ">已发送</span>" in page and ">已付款</span>" in page  # the status badges
    for english in (">Statement<", ">Amount due<", ">Sent<", ">Paid<", ">Agreement<"):
        assert english not in page, english
    rows = csv_rows(client.get(reverse("settlement:list") + "?_export=csv"))
    assert sorted(x["对账单"] for x in rows) == sorted(
        [statements["feb"].number, statements["march"].number]
    )

    page = client.get(statements["march"].get_absolute_url()).content.decode()
    assert "本周期内的兑换" in page and "预算上限" in page and "尚未使用" in page
    for english in ("Redemptions in the period", "Budget cap", "Not yet used", "Used by"):
        assert english not in page, english


def test_another_makers_statement_in_chinese_answers_as_a_missing_one(
    client,
    statements,  # noqa: F811
    manufacturer_a_user,
):
    client.force_login(in_chinese(manufacturer_a_user))
    for name in ("settlement:detail", "settlement:csv"):
        missing = client.get(reverse(name, args=[999999]))
        assert missing.status_code == 404
        for other in ("bolt", "april"):
            response = client.get(reverse(name, args=[statements[other].pk]))
            assert (response.status_code, body(response)) == (404, body(missing)), other


def test_marketing_gets_the_statement_forms_errors_in_chinese(
    client, february_march, marketing_user
):
    client.force_login(in_chinese(marketing_user))
    page = client.get(reverse("settlement:create")).content.decode()
    assert "第一天" in page and "最后一天（含）" in page
    assert "Acme condiments 2026（" in page and "，有效）" in page  # the agreement choices
    data = {"agreement": february_march["agreement"].pk, "period_start": "2026-03-31",
            "period_end": "2026-03-01"}  # fmt: skip
    page = client.post(reverse("settlement:create"), data).content.decode()
    assert "周期的结束日期不能早于开始日期。" in page
    assert "The period must end" not in page

    make(february_march, marketing_user, send=True)
    data |= {"period_start": "2026-03-10", "period_end": "2026-03-20"}
    page = client.post(reverse("settlement:create"), data).content.decode()
    assert "（已发送）已覆盖2026年3月1日至2026年3月31日。" in page
    assert "already covers" not in page


def test_marketing_reads_the_transitions_in_chinese(client, february_march, marketing_user):
    client.force_login(in_chinese(marketing_user))
    statement = make(february_march, marketing_user, dt.date(2026, 3, 1), dt.date(2026, 3, 31))
    page = client.post(
        reverse("settlement:send", args=[statement.pk]), {"note": "e-mailed"}, follow=True
    ).content.decode()
    assert f"对账单 {statement.number} 已标记为已发送。" in page
    assert "草稿 → 已发送" in page and "marked sent" not in page  # the trail
    page = client.post(reverse("settlement:send", args=[statement.pk]), follow=True)
    assert f"{statement.number} 的状态已是“已发送”。" in page.content.decode()
    page = client.get(reverse("settlement:edit", args=[statement.pk]), follow=True)
    assert "：无法编辑。" in page.content.decode()


@pytest.mark.parametrize("language, text", [("en", "Budget cap"), ("zh-hans", "预算上限")])
def test_the_budget_labels_follow_the_language(language, text):
    from django.utils import translation

    from apps.agreements.selectors import BUDGET_LABELS

    with translation.override(language):
        assert str(BUDGET_LABELS["cap"]) == text

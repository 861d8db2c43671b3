"""The portal in Simplified Chinese: what a manufacturer signed in with 简体中文 reads.

Headings, section titles, table headers, notes, statuses and chart titles come from Python
(apps.portal.report, sections, charts): they must follow the user's language, and the CSV
export a Chinese user downloads is in Chinese too (no import reads it back). English pages
are pinned by the other tests of this package.
"""

from __future__ import annotations

import io
import json
import re

import pytest
from django.core.management import call_command
from django.urls import reverse

from tests.portal.test_views import MARCH, body, csv_rows, release_march, report_urls, tables_of

ENGLISH_LEFT_OVER = [
    "Redemptions you fund",
    "Category sales to club members",
    "New, retained and lost buyers",
    "Funded by you",
    "Discount given",
    "Figures are perturbed",
    "Perturbed to protect shoppers",
    "Compared with the month before",
    "All categories",
    "Your brands",
    "withheld",
    "March 2026",
]


@pytest.fixture
def chinese_maker(manufacturer_a_user):
    manufacturer_a_user.language = "zh-hans"
    manufacturer_a_user.save(update_fields=["language"])
    return manufacturer_a_user


def text_of(response) -> str:
    """The page's text and titles: without the JSON of its charts and the class names."""
    page = response.content.decode()
    page = re.sub(r'<script id="[a-z-]+-figure" type="application/json">.*?</script>', "", page,
                  flags=re.S)  # fmt: skip
    return re.sub(r' class="[^"]*"', "", page)


def figure(response, name: str) -> dict:
    found = re.search(
        rf'<script id="{name}" type="application/json">(.*?)</script>',
        response.content.decode(),
        re.S,
    )
    return json.loads(found[1])


def test_the_home_page_in_chinese(client, world, chinese_maker):
    client.force_login(chinese_maker)
    page = client.get(reverse("portal:index")).content.decode()
    assert "您的协议" in page and "<td>有效</td>" in page  # the status of the agreement
    assert "Active" not in page
    # One sentence in Chinese punctuation: no English full stop and space inside it.
    assert (
        "的隐私预算：尚未使用。每发布一个月都会消耗一部分；已发布的月份再次查看不再消耗。" in page
    )
    assert "尚未使用. " not in page and "Privacy budget of" not in page


def test_the_agreement_report_in_chinese(client, world, chinese_maker):
    client.force_login(chinese_maker)
    assert release_march(client, world).status_code == 302
    response = client.get(reverse("portal:agreement", args=[world["agreement"].pk]), MARCH)
    page = text_of(response)
    assert "2026年3月" in page  # the month in the heading
    for title in ("您出资的兑换（按品类）", "您出资的兑换（按周）",
                  "按品牌类型划分的品类会员销售额", "您品牌的新增、留存和流失购买者"):  # fmt: skip
        assert f">{title}</h2>" in page, title
    for header in ("由您承担（$）", "已给折扣（$）", "您的品牌（$）", "周起始日（周一）"):
        assert header in page, header
    assert "所有品类" in page and "与上月（2026年2月）相比。" in page
    assert "为保护购物者，数字均经过扰动：" in page and "十次中有九次如此。" in page
    for english in ENGLISH_LEFT_OVER:
        assert english not in page, english

    weekly, sales = figure(response, "weekly-figure"), figure(response, "sales-figure")
    assert weekly["layout"]["title"]["text"] == "您承担的折扣金额（按周）"
    assert weekly["layout"]["xaxis"]["title"]["text"] == "周起始日（周一）"
    assert weekly["layout"]["yaxis"]["title"]["text"] == "您承担（$）"
    assert weekly["data"][0]["name"] == "由您承担"
    assert weekly["data"][0]["hovertemplate"].startswith("%{x} 当周：")
    assert sales["layout"]["title"]["text"] == "按品牌类型划分的会员销售额"
    assert [t["name"] for t in sales["data"][:3]] == ["您的品牌", "其他全国品牌", "自有品牌"]
    charts = json.dumps([weekly, sales], ensure_ascii=False)
    for english in ("Funded by you", "Week of", "Member sales", "Your brands", "Sales ($)"):
        assert english not in charts, english


def test_the_category_page_in_chinese(client, world, chinese_maker):
    client.force_login(chinese_maker)
    release_march(client, world)
    response = client.get(report_urls(world)["portal:category"], MARCH)
    page = text_of(response)
    assert "按忠诚度 × 使用层级细分单元划分的您品牌购买者" in page
    assert "转换：按主要品牌类型划分的购买者，上月 → 本月" in page
    assert "全国品牌忠诚" in page and "高使用层级" in page and "未购买该品类" in page
    # The snapshot's days, stored in English in the release, written the Chinese way.
    assert "细分单元来自2025年3月1日至2026年2月28日的细分快照。" in page
    assert "Cells from the segment snapshot" not in page and "Loyalty in the category" not in page
    cells = figure(response, "cells-figure")
    assert cells["layout"]["title"]["text"] == "按细分单元划分的您品牌购买者"


def test_the_export_in_chinese(client, world, chinese_maker, tmp_path):
    client.force_login(chinese_maker)
    release_march(client, world)
    response = client.get(reverse("portal:agreement_export", args=[world["agreement"].pk]), MARCH)
    rows = csv_rows(response)
    assert rows[0] == ["制造商", "协议", "月份", "首日", "末日", "发布时间", "已用ε", "隐私保护"]
    assert rows[1][7].startswith("为保护购物者，数字均经过扰动：")
    tables = tables_of(rows)
    assert "您出资的兑换（按品类）" in tables
    assert tables["您出资的兑换（按品类）"][0] == [
        "品类", "兑换次数", "件数", "已给折扣（$）", "由您承担（$）", "已给奖励积分",
        "已兑换的会员",
    ]  # fmt: skip
    assert "Ketchup：按品牌类型划分的会员销售额" in tables
    text = response.content.decode()
    for english in ("manufacturer", "first_day", "Redemptions you fund", "Category", "withheld"):
        assert english not in text, english

    # The command writes the same file in the language asked for.
    out = io.StringIO()
    call_command("export_manufacturer_report", "--manufacturer", "ACME", "--month", "2026-03",
                 "--language", "zh-hans", stdout=out)  # fmt: skip
    assert out.getvalue().replace("\r\n", "\n") == text.replace("\r\n", "\n")


def test_another_makers_report_in_chinese_answers_as_a_missing_one(
    client, world, manufacturer_b_user
):
    manufacturer_b_user.language = "zh-hans"
    manufacturer_b_user.save(update_fields=["language"])
    client.force_login(manufacturer_b_user)
    missing = client.get(reverse("portal:agreement", args=[999999]))
    assert missing.status_code == 404
    for name, url in report_urls(world).items():
        response = client.get(url, MARCH)
        assert (response.status_code, body(response)) == (404, body(missing)), name

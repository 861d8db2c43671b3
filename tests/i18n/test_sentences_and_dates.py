"""Sentences built in Python and dates, in Simplified Chinese (issue 23).

The member-value page, offer descriptions, campaign history lines and form errors, and the
dates pages spell out with an explicit pattern ("M j, Y"): in Chinese they follow the
language ("2026年6月30日"); the English pages keep their words and "Jun 30, 2026" (pinned by
the segments, campaigns and reports tests, and once more here).
"""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal

import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import translation

from apps.campaigns.models import Campaign
from apps.core.dates import local_date
from apps.segments.models import RepeatModelFit
from tests.campaigns.helpers import campaign_for, form_data, offer_for
from tests.factories import CategoryFactory, MemberFactory, ProductFactory

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(not settings.USE_I18N, reason="translation is off in these settings"),
]

ZH = {"HTTP_ACCEPT_LANGUAGE": "zh-hans"}
# An English month abbreviation anywhere in a page ("Dec", "Jun"), as a word of its own.
ENGLISH_MONTH = re.compile(r"\b(Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec)\b")


def a_fit() -> RepeatModelFit:
    return RepeatModelFit.objects.create(
        calibration_end=dt.date(2026, 6, 30), r=0.25, alpha=4.4, a=0.8, b=2.4,
        bgnbd_log_likelihood=-100.0, p=6.25, q=3.74, gamma=15.44,
        gamma_gamma_log_likelihood=-50.0, members=5, repeat_buyers=4,
    )  # fmt: skip


def test_the_member_value_page_in_chinese(client, marketing_user):
    a_fit()
    client.force_login(marketing_user)
    page = client.get(reverse("segments:member_value"), **ZH).content.decode()
    assert "<title>会员价值" in page or "会员价值" in page
    assert "当前拟合" in page and "重新拟合模型" in page and "挽回名单" in page
    assert "历史数据截至 2026年6月30日" in page
    for english in ("Live fit", "Fit the models again", "Win-back list", "History up to",
                    "repeat buyers", "Member value"):  # fmt: skip
        assert english not in page, english
    assert not ENGLISH_MONTH.search(page), ENGLISH_MONTH.search(page)


def test_the_member_value_page_in_english_keeps_its_words_and_dates(client, marketing_user):
    a_fit()
    client.force_login(marketing_user)
    page = client.get(reverse("segments:member_value")).content.decode()
    assert "Live fit" in page and "History up to Jun 30, 2026" in page
    assert "年" not in page


def test_a_fit_form_error_in_chinese(client, marketing_user):
    MemberFactory()
    client.force_login(marketing_user)
    response = client.post(reverse("segments:member_value"), {"calibration_end": "2031-01-01"},
                           **ZH)  # fmt: skip
    assert "还没有购物篮：没有可拟合的历史数据。" in response.content.decode()


def test_offer_descriptions_in_chinese():
    category = CategoryFactory(name="Ketchup")
    campaign = campaign_for(category, ["national-3"])
    amount = offer_for(campaign, 3, discount_value=Decimal("1.50"), min_quantity=2)
    percent = offer_for(campaign, 2, discount_kind="percent", discount_value=Decimal("20"))
    with translation.override("en"):
        assert amount.discount_text == "$1.50 off when you buy 2"
        assert percent.discount_text == "20% off"
        assert amount.target_text == "Store brand"
    with translation.override("zh-hans"):
        assert amount.discount_text == "购买 2 件时立减 $1.50"
        assert percent.discount_text == "优惠 20%"
        assert amount.target_text == "自有品牌"
        assert amount.tier_text == "高使用层级"


def test_campaign_history_and_dates_in_chinese(client, marketing_user):
    ketchup = CategoryFactory(name="Ketchup")
    ProductFactory(category=ketchup, brand_type="store", brand="Our Own")
    client.force_login(marketing_user)
    client.post(reverse("campaigns:create"), form_data(ketchup), **ZH)
    campaign = Campaign.objects.get()

    page = client.get(campaign.get_absolute_url(), **ZH).content.decode()
    assert "高使用层级的优惠已创建" in page and "营销活动已创建" in page
    assert "立减 $1.50" in page  # the offer's description in the offers table
    start = campaign.valid_from
    assert f"{start.year}年{start.month}月{start.day}日" in page
    assert "Offer for high usage created" not in page and "$1.50 off" not in page
    assert not ENGLISH_MONTH.search(page), ENGLISH_MONTH.search(page)

    english = client.get(campaign.get_absolute_url()).content.decode()
    assert "Offer for high usage created" in english and "$1.50 off" in english
    assert f"{start.day} {start:%b %Y}" in english


def test_a_campaign_form_error_in_chinese(client, marketing_user):
    ketchup = CategoryFactory(name="Ketchup")
    ProductFactory(category=ketchup, brand_type="store", brand="Our Own")
    client.force_login(marketing_user)
    ended = {"valid_from": "2020-01-01", "valid_until": "2020-01-14"}
    page = client.post(reverse("campaigns:create"), form_data(ketchup, **ended), **ZH)
    html = page.content.decode()
    assert "该营销活动的日期已于 2020年1月14日 星期二 结束" in html
    assert "dates ended on" not in html
    percent = form_data(ketchup, **{"offers-1-discount_value": "150"})
    html = client.post(reverse("campaigns:create"), percent, **ZH).content.decode()
    assert "百分比最多为 100。" in html and "A percentage is at most 100." not in html


def test_member_pages_dates_in_chinese(client, marketing_user):
    member = MemberFactory(joined_on=dt.date(2026, 12, 4), first_name="", last_name="")
    client.force_login(marketing_user)
    page = client.get(member.get_absolute_url(), **ZH).content.decode()
    assert "2026年12月4日" in page
    assert "Dec 4, 2026" not in page
    english = client.get(member.get_absolute_url()).content.decode()
    assert "Dec 4, 2026" in english


def test_local_date_follows_the_language():
    day = dt.date(2026, 12, 4)
    moment = dt.datetime(2026, 12, 4, 15, 8)
    with translation.override("en"):
        assert local_date(day, "M j, Y") == "Dec 4, 2026"
        assert local_date(day, "D j M Y") == "Fri 4 Dec 2026"
        assert local_date(day, "Y-m-d") == "2026-12-04"
    with translation.override("zh-hans"):
        assert local_date(day, "M j, Y") == "2026年12月4日"
        assert local_date(day, "M j") == "12月4日"
        assert local_date(day, "M Y") == "2026年12月"
        assert local_date(moment, "M j, Y H:i") == "2026年12月4日 15:08"
        assert local_date(day, "D j M Y") == "2026年12月4日 星期五"
        assert local_date(day, "Y-m-d") == "2026-12-04"  # no words: as it is


def test_the_next_snapshot_note_in_chinese():
    from apps.reports import wording
    from apps.reports.selectors.timing import NextSnapshot

    upcoming = NextSnapshot(day=dt.date(2026, 2, 2), segments_at="02:30", reports_at="04:00")
    with translation.override("zh-hans"):
        note = wording.next_snapshot(dt.date(2026, 1, 1), upcoming)
    assert note == (
        "细分计算满两个月后显示；目前只有 2026年1月。 "
        "下个月的将随 2月2日 星期一 的每晚运行生成（细分于 02:30，本页于 04:00）。"
    )

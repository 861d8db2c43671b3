"""The marketing pages in Simplified Chinese: campaigns and the dashboard (issue 23).

Runs once the settings turn translation on (USE_I18N with LocaleMiddleware); the English
pages are pinned by the campaigns and reports tests.
"""

from __future__ import annotations

import pytest
from django.conf import settings
from django.urls import reverse

from tests.campaigns.helpers import form_data
from tests.factories import CategoryFactory, ProductFactory

pytestmark = pytest.mark.skipif(
    not settings.USE_I18N, reason="translation is off in these settings (issue 23 turns it on)"
)

ZH = {"HTTP_ACCEPT_LANGUAGE": "zh-hans"}


def test_campaign_list_and_detail_in_chinese(client, marketing_user):
    ketchup = CategoryFactory(name="Ketchup")
    ProductFactory(category=ketchup, brand_type="store", brand="Our Own")
    client.force_login(marketing_user)
    client.post(reverse("campaigns:create"), form_data(ketchup), **ZH)

    page = client.get(reverse("campaigns:list"), **ZH).content.decode()
    assert "<h1" in page and "营销活动" in page
    assert "按忠诚度 × 使用层级细分单元的优惠，设对照组" in page
    assert "新建营销活动" in page
    assert "草稿" in page  # the status badge, a model choice
    assert "offers per loyalty × usage cell" not in page

    from apps.campaigns.models import Campaign

    detail = client.get(Campaign.objects.get().get_absolute_url(), **ZH).content.decode()
    assert "各使用层级的优惠" in detail and "分配预览" in detail
    assert "Offers per usage tier" not in detail


def test_campaign_form_labels_and_cells_in_chinese(client, marketing_user):
    client.force_login(marketing_user)
    page = client.get(reverse("campaigns:create"), **ZH).content.decode()
    assert "目标细分单元" in page and "保存草稿" in page
    assert "全国品牌忠诚 · 高使用层级" in page  # a cell choice, built lazily
    assert "假定兑换率（%）" in page


def test_dashboard_in_chinese(client, marketing_user):
    client.force_login(marketing_user)
    loyalty = client.get(reverse("reports:loyalty"), **ZH).content.decode()
    assert "营销仪表板" in loyalty and "忠诚度 × 使用层级细分单元" in loyalty
    assert "Marketing dashboard" not in loyalty
    redemption = client.get(reverse("reports:redemption"), **ZH).content.decode()
    assert "相对对照组的提升" in redemption and "方法" in redemption


def test_english_is_unchanged(client, marketing_user):
    client.force_login(marketing_user)
    page = client.get(reverse("campaigns:list"), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "offers per loyalty × usage cell, with a holdout" in page

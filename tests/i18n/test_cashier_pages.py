"""The cashier's lookup page in Simplified Chinese (issue 23).

Runs only when the site is translated (settings.USE_I18N with LocaleMiddleware, turned on by
the i18n foundation) and the catalog is compiled (`manage.py compilemessages`): the browser's
Accept-Language picks the language, and English stays the default.
"""

from __future__ import annotations

import datetime as dt

import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import timezone

from tests.factories import BasketFactory, MemberFactory

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(not settings.USE_I18N, reason="the site is not translated yet"),
]

SCREEN = reverse("members:lookup")
CARD = "400000000017"
ZH = {"HTTP_ACCEPT_LANGUAGE": "zh-hans"}
EN = {"HTTP_ACCEPT_LANGUAGE": "en"}


@pytest.fixture
def cashier(client, cashier_user):
    client.force_login(cashier_user)
    return client


@pytest.fixture
def ada(db):
    member = MemberFactory(card_number=CARD, first_name="Ada", last_name="Lovelace")
    BasketFactory(member=member, purchased_at=timezone.now() - dt.timedelta(days=2))
    return member


def test_a_card_scan_reads_in_chinese(cashier, ada):
    html = cashier.get(SCREEN, {"q": CARD}, **ZH).content.decode()
    assert "扫描会员卡或购物清单，或输入电话号码或姓名" in html  # the lookup's label
    assert "通过会员卡号找到" in html  # found by card number
    assert "会员卡有效" in html  # card active
    assert "最近到店记录" in html  # recent visits
    assert "尚无购物清单" in html  # no list yet
    assert "Found by card number" not in html and "Recent visits" not in html


def test_a_miss_reads_in_chinese(cashier, ada):
    html = cashier.get(SCREEN, {"q": "999999999999"}, **ZH).content.decode()
    assert "未找到会员" in html
    assert "没有匹配的会员卡、购物清单或电话号码" in html


def test_english_stays_the_default(cashier, ada):
    html = cashier.get(SCREEN, {"q": CARD}, **EN).content.decode()
    assert "Found by card number" in html and "Recent visits" in html
    assert "通过会员卡号找到" not in html

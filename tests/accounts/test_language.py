"""The language of the pages: the user's choice, else the browser's; the one-click switch."""

from __future__ import annotations

import re

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse

from apps.accounts.context_processors import NAVIGATION
from apps.accounts.models import Role
from tests.factories import UserFactory

ENGLISH_LABELS = [str(label) for label, _, _ in NAVIGATION]


def navbar(response) -> str:
    match = re.search(r"<nav\b.*?</nav>", response.content.decode(), re.S)
    assert match, "no navbar"
    return match.group(0)


def html_lang(response) -> str:
    return re.search(r'<html lang="([^"]+)"', response.content.decode()).group(1)


@pytest.fixture
def chinese_marketing(db):
    return UserFactory(username="li", role=Role.MARKETING, language="zh-hans")


def test_a_chinese_speaking_user_gets_the_navigation_in_chinese(client, chinese_marketing):
    client.force_login(chinese_marketing)
    response = client.get(reverse("members:list"))
    nav = navbar(response)
    for chinese in ["扫描", "会员", "细分", "导入", "营销活动", "购物清单", "积分", "结算", "报表"]:
        assert f">{chinese}</a>" in nav
    assert "退出登录" in nav and "市场部" in nav  # sign out, the role
    assert "会员俱乐部 CRM" in nav
    leftover = [label for label in ENGLISH_LABELS + ["Sign out", "Marketing"] if label in nav]
    assert not leftover, leftover
    assert html_lang(response) == "zh-hans"
    assert response["Content-Language"] == "zh-hans"
    # The switch offers English back.
    assert 'name="language" value="en"' in nav and ">EN</button>" in nav


def test_a_manufacturer_sees_the_portal_navigation_in_chinese(client, manufacturer_a_user):
    manufacturer_a_user.language = "zh-hans"
    manufacturer_a_user.save()
    client.force_login(manufacturer_a_user)
    nav = navbar(client.get(reverse("portal:index")))
    assert ">门户</a>" in nav and ">结算</a>" in nav and "制造商" in nav
    assert "Portal" not in nav and "Settlement" not in nav


def test_the_error_pages_speak_the_users_language(client, db):
    cashier = UserFactory(username="wang", role=Role.CASHIER, language="zh-hans")
    client.force_login(cashier)
    refused = client.get(reverse("members:list"))
    assert refused.status_code == 403
    assert "您无权访问此页面" in refused.content.decode()
    missing = client.get("/no-such-page/")
    assert missing.status_code == 404
    assert "页面未找到" in missing.content.decode()
    assert "Page not found" not in missing.content.decode()


def test_the_browsers_language_is_used_when_the_user_chose_none(client, marketing_user):
    assert marketing_user.language == ""
    anonymous = Client(HTTP_ACCEPT_LANGUAGE="zh-Hans,zh;q=0.9,en;q=0.5")
    login_page = anonymous.get(reverse("login")).content.decode()
    assert '<h1 class="h4 mb-3">登录</h1>' in login_page and "用户名" in login_page
    client.force_login(marketing_user)
    nav = navbar(client.get(reverse("members:list"), HTTP_ACCEPT_LANGUAGE="zh-CN,zh;q=0.9"))
    assert ">营销活动</a>" in nav and "Campaigns" not in nav


def test_the_users_choice_wins_over_the_browser(client, db):
    user = UserFactory(username="amy", role=Role.MARKETING, language="en")
    client.force_login(user)
    nav = navbar(client.get(reverse("members:list"), HTTP_ACCEPT_LANGUAGE="zh-Hans"))
    assert ">Campaigns</a>" in nav and "营销活动" not in nav


def test_english_is_unchanged_by_default(client, marketing_user):
    assert client.get(reverse("login")).content.decode().count(">Sign in<") == 2
    client.force_login(marketing_user)
    response = client.get(reverse("members:list"))
    nav = navbar(response)
    for label in ["Scan", "Members", "Campaigns", "Lists", "Reports", "Jobs"]:
        assert f">{label}</a>" in nav
    assert "Sign out" in nav and "Marketing" in nav
    assert html_lang(response) == "en"
    assert 'name="language" value="zh-hans"' in nav and ">中文</button>" in nav


def switch(client, language: str, page: str):
    """The navbar's switch pressed on `page` (a path of this site, else a whole Referer)."""
    referer = (
        f"http://testserver{page}" if page.startswith("/") and not page.startswith("//") else page
    )
    return client.post(reverse("set_language"), {"language": language}, HTTP_REFERER=referer)


def test_the_switch_stores_the_choice_and_goes_back(client, marketing_user):
    client.force_login(marketing_user)
    response = switch(client, "zh-hans", "/members/?page=2")
    assert response.status_code == 302 and response["Location"] == "/members/?page=2"
    marketing_user.refresh_from_db()
    assert marketing_user.language == "zh-hans"
    assert ">营销活动</a>" in navbar(client.get(reverse("members:list")))
    switch(client, "en", "/members/")
    marketing_user.refresh_from_db()
    assert marketing_user.language == "en"


def test_the_switch_echoes_nothing_of_the_pages_address(client, marketing_user):
    client.force_login(marketing_user)
    nav = navbar(client.get(reverse("members:lookup"), {"q": "(515) 555-0142"}))
    # Not the query (a phone number typed on the scan screen), not even the path.
    assert "555-0142" not in nav and 'name="next"' not in nav
    response = switch(client, "zh-hans", "/members/lookup/?q=%28515%29+555-0142")
    assert response["Location"] == "/members/lookup/?q=%28515%29+555-0142"
    response = switch(client, "zh-hans", "http://evil.example/members/lookup/?q=1")
    assert response["Location"] == reverse("home")


def test_the_switch_is_the_same_on_every_page(client, marketing_user):
    """A 404 for one id must read as a 404 for another (tests/agreements: statements)."""
    client.force_login(marketing_user)
    action = reverse("set_language")
    form = re.compile(rf'<form method="post" action="{action}".*?</form>', re.S)
    csrf = re.compile(r'name="csrfmiddlewaretoken" value="[^"]+"')
    pages = ["/members/", "/members/?page=2", "/no/such/page/"]
    forms = {
        csrf.sub("", form.search(client.get(page).content.decode()).group(0)) for page in pages
    }
    assert len(forms) == 1


UNSAFE = ["https://evil.example/", "//evil.example/x", "http://testserver.evil.example/"]


@pytest.mark.parametrize("referer", [*UNSAFE, "", "javascript:alert(1)"])
def test_the_switch_goes_back_only_to_this_site(client, marketing_user, referer):
    client.force_login(marketing_user)
    response = switch(client, "zh-hans", referer)
    assert response.status_code == 302
    assert response["Location"] == reverse("home")


def test_the_switch_ignores_an_unknown_language_and_refuses_a_get(client, marketing_user):
    client.force_login(marketing_user)
    response = switch(client, "fr", "/members/")
    assert response.status_code == 302 and response["Location"] == "/members/"
    assert client.get(reverse("set_language")).status_code == 405
    marketing_user.refresh_from_db()
    assert marketing_user.language == ""


def test_the_switch_needs_the_csrf_token(marketing_user):
    client = Client(enforce_csrf_checks=True)
    client.force_login(marketing_user)
    assert switch(client, "zh-hans", "/members/").status_code == 403
    marketing_user.refresh_from_db()
    assert marketing_user.language == ""


def test_a_visitor_not_signed_in_switches_this_browser(client, db):
    response = switch(client, "zh-hans", reverse("login"))
    assert response["Location"] == reverse("login")
    assert response.cookies[settings.LANGUAGE_COOKIE_NAME].value == "zh-hans"
    assert "用户名" in client.get(reverse("login")).content.decode()


@pytest.mark.parametrize(("domain", "at_least"), [("django", 50), ("djangojs", 40)])
def test_the_catalog_is_complete(domain, at_least):
    """Every message translated, none fuzzy (the catalogs are hand-translated: docs/i18n.md):
    the pages' (django) and the scripts' (djangojs)."""
    po = (settings.BASE_DIR / f"locale/zh_Hans/LC_MESSAGES/{domain}.po").read_text("utf-8")
    entries = po.split("\n\n")[1:]  # the header first
    assert len(entries) >= at_least
    fuzzy = [e for e in entries if "#, fuzzy" in e]
    empty = [e for e in entries if re.search(r'^msgstr(\[\d\])? ""\Z', e.strip(), re.M)]
    assert not fuzzy and not empty, (fuzzy, empty)


def test_dates_follow_the_language_and_money_reads_the_same_in_both():
    import datetime as dt
    from decimal import Decimal

    from django.template import Context, Template
    from django.utils import translation

    page = Template("{% load money %}{{ day|date }} · {{ amount|money }} · {{ credit|money }}")
    context = Context({"day": dt.date(2026, 12, 7), "amount": Decimal("1234.5"), "credit": -2})
    with translation.override("en"):
        assert page.render(context) == "7 Dec 2026 · $1,234.50 · −$2.00"
    with translation.override("zh-hans"):
        assert page.render(context) == "2026年12月7日 · $1,234.50 · −$2.00"

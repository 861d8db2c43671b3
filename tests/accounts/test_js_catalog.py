"""The scripts' message catalog (static/js through Django's JavaScriptCatalog): its language,
its address on every page, and how long a browser keeps it."""

from __future__ import annotations

import json
import re

import pytest
from django.urls import reverse

from apps.accounts.jscatalog import catalog_version
from apps.accounts.models import Role
from tests.factories import UserFactory

# Translations of static/js/choice-filter.js and reports-tables.js (djangojs.po).
FIND_A_CATEGORY = "按名称或部门查找品类"
TABLE_NOT_LOADED = "表格无法加载：请刷新页面。"


def catalog_src(response) -> str:
    """The address of the catalog's <script> in a page (before any other script)."""
    page = response.content.decode()
    scripts = re.findall(r'<script src="([^"]+)"', page)
    assert scripts, "no script"
    assert scripts[0].startswith(reverse("javascript_catalog")), scripts
    return scripts[0].replace("&amp;", "&")


def has(response, text: str) -> bool:
    return json.dumps(text) in response.content.decode()  # the catalog is JSON in the script


@pytest.fixture
def chinese_cashier(db):
    return UserFactory(username="zhao", role=Role.CASHIER, language="zh-hans")


def test_a_chinese_speaking_user_gets_the_scripts_messages_in_chinese(client, chinese_cashier):
    client.force_login(chinese_cashier)
    src = catalog_src(client.get(reverse("members:lookup")))
    assert "l=zh-hans" in src
    response = client.get(src)
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/javascript")
    assert has(response, FIND_A_CATEGORY) and has(response, TABLE_NOT_LOADED)
    assert has(response, "%(all)s 项中有 %(shown)s 项匹配")
    assert "Find a category by name or department" in response.content.decode()  # the key
    # The address names the language and the compiled catalog: a browser keeps it a year.
    assert "max-age=31536000" in response["Cache-Control"]
    assert "immutable" in response["Cache-Control"]


def test_english_pages_load_an_english_catalog(client, db):
    cashier = UserFactory(username="qian", role=Role.CASHIER, language="en")
    client.force_login(cashier)
    src = catalog_src(client.get(reverse("members:lookup"), HTTP_ACCEPT_LANGUAGE="zh-hans"))
    assert "l=en" in src
    response = client.get(src, HTTP_ACCEPT_LANGUAGE="zh-hans")
    assert response.status_code == 200
    assert not has(response, FIND_A_CATEGORY)
    assert "globals.gettext = django.gettext" in response.content.decode()


def test_the_sign_in_page_loads_the_browsers_language(client, db):
    page = client.get(reverse("login"), HTTP_ACCEPT_LANGUAGE="zh-hans")
    src = catalog_src(page)
    assert f"v={catalog_version()}" in src
    response = client.get(src)  # not signed in, no Accept-Language: the address decides
    assert response.status_code == 200
    assert has(response, FIND_A_CATEGORY)


def test_without_its_version_the_catalog_is_not_kept(client, db):
    """An address not made by the pages (an old version, no language) follows the page's
    language and is asked again each time."""
    url = reverse("javascript_catalog")
    response = client.get(url, HTTP_ACCEPT_LANGUAGE="zh-hans")
    assert response.status_code == 200 and has(response, FIND_A_CATEGORY)
    assert "immutable" not in response.get("Cache-Control", "")
    old = client.get(f"{url}?l=zh-hans&v=1", HTTP_ACCEPT_LANGUAGE="en")
    assert has(old, FIND_A_CATEGORY) and "immutable" not in old.get("Cache-Control", "")
    assert client.post(url).status_code == 405

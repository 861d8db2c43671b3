"""Every page of every role, for a user who chose 简体中文: no English left in its frame.

The pages are those of the access matrix (tests/test_access_matrix.py): each URL pattern is
fetched as the first persona allowed to see it, with that user's language set to Chinese.
The frame is what `visible_text.frame_texts` reads: navigation, headings, labels, buttons,
table heads, badges, breadcrumbs. Latin words left there must be data the sample objects
hold (a category's name, a campaign's) or names that stay as they are (PDF, CSV, BG/NBD).
"""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from tests.access_rules import OK, PERSONAS
from tests.i18n.visible_text import WORD, english_words, frame_texts
from tests.test_access_matrix import (  # noqa: F401  (sample_objects: a fixture)
    EXPECTED,
    SAMPLE_KWARGS,
    _fast_passwords,
    sample_objects,
    url_names,
)

# Names and acronyms read the same in both languages, and the sample objects' own data.
ALLOWED = frozenset(
    {
        # acronyms and product names
        "pdf", "csv", "bg", "nbd", "gamma", "api", "id", "utf", "bom", "sql", "pos", "ltv",
        "plotly", "json", "django", "en", "ok", "url", "http", "https", "zip", "gzip", "crm",
        "upc", "axes",
        # the sample objects (tests/test_access_matrix.py, tests/<app>/access.py)
        "ketchup", "switch", "acme", "foods", "beta", "our", "own",
        # a column of an uploaded file, named as the file must name it (card_number, points)
        "points",
        # the personas' user names and the admin's own brand
        "cashier", "marketing", "maker", "admin", "privacy", "vp", "dpo",
    }
)  # fmt: skip


def _data_words() -> frozenset[str]:
    """Every word of the names the sample objects hold: members', categories', products',
    manufacturers', agreements', campaigns'. A page shows them as they were entered."""
    from apps.agreements.models import ManufacturerAgreement
    from apps.campaigns.models import Campaign
    from apps.catalog.models import Category, Manufacturer, Product
    from apps.members.models import Member
    from apps.rewards.models import Tier

    names: list[str] = []
    for first, last in Member.objects.values_list("first_name", "last_name"):
        names += [first, last]
    for model in (Category, Manufacturer, Product, ManufacturerAgreement, Campaign):
        names += model.objects.values_list("name", flat=True)
    names += Category.objects.values_list("department", flat=True)
    names += Tier.objects.values_list("name", flat=True)  # tiers are named by the programme
    return frozenset(w.lower() for name in names for w in WORD.findall(name or ""))


def _html_pages() -> list[str]:
    """URL names some persona may GET (status 200), in URL order."""
    names = []
    for name in url_names():
        row = EXPECTED.get(name, {})
        if any(row.get(p) == OK for p in PERSONAS):
            names.append(name)
    return names


def _reader(name: str) -> str:
    """The first persona (the admin last) allowed to see the page."""
    row = EXPECTED[name]
    allowed = [p for p in PERSONAS if row[p] == OK]
    return next((p for p in allowed if p != "admin"), allowed[0])


@pytest.mark.parametrize("name", _html_pages())
def test_the_page_has_no_english_in_its_frame(name, personas, sample_objects):  # noqa: F811
    kwargs = SAMPLE_KWARGS[name](sample_objects) if name in SAMPLE_KWARGS else {}
    persona = _reader(name)
    client = Client(HTTP_ACCEPT_LANGUAGE="zh-hans")
    user = personas[persona]
    if user is not None:
        user.language = "zh-hans"
        user.save(update_fields=["language"])
        client.force_login(user)
    response = client.get(reverse(name, kwargs=kwargs))
    assert response.status_code == 200
    if not response["Content-Type"].startswith("text/html"):
        return
    html = response.content.decode()
    assert frame_texts(html), "the page has no frame at all: is the parser reading it?"
    left = english_words(html, ALLOWED | _data_words())
    assert not left, f"{persona} on {name}: English left in the frame:\n" + "\n".join(left)

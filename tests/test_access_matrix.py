"""Every URL × every persona: who gets the page, who is refused, who is sent to sign in.

The URL patterns are read from the URL configuration, so a new page fails this test until
it is added to EXPECTED (who may see it) and, when its URL takes arguments, to SAMPLE_KWARGS
(how to build a concrete URL from the objects `sample_objects` creates). An app may keep its
rows in `tests/<app>/access.py` (EXPECTED, SAMPLE_KWARGS, `add_sample_objects(objects)`).
"""

from __future__ import annotations

import datetime as dt
import importlib
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from django.contrib.auth.hashers import make_password
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from apps.jobs.models import Job
from tests.access_rules import (
    MARKETING,
    NOT_ALLOWED,
    OK,
    PERSONAS,
    REDIRECT,
    SIGNED_IN,
    TILL,
    TO_LOGIN,
    everyone,
    page,
)
from tests.factories import CategoryFactory, MemberFactory

# One row per URL pattern name: persona → expected status. Keep it in URL order.
EXPECTED: dict[str, dict[str, int | str]] = {
    # Home sends every role on to where its work starts (manufacturers: their portal).
    "home": page(*SIGNED_IN, ok=REDIRECT),
    "login": everyone(OK),
    "logout": {**everyone(NOT_ALLOWED), "anonymous": TO_LOGIN},  # POST only
    "members:list": page(*MARKETING),
    "members:lookup": page(*TILL),
    "members:detail": page(*MARKETING),
    "members:consent": page(*MARKETING, ok=NOT_ALLOWED),  # POST only, from the member page
    "baskets:import_list": page(*MARKETING),
    "baskets:import_new": page(*MARKETING),
    "baskets:import_detail": page(*MARKETING),
    "jobs:list": page(*MARKETING),
    "jobs:detail": page(*MARKETING),
    "jobs:progress": page(*MARKETING),
    "segments:list": page(*MARKETING),
    "segments:member_value": page(*MARKETING),
    "segments:detail": page(*MARKETING),
    "segments:cell": page(*MARKETING),
    "campaigns:list": page(*MARKETING),
    "campaigns:create": page(*MARKETING),
    "campaigns:detail": page(*MARKETING),
    "campaigns:edit": page(*MARKETING),
    "campaigns:approve": page(*MARKETING, ok=NOT_ALLOWED),  # POST only
    "campaigns:activate": page(*MARKETING, ok=NOT_ALLOWED),
    "campaigns:end": page(*MARKETING, ok=NOT_ALLOWED),
    "lists:index": page(*MARKETING),
    "lists:detail": page(*MARKETING),
    "lists:pdf": page(*MARKETING),
    # The admin has its own sign-in: everyone but staff is sent there.
    "admin:index": {**everyone(REDIRECT), "admin": OK},
}

# Arguments of the URL patterns that take some, from the objects of `sample_objects`.
SAMPLE_KWARGS: dict[str, Callable[[dict], dict]] = {
    "members:detail": lambda o: {"card_number": o["member"].card_number},
    "members:consent": lambda o: {"card_number": o["member"].card_number},
    "baskets:import_detail": lambda o: {"pk": o["import_job"].pk},
    "jobs:detail": lambda o: {"pk": o["job"].pk},
    "jobs:progress": lambda o: {"pk": o["job"].pk},
    "segments:detail": lambda o: {"pk": o["snapshot"].pk},
    "segments:cell": lambda o: {"pk": o["snapshot"].pk, "loyalty": "national", "tier": 2},
    "campaigns:detail": lambda o: {"pk": o["campaign"].pk},
    "campaigns:edit": lambda o: {"pk": o["campaign"].pk},
    "campaigns:approve": lambda o: {"pk": o["campaign"].pk},
    "campaigns:activate": lambda o: {"pk": o["campaign"].pk},
    "campaigns:end": lambda o: {"pk": o["campaign"].pk},
    "lists:detail": lambda o: {"barcode": o["shopping_list"].barcode},
    "lists:pdf": lambda o: {"barcode": o["shopping_list"].barcode},
}


@pytest.fixture
def sample_objects(db) -> dict:
    from apps.campaigns.models import Campaign
    from apps.lists.models import ShoppingList
    from apps.segments.models import SegmentSnapshot

    ketchup = CategoryFactory(name="Ketchup")
    objects = {
        "campaign": Campaign.objects.create(
            name="Ketchup switch",
            goal="convert",
            category=ketchup,
            target_cells=["national-3"],
            valid_from=dt.date(2026, 3, 2),
            valid_until=dt.date(2026, 4, 26),
            budget=1000,
        ),  # fmt: skip
        "member": (member := MemberFactory(card_number="400000000017")),
        "shopping_list": ShoppingList.objects.create(
            member=member,
            period_start=dt.date(2026, 3, 2),
            period_end=dt.date(2026, 3, 16),
            barcode="992603020000000017",
        ),  # fmt: skip
        "import_job": Job.objects.create(kind="pos_import", params={"files": ["baskets.csv"]}),
        "job": Job.objects.create(kind="segments"),
        "snapshot": SegmentSnapshot.objects.create(
            category=ketchup,
            window_start=dt.date(2025, 1, 1),
            window_end=dt.date(2026, 1, 1),
        ),
    }
    for module in _app_access_modules():
        if hasattr(module, "add_sample_objects"):
            module.add_sample_objects(objects)
    return objects


def _app_access_modules() -> list:
    """The `tests/<app>/access.py` modules: each app names its own pages' expectations."""
    here = Path(__file__).resolve().parent
    return [
        importlib.import_module(f"tests.{path.parent.name}.access")
        for path in sorted(here.glob("*/access.py"))
    ]


for _module in _app_access_modules():
    _clash = set(EXPECTED) & set(_module.EXPECTED)
    assert not _clash, f"{_module.__name__} repeats rows: {_clash}"
    EXPECTED.update(_module.EXPECTED)
    SAMPLE_KWARGS.update(getattr(_module, "SAMPLE_KWARGS", {}))


def _walk(patterns, prefix: str = "") -> Iterator[tuple[str, URLPattern]]:
    for entry in patterns:
        if isinstance(entry, URLResolver):
            namespace = f"{prefix}{entry.namespace}:" if entry.namespace else prefix
            if namespace == "admin:":  # the admin's own pages: its index stands for them
                yield "admin:index", None
                continue
            yield from _walk(entry.url_patterns, namespace)
        else:
            yield (f"{prefix}{entry.name}" if entry.name else f"<unnamed {entry.pattern}>"), entry


def url_names() -> list[str]:
    """Every URL pattern name of the project, in URL order, once each."""
    return list(dict.fromkeys(name for name, _ in _walk(get_resolver().url_patterns)))


def test_every_url_pattern_has_expectations():
    names = url_names()
    missing = [n for n in names if n not in EXPECTED]
    assert not missing, (
        f"add these URL patterns to EXPECTED in {__file__} or tests/<app>/access.py: {missing}"
    )
    stale = [n for n in EXPECTED if n not in names]
    assert not stale, f"EXPECTED names URL patterns that no longer exist: {stale}"
    for name, row in EXPECTED.items():
        assert set(row) == set(PERSONAS), f"{name}: give a status for each persona"


@pytest.fixture(autouse=True)
def _fast_passwords(settings):
    # The personas' passwords are hashed once per test; the default hasher is slow on purpose.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    make_password("warm-up")


@pytest.mark.parametrize("name", url_names())
def test_access(name, personas, sample_objects):
    assert name in EXPECTED, f"{name} is missing from EXPECTED"
    kwargs = SAMPLE_KWARGS[name](sample_objects) if name in SAMPLE_KWARGS else {}
    url = reverse(name, kwargs=kwargs)
    login_url = reverse("login")
    wrong = []
    for persona in PERSONAS:
        client = Client()
        if personas[persona] is not None:
            client.force_login(personas[persona])
        response = client.get(url)
        expected = EXPECTED[name][persona]
        got: int | str = response.status_code
        if got == 302 and expected == TO_LOGIN:
            location = response["Location"]
            got = TO_LOGIN if location.startswith(f"{login_url}?next=") else f"302 → {location}"
        elif got == 302 and expected == REDIRECT:
            got = REDIRECT
        if got != expected:
            wrong.append(f"{persona}: expected {expected}, got {got}")
    assert not wrong, f"GET {url}\n" + "\n".join(wrong)

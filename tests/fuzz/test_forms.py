"""Fuzz every form of the staff pages: never a 500, and a refused POST writes nothing.

The forms are found, not listed: every URL of the access matrix is rendered (as an admin,
with the matrix's sample objects) and its <form>s read; a form sent to a URL that FORMS
below does not cover fails `test_every_form_is_fuzzed`, as does a POST-only URL of the
matrix. Each covered form is first sent as the page renders it, completed by its spec's
valid values (`test_the_valid_submission_is_accepted`: proof the fuzzer starts from data
that gets through to the service); then hypothesis changes a few fields (text, numbers,
dates at the ends of the calendar, huge and unicode strings, NUL, several values, missing
fields, unknown fields, tampered formset management forms, odd uploads) and sends it as
the role the page is for. Any answer but a redirect must leave every table of the project's
apps as it was (a GET always must).
"""

from __future__ import annotations

import datetime as dt
import gzip
import re
from collections.abc import Callable
from dataclasses import dataclass, field

import pytest
from django.apps import apps as django_apps
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection, transaction
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from hypothesis import event, given
from hypothesis import strategies as st

from apps.campaigns.models import Campaign, CampaignStatus, Offer
from tests.access_rules import NOT_ALLOWED, OK
from tests.factories import BasketFactory, ProductFactory
from tests.fuzz.html_forms import Form, page_forms
from tests.fuzz.known import known_form_failure
from tests.fuzz.profiles import fuzz_settings
from tests.test_access_matrix import (  # noqa: F401 - sample_objects: a fixture
    EXPECTED,
    SAMPLE_KWARGS,
    sample_objects,
    url_names,
)

PASSWORD = "correct-horse-battery"
ONE_DAY = dt.timedelta(days=1)  # tests/factories.py UserFactory


@dataclass(frozen=True)
class FormSpec:
    """How to fuzz the form sent to URL `name`."""

    name: str
    persona: str = "marketing"
    method: str = "post"
    page: str | None = None  # the page that renders the form (default: `name` itself)
    # Valid values completing what the page renders, from the sample objects.
    valid: Callable[[dict], dict] = lambda objects: {}
    # What a valid submission answers: a redirect for a POST, the page for a GET.
    accepted: int = 302
    # Models a refused submission may write to, and why.
    may_write: frozenset[str] = frozenset()
    # For URLs that render no form in the sample state (POST-only transitions): the fields.
    fields: tuple[str, ...] = ()
    examples: int = 15


def _campaign_valid(objects: dict) -> dict:
    ProductFactory(category=objects["campaign"].category, brand="Heinz")  # for the offer
    today = timezone.localdate()  # campaigns whose dates ended are refused
    return {
        "name": "Fuzzed campaign",
        "goal": "convert",
        "target_cells": ["national-3"],
        "valid_from": today.isoformat(),
        "valid_until": (today + dt.timedelta(days=55)).isoformat(),
        "budget": "1000",
        "holdout_pct": "10",
        "redemption_rate_pct": "5",
        "offers-0-usage_tier": "3",
        "offers-0-applies_to": "brand",
        "offers-0-brand": "Heinz",
        "offers-0-discount_kind": "amount",
        "offers-0-discount_value": "0.75",
        "offers-0-min_quantity": "1",
        "offers-0-shopper_text": "75c off Heinz",
    }


def _fit_valid(objects: dict) -> dict:
    """A basket a week ago, so that there is history up to that day to fit."""
    day = timezone.localdate() - dt.timedelta(days=7)
    BasketFactory(purchased_at=timezone.make_aware(dt.datetime.combine(day, dt.time(12))))
    return {"calibration_end": day.isoformat()}


def _tiers_valid(objects: dict) -> dict:
    """The migration's tiers (a transactional test's flush may have emptied the table); the
    lowest one's multiplier raised."""
    from apps.rewards.models import Tier

    for name, spend, multiplier in [("Member", 0, 1), ("Silver", 1500, 1.25), ("Gold", 3000, 1.5)]:
        Tier.objects.get_or_create(
            name=name, defaults={"min_spend": spend, "multiplier": multiplier}
        )
    return {"tiers-0-multiplier": "1.10"}


def _with_status(status: str) -> Callable[[dict], dict]:
    """Make the sample campaign one its confirm page offers the button for: current dates,
    an offer on a product of its category, and the status the step starts from."""

    def prepare(objects: dict) -> dict:
        campaign = objects["campaign"]
        today = timezone.localdate()
        Campaign.objects.filter(pk=campaign.pk).update(
            status=status, valid_from=today, valid_until=today + dt.timedelta(days=27)
        )
        ProductFactory(category=campaign.category, brand_type="store")
        Offer.objects.get_or_create(
            campaign=campaign, usage_tier=1,
            defaults={"applies_to": "brand_type", "brand_type": "store",
                      "discount_kind": "percent", "discount_value": 10,
                      "shopper_text": "10% off our own brand"},
        )  # fmt: skip
        return {}

    return prepare


FORMS = {
    spec.name: spec
    for spec in [
        FormSpec(
            "login",
            persona="anonymous",
            valid=lambda o: {"username": "vp", "password": PASSWORD},
            may_write=frozenset({"audit.AuditEvent"}),  # a failed sign-in is audited
        ),
        FormSpec("logout", page="members:list"),
        # The navbar's language switch, on every page: a valid choice is stored, then back.
        FormSpec(
            "set_language",
            page="members:list",
            valid=lambda o: {"language": "zh-hans"},
            accepted=302,
        ),
        FormSpec(
            "baskets:import_new",
            valid=lambda o: {"files": [("baskets.csv", b"basket_id\n")]},
            examples=10,
        ),
        FormSpec("segments:list"),
        FormSpec("segments:member_value", valid=_fit_valid),
        # POST only: its button shows beside a fit that is not live.
        FormSpec("segments:fit_make_live", fields=("submit",)),
        FormSpec("campaigns:create", valid=_campaign_valid, examples=25),
        FormSpec(
            "campaigns:edit",
            valid=lambda o: {**_campaign_valid(o), "name": "Renamed"},
            examples=25,
        ),
        # Each status step is sent from its confirm page (issue 15: no action on one click).
        FormSpec(
            "campaigns:approve",
            page="campaigns:approve_confirm",
            valid=_with_status(CampaignStatus.DRAFT),
        ),
        FormSpec(
            "campaigns:activate",
            page="campaigns:activate_confirm",
            valid=_with_status(CampaignStatus.APPROVED),
        ),
        FormSpec(
            "campaigns:end",
            page="campaigns:end_confirm",
            valid=_with_status(CampaignStatus.ACTIVE),
        ),
        FormSpec(  # lists for a period that has ended are refused
            "lists:index", valid=lambda o: {"period_start": timezone.localdate().isoformat()}
        ),
        FormSpec("reports:refresh", page="reports:loyalty"),
        # A new version of the earning rule (from today: earlier days are refused).
        FormSpec(
            "rewards:rules",
            valid=lambda o: {
                "points_per_dollar": "2",
                "starts_on": timezone.localdate().isoformat(),
                "excluded_categories": [str(o["campaign"].category_id)],
            },
        ),
        # The tiers, all edited at once (the page renders them; the last row adds one).
        FormSpec("rewards:tiers", valid=_tiers_valid),
        # The opening balances of a previous programme: one CSV file.
        FormSpec(
            "rewards:imports",
            valid=lambda o: {"file": [("opening.csv", b"card_number,points,earned_on\n")]},
            examples=10,
        ),
        # The points adjustment, on the member page (marketing).
        FormSpec(
            "rewards:adjust",
            page="members:detail",
            valid=lambda o: {"points": "25", "reason": "Goodwill: a damaged product"},
        ),
        # A consent given or withdrawn on the member's word, on the member page (marketing).
        FormSpec(
            "members:consent",
            page="members:detail",
            valid=lambda o: {"channel": "email", "given": "yes", "note": "Asked at the desk"},
        ),
        # Releasing a month (its button shows only while it is not released: POST-only here).
        FormSpec(
            "portal:agreement_release",
            persona="manufacturer_a",
            fields=("month",),
            valid=lambda o: {"month": f"{timezone.localdate().replace(day=1) - ONE_DAY:%Y-%m}"},
        ),
        FormSpec("settlement:create"),
        FormSpec("settlement:edit"),
        FormSpec("settlement:send", fields=("note",)),
        FormSpec("settlement:paid", page="settlement:detail"),
        # GET forms: filters and lookups.
        FormSpec("members:list", method="get", accepted=OK),
        FormSpec(
            "members:lookup",
            method="get",
            persona="cashier",
            accepted=OK,
            may_write=frozenset({"audit.AuditEvent"}),  # every lookup is audited (issue 15)
        ),
        FormSpec("reports:loyalty", method="get", accepted=OK),
        FormSpec("segments:affinity", method="get", accepted=OK),
        FormSpec("reports:redemption", method="get", accepted=OK),
        FormSpec("portal:agreement", method="get", persona="manufacturer_a", accepted=OK),
        FormSpec("portal:category", method="get", persona="manufacturer_a", accepted=OK),
        FormSpec("settlement:list", method="get", accepted=OK),
        # The privacy officer's search: a miss is said on the page, nothing is written.
        FormSpec(
            "privacy:member_search",
            method="get",
            persona="privacy",
            accepted=OK,
            valid=lambda o: {"number": "400099999999"},
        ),
        # Erasure: the card typed again and a ticket reference; a batch's CSV of cards.
        FormSpec(
            "privacy:erase",
            persona="privacy",
            valid=lambda o: {"card_number": o["member"].card_number, "reference": "DPO-1"},
        ),
        FormSpec(
            "privacy:erase_batch",
            persona="privacy",
            valid=lambda o: {
                "file": [("cards.csv", f"card_number\n{o['member'].card_number}\n".encode())],
                "reference": "DPO-2",
            },
            examples=10,
        ),
    ]
}
# File fields, sent as (name, content) uploads: the till import's and the opening balances'.
UPLOADS = ("files", "file")
# Django's own admin has its own forms; it is not one of our pages.
NOT_OURS = ("admin:",)


def url_of(name: str, objects: dict) -> str:
    kwargs = SAMPLE_KWARGS[name](objects) if name in SAMPLE_KWARGS else {}
    return reverse(name, kwargs=kwargs)


def rendered_forms(client: Client, objects: dict) -> list[tuple[str, Form]]:
    """Every form of every page: (page URL name, form)."""
    found = []
    for name in url_names():
        if name.startswith(NOT_OURS):
            continue
        response = client.get(url_of(name, objects))
        if "text/html" in response.get("Content-Type", ""):
            path = response.request["PATH_INFO"]
            found += [(name, form) for form in page_forms(response.content.decode(), path)]
    return found


def test_every_form_is_fuzzed(admin_user_, sample_objects):  # noqa: F811
    client = Client()
    client.force_login(admin_user_)
    forms = rendered_forms(client, sample_objects)
    sent_to = {(form.target, form.method) for _, form in forms}
    assert {("members:list", "get"), ("campaigns:create", "post")} <= sent_to  # it reads forms
    missing = sorted(
        f"{method.upper()} {target}"
        for target, method in sent_to
        if target not in FORMS or FORMS[target].method != method
    )
    post_only = {n for n in url_names() if NOT_ALLOWED in EXPECTED.get(n, {}).values()}
    missing += sorted(f"POST {name} (POST only)" for name in post_only - set(FORMS))
    assert not missing, f"add these forms to FORMS in {__file__}: {missing}"
    stale = sorted(set(FORMS) - {t for t, _ in sent_to} - post_only)
    assert not stale, f"FORMS names forms no page renders: {stale}"


# ---------------------------------------------------------------------------------------------
# What is sent


def project_tables() -> list[tuple[str, str]]:
    """(app_label.Model, table) of every concrete model of our apps."""
    return sorted(
        (model._meta.label, model._meta.db_table)
        for model in django_apps.get_models()
        if model.__module__.startswith("apps.") and model._meta.managed and not model._meta.proxy
    )


def row_counts(tables: list[tuple[str, str]], skip: frozenset[str]) -> dict[str, int]:
    """Row counts of the tables, in one statement."""
    wanted = [(label, table) for label, table in tables if label not in skip]
    sql = "SELECT " + ", ".join(f'(SELECT count(*) FROM "{table}")' for _, table in wanted)
    with connection.cursor() as cursor:
        cursor.execute(sql)
        return dict(zip((label for label, _ in wanted), cursor.fetchone(), strict=True))


@dataclass
class Target:
    """A form ready to fuzz: where to send it, its fields, and a valid submission."""

    spec: FormSpec
    url: str
    fields: dict = field(default_factory=dict)
    valid: dict[str, list] = field(default_factory=dict)


def prepare(spec: FormSpec, objects: dict, personas: dict) -> tuple[Client, Target]:
    client = Client()
    user = personas[spec.persona]
    if user is not None:
        client.force_login(user)
    url = url_of(spec.name, objects)
    extra = spec.valid(objects)
    if spec.fields:
        form = Form(method=spec.method, action=url)
        valid = {name: [""] for name in spec.fields}
    else:
        page = url_of(spec.page or spec.name, objects)
        html = client.get(page).content.decode()
        forms = [f for f in page_forms(html, page) if f.target == spec.name]
        assert forms, f"{page} renders no form sent to {spec.name}"
        form = forms[0]
        valid = form.initial_data(pick_first_option=spec.method == "post")
    valid.pop("csrfmiddlewaretoken", None)  # the test client does not check it
    valid.update({k: v if isinstance(v, list) else [v] for k, v in extra.items()})
    return client, Target(spec=spec, url=url, fields=form.fields, valid=valid)


def send(client: Client, target: Target, data: dict[str, list]):
    if target.spec.method == "get":
        return client.get(target.url, data)
    payload = {}
    for name, values in data.items():
        if name in UPLOADS:
            payload[name] = [SimpleUploadedFile(n, content) for n, content in values]
        else:
            payload[name] = values
    return client.post(target.url, payload)


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path  # uploads of the import form


@pytest.mark.parametrize("name", sorted(FORMS))
def test_the_valid_submission_is_accepted(name, personas, sample_objects, media):  # noqa: F811
    spec = FORMS[name]
    assert EXPECTED[name][spec.persona] in (OK, NOT_ALLOWED), "a persona the page is for"
    client, target = prepare(spec, sample_objects, personas)

    response = send(client, target, target.valid)

    errors = re.findall(
        rb'class="[^"]*(?:invalid-feedback|errorlist|text-danger|alert)[^"]*"[^>]*>(.*?)<',
        response.content,
    )
    assert response.status_code == spec.accepted, (errors, target.valid)
    if spec.accepted == 302:
        assert not response["Location"].startswith(f"{reverse('login')}?next=")


# ---------------------------------------------------------------------------------------------
# Fuzzing

EDGE_TEXT = [
    "", " ", "0", "-1", "1.5", "-0", "1e400", "NaN", "Infinity", "-Infinity",
    "99999999999999999999", "2147483648", "9223372036854775808", "0.000000001",
    "0001-01-01", "9999-12-31", "0000-00-00", "2026-02-30", "2026-13-01", "2026-03",
    "9999-12", "0001-01", "10000-01-01", "yesterday", "a\x00b", "\x00", "\ud7ff\ue000",
    "<script>alert(1)</script>", "' OR 1=1 --", "%", "\\", "true", "on", "é" * 300,
    "x" * 100_000, "1" * 5000, "🙂", "\u202e", "NULL", "None", "[]", "{}",
]  # fmt: skip
MANAGEMENT = ["0", "1", "2", "3", "4", "1000", "100000", "-1", "abc", "", "1e3", "99999999999999"]
text_values = st.one_of(
    st.sampled_from(EDGE_TEXT),
    st.text(max_size=40),
    st.integers(-(10**20), 10**20).map(str),
    st.dates().map(str),
    st.decimals(allow_nan=True, allow_infinity=True).map(str),
)
upload_names = st.sampled_from(
    ["baskets.csv", "members.csv", "products.csv", "baskets.csv.gz", "BASKETS.CSV", "x.txt",
     "../baskets.csv", "baskets.csv.gz.gz", "products.csv", "é.csv", "a" * 300 + ".csv"]
)  # fmt: skip
upload_contents = st.one_of(
    st.sampled_from([b"", b"basket_id\n", gzip.compress(b"upc\n"), b"\x1f\x8b", b"\x00" * 10]),
    st.binary(max_size=200),
)
uploads = st.lists(st.tuples(upload_names, upload_contents), max_size=4)


def values_for(target: Target, name: str) -> st.SearchStrategy:
    """Values to send for the field: its own choices, edge cases, random text, several."""
    if name in UPLOADS:
        return uploads
    f = target.fields.get(name)
    single = text_values
    if name.endswith(("TOTAL_FORMS", "INITIAL_FORMS", "MIN_NUM_FORMS", "MAX_NUM_FORMS")):
        single = st.one_of(st.sampled_from(MANAGEMENT), text_values)
    elif f is not None and f.options:
        single = st.one_of(st.sampled_from(f.options), text_values)
    return st.one_of(
        st.lists(single, min_size=1, max_size=1),
        st.lists(single, min_size=2, max_size=3),
    )


EXTRA_FIELDS = ["page", "sort", "id", "pk", "offers-3-usage_tier", "next", "q", "status"]


@st.composite
def submissions(draw, target: Target) -> dict[str, list]:
    data = {k: list(v) for k, v in target.valid.items()}
    names = sorted(set(data) | set(target.fields) - {"csrfmiddlewaretoken"}) + EXTRA_FIELDS
    for name in draw(st.lists(st.sampled_from(names), min_size=1, max_size=4, unique=True)):
        if draw(st.sampled_from(range(5))) == 4:
            data.pop(name, None)
            event("a field missing")
        else:
            data[name] = draw(values_for(target, name))
    return data


class Rollback(Exception):
    """Raised at the end of an example to undo its writes."""


def fuzz_test(spec: FormSpec):
    prepared: dict = {}

    @pytest.mark.django_db
    @fuzz_settings(spec.examples)
    @given(data=st.data())
    def test(data, personas, sample_objects, media):  # noqa: F811
        # Once per test, not per example: the page is rendered and the form read once.
        key = id(sample_objects)
        if key not in prepared:
            prepared.clear()
            prepared[key] = prepare(spec, sample_objects, personas)
        client, target = prepared[key]
        tables = project_tables()
        user = personas[spec.persona]
        submission = data.draw(submissions(target))
        if known_form_failure(spec.name, submission):
            return
        try:
            with transaction.atomic():
                if user is not None:
                    client.force_login(user)  # a fuzzed sign-out may have ended the session
                before = row_counts(tables, spec.may_write)

                response = send(client, target, submission)

                event(f"{response.status_code}")
                assert response.status_code < 500
                if spec.method == "get" or response.status_code != 302:
                    assert row_counts(tables, spec.may_write) == before, "a refused form wrote"
                raise Rollback
        except Rollback:
            pass

    return test


for _name, _spec in FORMS.items():
    globals()[f"test_fuzz_{_name.replace(':', '_')}"] = fuzz_test(_spec)

"""Portal pages: who sees what, releasing a month, the CSV tables, and that no shopper shows."""

from __future__ import annotations

import csv
import io
import re
from decimal import Decimal

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.urls import reverse

from apps.agreements.models import AgreementStatus
from apps.audit.models import AuditEvent, AuditKind
from apps.baskets.models import Basket
from apps.members.models import Member
from apps.portal.models import PrivacyBudget, Release
from tests.factories import AgreementFactory, CategoryFactory

MARCH = {"month": "2026-03"}


def report_urls(world) -> dict[str, str]:
    """Every report URL of the world's agreement, by URL name."""
    a, k = world["agreement"], world["ketchup"]
    return {
        "portal:manufacturer": reverse("portal:manufacturer", args=[a.manufacturer.code]),
        "portal:agreement": reverse("portal:agreement", args=[a.pk]),
        "portal:agreement_export": reverse("portal:agreement_export", args=[a.pk]),
        "portal:category": reverse("portal:category", args=[a.pk, k.pk]),
        "portal:category_export": reverse("portal:category_export", args=[a.pk, k.pk]),
    }


def release_march(client, world):
    url = reverse("portal:agreement_release", args=[world["agreement"].pk])
    return client.post(url, MARCH)


def csv_rows(response) -> list[list[str]]:
    return list(csv.reader(io.StringIO(response.content.decode())))


def tables_of(rows: list[list[str]]) -> dict[str, list[list[str]]]:
    """Split an export into its tables: title → [headers, rows…]."""
    tables, current = {}, None
    for row in rows[3:]:  # header, the release line, a blank line
        if not row:
            current = None
        elif current is None:
            current = tables.setdefault(row[0], [])
        else:
            current.append(row)
    return tables


def body(response) -> str:
    """The page as a reader compares it: the per-response CSRF mask left out."""
    return re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "", response.content.decode())


# Who may see what -----------------------------------------------------------------------------


def test_another_makers_pages_answer_as_missing_ones(client, world, manufacturer_b_user):
    client.force_login(manufacturer_b_user)
    missing = client.get(reverse("portal:agreement", args=[999999]))
    assert missing.status_code == 404
    for name, url in report_urls(world).items():
        response = client.get(url, MARCH)
        assert (response.status_code, body(response)) == (404, body(missing)), name
    assert body(client.get(reverse("portal:manufacturer", args=["NOPE"]))) == body(missing)
    assert release_march(client, world).status_code == 404
    assert Release.objects.count() == 0


def test_a_cashier_is_refused(client, world, cashier_user):
    client.force_login(cashier_user)
    for name, url in report_urls(world).items():
        assert client.get(url, MARCH).status_code == 403, name


@pytest.mark.parametrize("who", ["manufacturer_a_user", "marketing_user", "admin_user_"])
def test_every_report_url_opens_for_the_maker_and_for_marketing(client, world, who, request):
    client.force_login(request.getfixturevalue(who))
    assert release_march(client, world).status_code == 302
    for name, url in report_urls(world).items():
        assert client.get(url, MARCH).status_code == 200, (who, name)


def test_report_urls_need_a_sign_in(client, world):
    for url in report_urls(world).values():
        response = client.get(url)
        assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")


@pytest.mark.parametrize(
    "change",
    [{"reporting_included": False}, {"status": AgreementStatus.DRAFT}],
    ids=["reporting not included", "draft"],
)
def test_agreement_without_reporting_gives_no_report(client, world, manufacturer_a_user, change):
    agreement = world["agreement"]
    for field, value in change.items():
        setattr(agreement, field, value)
    agreement.save()
    client.force_login(manufacturer_a_user)
    for name, url in report_urls(world).items():
        if name != "portal:manufacturer":
            assert client.get(url).status_code == 403, name
    assert release_march(client, world).status_code == 403
    home = client.get(reverse("portal:index")).content.decode()
    assert "Reporting not included" in home
    assert Release.objects.count() == 0


def test_category_outside_the_agreement_is_not_found(client, world, manufacturer_a_user):
    client.force_login(manufacturer_a_user)
    url = reverse("portal:category", args=[world["agreement"].pk, world["relish"].pk])
    assert client.get(url, MARCH).status_code == 404


def test_maker_home_lists_only_its_own_agreements(client, world, manufacturer_a_user,
                                                  manufacturer_b):  # fmt: skip
    AgreementFactory(manufacturer=manufacturer_b, name="Bolt secret deal",
                     status=AgreementStatus.ACTIVE)  # fmt: skip
    client.force_login(manufacturer_a_user)
    page = client.get(reverse("portal:index")).content.decode()
    assert "Condiments 2026" in page and "Bolt secret deal" not in page
    assert "Privacy budget of ACME" in page or "Privacy budget of" in page


def test_home_sends_a_manufacturer_to_the_portal(client, manufacturer_a_user):
    client.force_login(manufacturer_a_user)
    response = client.get(reverse("home"))
    assert response.status_code == 302 and response["Location"] == reverse("portal:index")


# Releasing a month ----------------------------------------------------------------------------


def test_a_month_not_released_offers_its_release_and_a_get_releases_nothing(
    client, world, manufacturer_a_user
):
    client.force_login(manufacturer_a_user)
    url = reverse("portal:agreement", args=[world["agreement"].pk])
    page = client.get(url, MARCH).content.decode()
    assert "March 2026 is not released yet" in page
    assert "spends <strong>ε 5.4</strong>" in page  # 54 figures × ε 0.1
    assert "Left: ε 170 for this agreement, ε 340 for" in page  # the default budgets
    assert Release.objects.count() == 0 and PrivacyBudget.objects.count() == 0
    export = client.get(reverse("portal:agreement_export", args=[world["agreement"].pk]), MARCH)
    assert export.status_code == 404 and b"not released yet" in export.content


def test_releasing_shows_the_figures_and_asking_again_costs_nothing(
    client, world, manufacturer_a_user, marketing_user
):
    client.force_login(manufacturer_a_user)
    url = reverse("portal:agreement", args=[world["agreement"].pk])
    response = release_march(client, world)
    assert response.status_code == 302 and response["Location"] == f"{url}?month=2026-03"
    first = client.get(url, MARCH)
    page = first.content.decode()
    assert "Condiments 2026 · March 2026" in page
    assert "a count is within ± 23 members of the truth" in page
    again = [body(client.get(url, MARCH)) for _ in range(3)]
    assert again == [body(first)] * 3
    release_march(client, world)  # a second click: the same release
    assert Release.objects.count() == 1
    assert list(PrivacyBudget.objects.values_list("spent", flat=True)) == [Decimal("5.4")] * 2
    # Staff see the budget on the portal's list of makers.
    client.force_login(marketing_user)
    index = client.get(reverse("portal:index")).content.decode()
    assert "Privacy budget: ε 5.4 of 340 spent" in index


def test_a_spent_budget_is_a_clear_refusal(client, world, manufacturer_a_user, settings):
    settings.PORTAL_DP_AGREEMENT_BUDGET = "5"
    client.force_login(manufacturer_a_user)
    url = reverse("portal:agreement", args=[world["agreement"].pk])
    page = client.get(url, MARCH).content.decode()
    assert "The privacy budget is spent: March 2026 needs ε 5.4." in page
    assert "Release March 2026</button>" not in page
    response = client.post(reverse("portal:agreement_release", args=[world["agreement"].pk]),
                           MARCH, follow=True)  # fmt: skip
    assert "privacy budget of this agreement is spent" in response.content.decode()
    assert Release.objects.count() == 0
    assert not PrivacyBudget.objects.filter(spent__gt=0).exists()


@pytest.mark.parametrize(
    "query, message",
    [
        ({"start": "2026-03-01", "end": "2026-03-04"}, "Reports cover whole calendar months"),
        ({"month": "2026-13"}, "Pick a month of the agreement"),
        ({"month": "2027-01"}, "Pick a month of the agreement"),
    ],
)
def test_a_range_or_an_unknown_month_is_refused(client, world, manufacturer_a_user, query,
                                                message):  # fmt: skip
    client.force_login(manufacturer_a_user)
    release_march(client, world)
    page = client.get(reverse("portal:agreement", args=[world["agreement"].pk]), query)
    assert page.status_code == 200 and message in page.content.decode()
    export = client.get(reverse("portal:agreement_export", args=[world["agreement"].pk]), query)
    assert export.status_code == 400 and message in export.content.decode()


def test_a_whole_month_as_a_range_is_that_month(client, world, manufacturer_a_user):
    client.force_login(manufacturer_a_user)
    release_march(client, world)
    url = reverse("portal:agreement_export", args=[world["agreement"].pk])
    whole = client.get(url, {"start": "2026-03-01", "end": "2026-03-31"})
    assert whole.status_code == 200 and whole.content == client.get(url, MARCH).content


def test_the_agreement_page_reads_its_release_in_a_few_queries(
    client, world, manufacturer_a_user, django_assert_max_num_queries
):
    client.force_login(manufacturer_a_user)
    release_march(client, world)
    # session, user, agreement, the release; nothing reads members' data
    with django_assert_max_num_queries(6):
        response = client.get(reverse("portal:agreement", args=[world["agreement"].pk]), MARCH)
    assert response.status_code == 200


# Exports --------------------------------------------------------------------------------------


def test_the_export_has_one_table_per_section_with_clear_headers(
    client, world, manufacturer_a_user, settings
):
    client.force_login(manufacturer_a_user)
    release_march(client, world)
    response = client.get(reverse("portal:agreement_export", args=[world["agreement"].pk]),
                          MARCH)  # fmt: skip
    assert response["Content-Type"].startswith("text/csv")
    rows = csv_rows(response)
    assert rows[0] == ["manufacturer", "agreement", "month", "first_day", "last_day",
                       "released_at", "epsilon_spent", "privacy"]  # fmt: skip
    assert rows[1][:5] == ["ACME", "Condiments 2026", "2026-03", "2026-03-01", "2026-03-31"]
    assert rows[1][6] == "5.4000"
    tables = tables_of(rows)
    assert list(tables) == [
        "Redemptions you fund, by category",
        "Redemptions you fund, by week",
        "Category sales to club members by brand type",
        "New, retained and lost buyers of your brands",
        "Ketchup: Sales to club members by brand type",
        "Ketchup: Buyers of your brands by loyalty × usage cell",
        "Ketchup: Switching: buyers by main brand type, the month before → this month",
        "Mustard: Sales to club members by brand type",
        "Mustard: Buyers of your brands by loyalty × usage cell",
        "Mustard: Switching: buyers by main brand type, the month before → this month",
    ]
    sales = tables["Category sales to club members by brand type"]
    assert sales[0] == ["Category", "Your brands ($)", "Other national brands ($)",
                        "Store brand ($)", "All brands ($)", "Your share", "Store-brand share",
                        "Buyers of your brands", "Buyers of the category"]  # fmt: skip
    for title, table in tables.items():
        assert len(set(table[0])) == len(table[0]), f"{title}: two columns share a header"
    # Each table says how it is protected, in plain words.
    notes = {row[0]: row[1] for row in rows if row and row[0] in tables}
    assert notes.pop("Redemptions you fund, by week").startswith("Exact: billing figures")
    assert set(notes.values()) == {
        "Perturbed to protect shoppers: counts ± 23 members, money ± $1,151 (9 times in 10); "
        "under 10 members withheld."
    }
    # No "< K" anywhere: a withheld figure says so in words, money columns included.
    text = response.content.decode()
    assert "< " not in text
    withheld = [cell for row in rows for cell in row if cell.startswith("withheld")]
    assert withheld and set(withheld) == {"withheld: fewer than 10 members"}


def test_the_category_export(client, world, manufacturer_a_user):
    client.force_login(manufacturer_a_user)
    release_march(client, world)
    url = reverse("portal:category_export", args=[world["agreement"].pk, world["mustard"].pk])
    tables = tables_of(csv_rows(client.get(url, MARCH)))
    assert all(title.startswith("Mustard: ") for title in tables)
    assert "Mustard: New, retained and lost buyers of your brands" in tables


def test_the_command_refuses_a_month_not_released_then_writes_the_page_export(
    client, world, manufacturer_a_user, tmp_path
):
    args = ["export_manufacturer_report", "--manufacturer", "ACME", "--month", "2026-03"]
    out = tmp_path / "acme.csv"
    with pytest.raises(CommandError, match="March 2026 is not released for: Condiments 2026"):
        call_command(*args, "--output", str(out))
    assert not out.exists() and Release.objects.count() == 0
    call_command(*args, "--output", str(out), "--release")
    assert Release.objects.count() == 1
    client.force_login(manufacturer_a_user)
    page = client.get(reverse("portal:agreement_export", args=[world["agreement"].pk]), MARCH)
    assert out.read_bytes() == page.content
    stdout = io.StringIO()
    call_command(*args, stdout=stdout)
    assert list(csv.reader(io.StringIO(stdout.getvalue()))) == csv_rows(page)
    events = AuditEvent.objects.filter(kind=AuditKind.EXPORT, object_type="command")
    assert {e.detail["month"] for e in events} == {"2026-03"} and events.count() == 2
    assert Release.objects.count() == 1


@pytest.mark.parametrize(
    "args, message",
    [
        (["--manufacturer", "NOPE", "--month", "2026-03"], "no manufacturer"),
        (["--manufacturer", "BOLT", "--month", "2026-03"], "no agreement that includes"),
        (["--manufacturer", "ACME", "--month", "2026-3"], "not a month"),
        (["--manufacturer", "ACME", "--month", "2027-01", "--release"], "can be released once"),
    ],
)
def test_command_errors(world, manufacturer_b, args, message):
    with pytest.raises(CommandError, match=message):
        call_command("export_manufacturer_report", *args)
    assert Release.objects.count() == 0


def test_command_covers_only_agreements_with_reporting(world, manufacturer_a, tmp_path):
    other = AgreementFactory(manufacturer=manufacturer_a, name="No reports here",
                             status=AgreementStatus.ACTIVE, reporting_included=False)  # fmt: skip
    other.categories.set([CategoryFactory(name="Mustard")])
    out = tmp_path / "acme.csv"
    call_command("export_manufacturer_report", "--manufacturer", "ACME", "--month", "2026-03",
                 "--release", "--output", str(out))  # fmt: skip
    assert {row[1] for row in csv.reader(out.open(encoding="utf-8"))
            if row and row[0] == "ACME"} == {"Condiments 2026"}  # fmt: skip


# Anonymity ------------------------------------------------------------------------------------


def personal_strings() -> set[str]:
    """Every member's name, card, phone (as written and as digits), e-mail, postal code, and
    every basket id."""
    found: set[str] = set()
    for m in Member.objects.all():
        found |= {m.first_name, m.last_name, m.display_name, m.card_number, m.email,
                  m.phone, m.phone_digits, m.postal_code}  # fmt: skip
    found |= set(Basket.objects.values_list("basket_id", flat=True))
    return {s for s in found if s}


def test_no_personal_field_in_any_page_or_export(
    client, world, funded, manufacturer_a_user, marketing_user, tmp_path
):
    secrets = personal_strings()
    assert len(secrets) > 250  # 34 members × 8 fields, 57 baskets
    redeemed = funded["agreement"]
    outputs: dict[str, str] = {}
    client.force_login(manufacturer_a_user)
    release_march(client, world)
    client.post(reverse("portal:agreement_release", args=[redeemed.pk]), MARCH)
    for user in (manufacturer_a_user, marketing_user):
        client.force_login(user)
        urls = {
            "portal:index": reverse("portal:index"),
            **report_urls(world),
            "mustard": reverse("portal:category", args=[world["agreement"].pk,
                                                        world["mustard"].pk]),
            "redeemed": reverse("portal:agreement", args=[redeemed.pk]),
            "redeemed export": reverse("portal:agreement_export", args=[redeemed.pk]),
            "redeemed category": reverse("portal:category", args=[redeemed.pk,
                                                                  funded["ketchup"].pk]),
        }  # fmt: skip
        for name, url in urls.items():
            for query in ({}, MARCH, {"month": "2026-02"}):
                response = client.get(url, query)
                assert response.status_code in (200, 400, 404), (user, name)
                outputs[f"{user} {name} {query}"] = response.content.decode()
    out = tmp_path / "acme.csv"
    call_command("export_manufacturer_report", "--manufacturer", "ACME", "--month", "2026-03",
                 "--output", str(out))  # fmt: skip
    outputs["command"] = out.read_text(encoding="utf-8")
    assert "Redemptions you fund" in outputs["command"]
    for where, text in outputs.items():
        leaked = sorted(s for s in secrets if s in text)
        assert not leaked, f"{where} shows {leaked[:5]}"

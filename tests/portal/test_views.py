"""Portal pages: who sees what, the period filter, CSV exports, and that no shopper shows."""

from __future__ import annotations

import csv
import datetime as dt
import io
from decimal import Decimal

import pytest
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from apps.agreements.models import AgreementStatus
from apps.audit.models import AuditEvent, AuditKind
from apps.baskets.models import Basket, BasketLine, BasketSource, Store
from apps.members.models import Member
from tests.factories import AgreementFactory, CategoryFactory, ProductFactory

MARCH_QUERY = {"start": "2026-03-01", "end": "2026-03-31"}


@pytest.fixture(autouse=True)
def _k5(settings):
    settings.REPORT_MIN_MEMBERS = 5


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


def csv_rows(response) -> list[list[str]]:
    return list(csv.reader(io.StringIO(response.content.decode())))


# Role scoping ---------------------------------------------------------------------------------


def test_every_report_url_is_refused_to_another_manufacturer(
    client, world, manufacturer_b_user, cashier_user
):
    for user in (manufacturer_b_user, cashier_user):
        client.force_login(user)
        for name, url in report_urls(world).items():
            assert client.get(url, MARCH_QUERY).status_code == 403, (user, name)


@pytest.mark.parametrize("who", ["manufacturer_a_user", "marketing_user", "admin_user_"])
def test_every_report_url_opens_for_the_maker_and_for_marketing(client, world, who, request):
    client.force_login(request.getfixturevalue(who))
    for name, url in report_urls(world).items():
        response = client.get(url, MARCH_QUERY)
        assert response.status_code == 200, (who, name)


def test_report_urls_need_a_sign_in(client, world):
    for url in report_urls(world).values():
        response = client.get(url)
        assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")


@pytest.mark.parametrize(
    "change",
    [{"reporting_included": False}, {"status": AgreementStatus.DRAFT}],
    ids=["reporting not included", "draft"],
)
def test_agreement_without_reporting_gives_no_report(
    client, world, manufacturer_a_user, marketing_user, change
):
    agreement = world["agreement"]
    for field, value in change.items():
        setattr(agreement, field, value)
    agreement.save()
    for user in (manufacturer_a_user, marketing_user):
        client.force_login(user)
        for name, url in report_urls(world).items():
            if name == "portal:manufacturer":
                continue
            assert client.get(url).status_code == 403, (user, name)
    client.force_login(manufacturer_a_user)
    home = client.get(reverse("portal:index"))
    assert "Reporting not included" in home.content.decode()
    assert reverse("portal:agreement", args=[agreement.pk]) not in home.content.decode()


def test_category_outside_the_agreement_is_not_found(client, world, manufacturer_a_user):
    client.force_login(manufacturer_a_user)
    url = reverse("portal:category", args=[world["agreement"].pk, world["relish"].pk])
    assert client.get(url).status_code == 404


def test_unknown_agreement_is_not_found(client, world, manufacturer_a_user):
    client.force_login(manufacturer_a_user)
    assert client.get(reverse("portal:agreement", args=[999999])).status_code == 404


def test_maker_home_lists_only_its_own_agreements(
    client, world, manufacturer_a_user, manufacturer_b
):
    AgreementFactory(manufacturer=manufacturer_b, name="Bolt secret deal",
                     status=AgreementStatus.ACTIVE)  # fmt: skip
    client.force_login(manufacturer_a_user)
    page = client.get(reverse("portal:index")).content.decode()
    assert "Condiments 2026" in page
    assert "Bolt secret deal" not in page
    assert client.get(reverse("portal:manufacturer", args=["BOLT"])).status_code == 403


def test_marketing_picks_any_manufacturer(client, world, marketing_user, manufacturer_b):
    AgreementFactory(manufacturer=manufacturer_b, name="Bolt deal",
                     status=AgreementStatus.ACTIVE)  # fmt: skip
    client.force_login(marketing_user)
    page = client.get(reverse("portal:index")).content.decode()
    assert reverse("portal:manufacturer", args=["ACME"]) in page
    assert reverse("portal:manufacturer", args=["BOLT"]) in page
    bolt = client.get(reverse("portal:manufacturer", args=["BOLT"])).content.decode()
    assert "Bolt deal" in bolt and "Condiments 2026" not in bolt


def test_home_sends_a_manufacturer_to_the_portal(client, manufacturer_a_user):
    client.force_login(manufacturer_a_user)
    response = client.get(reverse("home"))
    assert response.status_code == 302 and response["Location"] == reverse("portal:index")


def test_navigation_shows_the_portal_to_manufacturers(client, world, manufacturer_a_user):
    client.force_login(manufacturer_a_user)
    page = client.get(reverse("portal:index")).content.decode()
    assert f'href="{reverse("portal:index")}"' in page


# Pages and exports ----------------------------------------------------------------------------


def test_agreement_page_shows_published_figures_and_hidden_marks(
    client, world, manufacturer_a_user
):
    client.force_login(manufacturer_a_user)
    url = reverse("portal:agreement", args=[world["agreement"].pk])
    page = client.get(url, MARCH_QUERY).content.decode()
    assert "$71.49" in page  # all member sales in the two categories
    assert "$20.49" in page  # store brand in Ketchup
    assert "&lt; 5" in page
    # Category names link to their pages, keeping the period.
    category_url = reverse("portal:category", args=[world["agreement"].pk, world["ketchup"].pk])
    assert f'href="{category_url}?start=2026-03-01&amp;end=2026-03-31"' in page


def test_invalid_period_falls_back_to_the_default_and_says_why(client, world, manufacturer_a_user):
    client.force_login(manufacturer_a_user)
    url = reverse("portal:agreement", args=[world["agreement"].pk])
    response = client.get(url, {"start": "2026-03-31", "end": "2026-03-01"})
    assert response.status_code == 200
    assert "Must be on or after the start." in response.content.decode()
    assert response.context["report"].period.start == world["agreement"].valid_from


def test_agreement_page_query_count_does_not_grow_with_categories(
    client, world, manufacturer_a_user, django_assert_max_num_queries
):
    agreement, members = world["agreement"], world["members"]
    store = Store.objects.get(code="S01")
    # Two more categories with Acme sales to six members in March (enough to publish).
    extra = []
    for n, name in enumerate(["Mayonnaise", "Vinegar"]):
        category = CategoryFactory(name=name)
        product = ProductFactory(
            category=category, brand="Acme", manufacturer=agreement.manufacturer
        )
        for m in range(1, 7):
            when = timezone.make_aware(dt.datetime(2026, 3, 12, 12, m))
            basket = Basket.objects.create(
                basket_id=f"QC-{n}-{m}", member=members[m], store=store,
                purchased_at=when, total_amount=Decimal("1.25"), line_count=1,
                source=BasketSource.IMPORT,
            )  # fmt: skip
            BasketLine.objects.create(
                basket=basket, product=product, member=members[m], purchased_at=when,
                quantity=Decimal("1"), amount=Decimal("1.25"),
            )  # fmt: skip
        extra.append(category)
    client.force_login(manufacturer_a_user)
    url = reverse("portal:agreement", args=[agreement.pk])

    def page_queries(categories) -> tuple[int, str]:
        agreement.categories.set(categories)
        # session, user, agreement, categories, 4 report statements, the maker's categories
        with django_assert_max_num_queries(12) as queries:
            response = client.get(url, MARCH_QUERY)
        assert response.status_code == 200
        page = response.content.decode()
        for category in categories:  # each category's row links to its page
            assert reverse("portal:category", args=[agreement.pk, category.pk]) in page
        return len(queries), page

    one, page = page_queries([world["ketchup"]])
    assert "$46.49" in page  # Ketchup's member sales in March: 12 + 5 + 9 + 20.49
    five, page = page_queries([world["ketchup"], world["mustard"], world["relish"], *extra])
    assert "Mayonnaise" in page and "Vinegar" in page
    assert five == one, f"{one} queries with 1 category, {five} with 5"


def test_agreement_export_is_the_page_figures_as_csv(client, world, manufacturer_a_user):
    client.force_login(manufacturer_a_user)
    url = reverse("portal:agreement_export", args=[world["agreement"].pk])
    response = client.get(url, MARCH_QUERY)
    assert response["Content-Type"].startswith("text/csv")
    assert "attachment" in response["Content-Disposition"]
    rows = csv_rows(response)
    assert rows[0] == ["manufacturer", "agreement", "period_start", "period_end", "section",
                       "category", "row", "column", "value"]  # fmt: skip
    fixed = ["ACME", "Condiments 2026", "2026-03-01", "2026-03-31"]
    sales = "Category sales to club members by brand type"
    assert [*fixed, sales, "", "Ketchup", "Store brand", "20.49"] in rows
    assert [*fixed, sales, "", "Ketchup", "Your brands", "< 5"] in rows
    assert [*fixed, sales, "", "All categories", "Category", "71.49"] in rows
    assert [*fixed, sales, "", "All categories", "Your share", "0.2378"] in rows  # 17 / 71.49
    cells = "Buyers of your brands by loyalty × usage cell"
    assert [*fixed, cells, "Mustard", "Not in the segment snapshot", "No usage tier", "5"] in rows
    switching = "Switching: buyers by main brand type, the period before → this period"
    assert [*fixed, switching, "Ketchup", "All", "All", "17"] in rows


def test_category_export(client, world, manufacturer_a_user):
    client.force_login(manufacturer_a_user)
    url = reverse("portal:category_export", args=[world["agreement"].pk, world["mustard"].pk])
    rows = csv_rows(client.get(url, MARCH_QUERY))
    fixed = ["ACME", "Condiments 2026", "2026-03-01", "2026-03-31"]
    flow = "New, retained and lost buyers of your brands"
    assert [*fixed, flow, "Mustard", "Mustard", "New buyers", "5"] in rows
    assert {row[5] for row in rows[1:]} == {"Mustard"}


def test_command_writes_the_same_csv_as_the_page_export(
    client, world, manufacturer_a_user, tmp_path
):
    client.force_login(manufacturer_a_user)
    url = reverse("portal:agreement_export", args=[world["agreement"].pk])
    page_bytes = client.get(url, MARCH_QUERY).content
    page_csv = page_bytes.decode()
    out = tmp_path / "acme.csv"
    call_command("export_manufacturer_report", "--manufacturer", "ACME", "--start",
                 "2026-03-01", "--end", "2026-03-31", "--output", str(out))  # fmt: skip
    assert out.read_bytes() == page_bytes
    stdout = io.StringIO()
    call_command("export_manufacturer_report", "--manufacturer", "ACME", "--start",
                 "2026-03-01", "--end", "2026-03-31", stdout=stdout)  # fmt: skip
    assert list(csv.reader(io.StringIO(stdout.getvalue()))) == list(
        csv.reader(io.StringIO(page_csv))
    )
    # Both runs audited, each with the lines it wrote (the header not counted).
    events = AuditEvent.objects.filter(kind=AuditKind.EXPORT, object_type="command")
    assert [e.row_count for e in events.order_by("pk")] == [len(page_csv.splitlines()) - 1] * 2
    assert {e.detail["manufacturer"] for e in events} == {"ACME"}


def test_command_covers_only_agreements_with_reporting(world, manufacturer_a, tmp_path):
    other = AgreementFactory(manufacturer=manufacturer_a, name="No reports here",
                             status=AgreementStatus.ACTIVE, reporting_included=False)  # fmt: skip
    other.categories.set([CategoryFactory(name="Mustard")])
    out = tmp_path / "acme.csv"
    call_command("export_manufacturer_report", "--manufacturer", "ACME", "--start",
                 "2026-03-01", "--end", "2026-03-31", "--output", str(out))  # fmt: skip
    agreements = {row["agreement"] for row in csv.DictReader(out.open(encoding="utf-8"))}
    assert agreements == {"Condiments 2026"}


@pytest.mark.parametrize(
    "args, message",
    [
        (["--manufacturer", "NOPE"], "no manufacturer"),
        (["--manufacturer", "BOLT"], "no agreement that includes reporting"),
        (["--manufacturer", "ACME", "--end", "2026-02-01"], "--end must be on or after"),
    ],
)
def test_command_errors(world, manufacturer_b, args, message):
    from django.core.management.base import CommandError

    base = {"--start": "2026-03-01", "--end": "2026-03-31"}
    argv = list(args)
    for flag, value in base.items():
        if flag not in argv:
            argv += [flag, value]
    with pytest.raises(CommandError, match=message):
        call_command("export_manufacturer_report", *argv)


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
            for query in ({}, MARCH_QUERY):
                response = client.get(url, query)
                assert response.status_code == 200, (user, name)
                outputs[f"{user} {name} {query}"] = response.content.decode()
    out = tmp_path / "acme.csv"
    call_command("export_manufacturer_report", "--manufacturer", "ACME", "--start",
                 "2026-01-01", "--end", "2026-12-31", "--output", str(out))  # fmt: skip
    outputs["command"] = out.read_text(encoding="utf-8")
    for where, text in outputs.items():
        leaked = sorted(s for s in secrets if s in text)
        assert not leaked, f"{where} shows {leaked[:5]}"

import csv
import datetime as dt
import io
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from apps.members.models import MemberStatus
from tests.factories import BasketFactory, BasketLineFactory, MemberFactory, StoreFactory

pytestmark = pytest.mark.django_db

LOOKUP = reverse("members:lookup")
LIST = reverse("members:list")


@pytest.fixture
def cashier_client(client, cashier_user):
    client.force_login(cashier_user)
    return client


@pytest.fixture
def marketing_client(client, marketing_user):
    client.force_login(marketing_user)
    return client


# --- Cashier lookup -------------------------------------------------------------------------


def test_lookup_page_has_an_autofocused_search_box(cashier_client):
    response = cashier_client.get(LOOKUP)
    assert response.status_code == 200
    html = response.content.decode()
    assert 'name="q"' in html and "autofocus" in html
    assert "js/lookup.js" in html and "<script>" not in html


def test_scanned_card_shows_the_summary(cashier_client):
    member = MemberFactory(card_number="400000000017", first_name="Anna", last_name="Smith")
    BasketFactory(member=member, total_amount=Decimal("12.34"), store=StoreFactory(name="Downtown"))
    response = cashier_client.get(LOOKUP, {"q": "400000000017"})
    html = response.content.decode()
    assert response.context["summary"].member == member
    assert "Anna Smith" in html and "$12.34" in html and "Downtown" in html
    assert "CARD CLOSED" not in html
    # A cashier may not open the marketing member page.
    assert member.get_absolute_url() not in html


def test_closed_card_is_flagged(cashier_client):
    MemberFactory(card_number="400000000090", status=MemberStatus.CLOSED)
    html = cashier_client.get(LOOKUP, {"q": "400000000090"}).content.decode()
    assert "CARD CLOSED" in html


def test_several_matches_show_a_list_to_pick_from(cashier_client):
    MemberFactory(card_number="400000000017", first_name="Anna", last_name="Smith")
    MemberFactory(card_number="400000000025", first_name="Bob", last_name="Smith")
    response = cashier_client.get(LOOKUP, {"q": "smi"})
    html = response.content.decode()
    assert response.context["summary"] is None
    assert "?q=400000000017" in html and "?q=400000000025" in html
    assert "2 members match" in html


def test_no_match(cashier_client):
    html = cashier_client.get(LOOKUP, {"q": "400000009999"}).content.decode()
    assert "<strong>No member</strong> for" in html


def test_marketing_sees_a_link_to_the_member_page(marketing_client):
    member = MemberFactory(card_number="400000000017")
    html = marketing_client.get(LOOKUP, {"q": "400000000017"}).content.decode()
    assert member.get_absolute_url() in html


@pytest.mark.parametrize(
    ("typed", "queries"),
    [
        # session + user, the limit windows (both in 1: apps/desk/limits.py), then the lookup,
        # its audit row, and the screen's reads (apps/desk/screen.py): the summary (8-week
        # figures and recent visits), the value score with the current list and its items
        # (no list here, so no redemptions), the points line with the open certificates
        ("400000000017", 8),
        ("(515) 555-0123", 8),
        # a list: session + user + limit windows + lookup + audit row
        ("smi", 5),
        ("nobody", 5),
        ("", 2),
    ],
)
def test_lookup_query_counts(cashier_client, django_assert_num_queries, typed, queries):
    for card, phone in (("400000000017", "(515) 555-0100"), ("400000000025", "515 555 0123")):
        member = MemberFactory(card_number=card, last_name="Smith", phone=phone)
        BasketFactory.create_batch(3, member=member)
    with django_assert_num_queries(queries):
        assert cashier_client.get(LOOKUP, {"q": typed}).status_code == 200


# --- Member table ---------------------------------------------------------------------------


@pytest.fixture
def table_members():
    now = timezone.now()
    a = MemberFactory(
        card_number="400000000001",
        first_name="Zoe",
        last_name="Adams",
        postal_code="50010",
        joined_on=dt.date(2020, 5, 1),
        phone="(515) 555-0001",
        email="zoe@example.com",
    )
    b = MemberFactory(
        card_number="400000000002",
        first_name="Anna",
        last_name="Baker",
        postal_code="60010",
        joined_on=dt.date(2023, 1, 15),
        consent_list=False,
        email="anna@example.org",
    )
    c = MemberFactory(
        card_number="400000000003",
        first_name="Carl",
        last_name="Clark",
        # Fixed: a Faker e-mail starting with "bak" would match the {"q": "bak"} filter.
        email="carl@example.net",
        postal_code="50020",
        joined_on=dt.date(2025, 7, 1),
        status=MemberStatus.CLOSED,
    )
    BasketFactory(member=a, purchased_at=now - dt.timedelta(days=3), total_amount=Decimal("10"))
    BasketFactory(member=a, purchased_at=now - dt.timedelta(days=400), total_amount=Decimal("500"))
    BasketFactory(member=b, purchased_at=now - dt.timedelta(days=1), total_amount=Decimal("30"))
    BasketFactory(member=b, purchased_at=now - dt.timedelta(days=10), total_amount=Decimal("5"))
    return a, b, c  # spend 52w: a 10, b 35, c 0; last visit: b, a, c (never)


def cards(response):
    return [m.card_number for m in response.context["table"].page.object_list.data]


def test_table_sorts_by_card_by_default(marketing_client, table_members):
    response = marketing_client.get(LIST)
    assert cards(response) == ["400000000001", "400000000002", "400000000003"]
    html = response.content.decode()
    assert "$10.00" in html and "$35.00" in html


@pytest.mark.parametrize(
    ("sort", "expected"),
    [
        ("-spend_52w", ["400000000002", "400000000001", "400000000003"]),
        ("spend_52w", ["400000000003", "400000000001", "400000000002"]),
        ("-last_visit", ["400000000002", "400000000001", "400000000003"]),
        ("last_visit", ["400000000001", "400000000002", "400000000003"]),
        ("name", ["400000000001", "400000000002", "400000000003"]),
        ("-joined_on", ["400000000003", "400000000002", "400000000001"]),
        ("postal_code", ["400000000001", "400000000003", "400000000002"]),
    ],
)
def test_table_sorting(marketing_client, table_members, sort, expected):
    assert cards(marketing_client.get(LIST, {"sort": sort})) == expected


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({"q": "4000000000"}, ["400000000001", "400000000002", "400000000003"]),
        ({"q": "400000000002"}, ["400000000002"]),
        ({"q": "bak"}, ["400000000002"]),
        ({"q": "anna bak"}, ["400000000002"]),
        ({"q": "carl"}, ["400000000003"]),
        ({"q": "515-555-0001"}, ["400000000001"]),
        ({"q": "ZOE@EXAMPLE"}, ["400000000001"]),
        ({"status": "closed"}, ["400000000003"]),
        ({"consent_list": "false"}, ["400000000002"]),
        ({"postal_code": "500"}, ["400000000001", "400000000003"]),
        ({"joined_from": "2023-01-15"}, ["400000000002", "400000000003"]),
        ({"joined_to": "2023-01-14"}, ["400000000001"]),
        ({"joined_from": "2021-01-01", "joined_to": "2024-12-31"}, ["400000000002"]),
    ],
)
def test_table_filters(marketing_client, table_members, params, expected):
    assert cards(marketing_client.get(LIST, params)) == expected


def test_table_paginates_by_25(marketing_client):
    MemberFactory.create_batch(30)
    response = marketing_client.get(LIST, {"page": 2})
    assert len(response.context["table"].page.object_list) == 5


def test_table_query_count_does_not_grow_with_rows(marketing_client, django_assert_num_queries):
    # 26 members who spent $1 to $26: a full page of 25 and one on page 2.
    members = MemberFactory.create_batch(26)
    for dollars, m in enumerate(members, start=1):
        BasketFactory(member=m, total_amount=Decimal(dollars))
    # session, user, count, page (last visit and spend are subqueries of the page query)
    with django_assert_num_queries(4):
        response = marketing_client.get(LIST, {"sort": "-spend_52w"})
    assert response.status_code == 200
    assert cards(response) == [m.card_number for m in reversed(members[1:])]
    html = response.content.decode()
    assert "$26.00" in html and "$2.00" in html and "$1.00" not in html


def test_csv_export_of_the_filtered_table(marketing_client, table_members):
    response = marketing_client.get(LIST, {"postal_code": "500", "export": "csv"})
    body = b"".join(response.streaming_content).decode()
    lines = body.strip().splitlines()
    assert lines[0].startswith("card_number,first_name,last_name")
    assert [line.split(",")[0] for line in lines[1:]] == ["400000000001", "400000000003"]
    assert lines[1].endswith(",10.00")


def test_csv_export_cannot_run_as_a_spreadsheet_formula(marketing_client):
    """Names come from imported files: a cell that would start a formula is escaped with
    a leading quote, while a negative amount (a member whose returns exceed purchases)
    stays a number."""
    member = MemberFactory(
        card_number="400000000099", first_name='=HYPERLINK("http://x.test","y")',
        last_name="@SUM(A1)", postal_code="+1234",
    )  # fmt: skip
    BasketFactory(member=member, purchased_at=timezone.now() - dt.timedelta(days=3),
                  total_amount=Decimal("-4.25"))  # fmt: skip
    response = marketing_client.get(LIST, {"export": "csv"})
    body = b"".join(response.streaming_content).decode()
    row = next(csv.reader(io.StringIO(body.splitlines()[1])))
    assert row[0] == "400000000099"
    assert row[1] == '\'=HYPERLINK("http://x.test","y")'
    assert row[2] == "'@SUM(A1)" and row[3] == "'+1234"
    assert row[-1] == "-4.25"


# --- Member detail --------------------------------------------------------------------------


def test_detail_figures_chart_and_baskets(marketing_client, django_assert_num_queries):
    member = MemberFactory(card_number="400000000017", first_name="Anna", last_name="Smith")
    now = timezone.now()
    b1 = BasketFactory(member=member, purchased_at=now - dt.timedelta(days=2),
                       total_amount=Decimal("1200.00"), line_count=2)  # fmt: skip
    BasketFactory(member=member, purchased_at=now - dt.timedelta(days=30),
                  total_amount=Decimal("30.00"))  # fmt: skip
    BasketFactory(member=member, purchased_at=now - dt.timedelta(days=400),
                  total_amount=Decimal("15.50"))  # fmt: skip
    BasketLineFactory(basket=b1, product__name="Oat milk", amount=Decimal("1199.00"))
    BasketLineFactory(basket=b1, product__name="Rye bread", amount=Decimal("1.00"))
    # session, user, member, figures, weekly spend, top categories, basket count,
    # basket page (+ store), its lines (+ product), segment rows, member score, current list,
    # the points: balance, lots expiring soon, last movements; the open rebate certificates;
    # the view's audit row; the consent by channel and its history (2)
    with django_assert_num_queries(19):
        response = marketing_client.get(member.get_absolute_url())
    html = response.content.decode()
    figures = response.context["figures"]
    assert figures.visits == 3
    assert figures.spend == Decimal("1245.50")
    assert figures.average_basket == Decimal("415.17")  # 1245.50 / 3
    assert "$1,245.50" in html and "$415.17" in html
    assert "Oat milk" in html and "Rye bread" in html
    assert 'data-plotly-figure="spend-figure"' in html
    assert 'id="spend-figure" type="application/json"' in html
    spend = response.context["spend_figure"]
    assert sum(spend["data"][0]["y"]) == 1230.0  # the 400-day-old basket is outside 52 weeks
    assert spend["layout"]["yaxis"]["tickprefix"] == "$"


def test_detail_basket_table_sorts_and_pages(marketing_client):
    member = MemberFactory()
    now = timezone.now()
    for i in range(20):
        BasketFactory(member=member, purchased_at=now - dt.timedelta(days=i),
                      total_amount=Decimal(i))  # fmt: skip
    response = marketing_client.get(member.get_absolute_url(), {"b-sort": "-total_amount"})
    rows = response.context["baskets"].page.object_list.data
    assert [b.total_amount for b in rows][:3] == [Decimal(19), Decimal(18), Decimal(17)]
    assert len(rows) == 15


def test_detail_of_unknown_card_is_404(marketing_client):
    assert marketing_client.get(reverse("members:detail", args=["nope"])).status_code == 404

"""Issue 15 on the lists: no lists for a period that ended; the shopper reads the offer's
own text (not the campaign's name) on the page, the PDF and the cashier screen; coupons
counted in words; tips that fit the period's month."""

from __future__ import annotations

import base64
import datetime as dt
import io
import re
import zlib
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.core.management import CommandError, call_command
from django.urls import reverse

from apps.campaigns.models import Offer
from apps.jobs.models import Job
from apps.lists.models import ListContent, ListItem, ShoppingList
from apps.lists.services import (
    ListRules,
    lists_generate,
    lists_generate_for_range,
    lists_print_offers,
    period_ended_error,
    period_month,
)
from tests.lists.conftest import PERIOD

ENDED_1999 = (
    "This period ended on Sun 17 Jan 1999; lists are for the current or a coming period "
    "(one whose last day is today"
)


def generate(period_start: dt.date = PERIOD, **rules) -> None:
    lists_generate_for_range(period_start=period_start, lo=0, hi=10**12, rules=ListRules(**rules))
    lists_print_offers(period_start=period_start)


# A period that has ended ------------------------------------------------------------------


def test_period_ended_error_counts_the_last_day_as_still_on():
    # [Nov 23, Dec 7): its last day is Sun Dec 6.
    assert (
        period_ended_error(period_start=dt.date(2026, 11, 23), today=dt.date(2026, 12, 6)) is None
    )
    assert period_ended_error(period_start=dt.date(2026, 11, 23), today=dt.date(2026, 12, 7)) == (
        "This period ended on Sun 6 Dec 2026; lists are for the current or a coming period "
        "(one whose last day is today, Mon 7 Dec 2026, or later)."
    )


def test_the_lists_page_refuses_an_ended_period(client, marketing_user, chain):
    client.force_login(marketing_user)
    data = {"period_start": "1999-01-04", "min_spend": "200", "weeks": "8"}
    response = client.post(reverse("lists:index"), data)
    assert response.status_code == 200
    assert ENDED_1999 in response.content.decode()
    assert not Job.objects.exists() and not ShoppingList.objects.exists()


def test_the_command_and_the_service_refuse_an_ended_period(chain):
    with pytest.raises(CommandError, match=re.escape(ENDED_1999)):
        call_command("generate_lists", "--period-start", "1999-01-04", stdout=io.StringIO())
    with pytest.raises(ValidationError) as info:
        lists_generate(period_start=dt.date(1999, 1, 4))
    assert info.value.messages[0].startswith(ENDED_1999)
    assert not Job.objects.exists() and not ShoppingList.objects.exists()


# The offer's text for shoppers ------------------------------------------------------------


@pytest.fixture
def worded(chain):
    """The chain's offers with their texts for shoppers, and the best member's list."""
    Offer.objects.filter(campaign=chain["campaign"], usage_tier=3).update(
        shopper_text="$1.50 off Our Own ketchup"
    )
    Offer.objects.filter(campaign=chain["campaign"], usage_tier=1).update(
        shopper_text="10% off two bottles of Our Own ketchup"
    )
    generate()
    return ShoppingList.objects.get(member__card_number="100000000005")


def pdf_text(content: bytes) -> str:
    """The text drawn in a reportlab PDF: its page streams, ASCII85- then Flate-decoded."""
    text = b""
    for stream in re.findall(rb"stream\r?\n(.*?)endstream", content, re.S):
        stream = stream.strip()
        if not stream.endswith(b"~>"):
            continue  # the barcode image, not text
        text += zlib.decompress(base64.a85decode(stream[:-2]))
    return text.decode("latin-1")


def test_lists_show_the_offer_text_and_never_the_campaign_name(
    client, marketing_user, cashier_user, worded
):
    offer = worded.items.get(kind="offer")
    assert offer.body == "10% off two bottles of Our Own ketchup"
    # Tier 1's offer (the heavy buyer's $1.50 is due after this period: not on these lists).
    bodies = set(ListItem.objects.filter(kind="offer").values_list("body", flat=True))
    assert bodies == {"10% off two bottles of Our Own ketchup"}

    client.force_login(marketing_user)
    page = client.get(worded.get_absolute_url()).content.decode()
    assert "10% off two bottles of Our Own ketchup" in page
    pdf = pdf_text(client.get(reverse("lists:pdf", args=[worded.barcode])).content)
    assert "10% off two bottles of Our Own ketchup" in pdf
    client.force_login(cashier_user)
    member = worded.member
    screen = client.get(reverse("members:lookup"), {"q": member.card_number}).content.decode()
    section = screen[screen.index("current-list") :]
    assert "10% off two bottles of Our Own ketchup" in section
    for shown in (page, pdf, section):
        assert "Switch to store ketchup" not in shown  # the campaign's internal name


def test_rewards_count_coupons_in_words(chain):
    # 2.5 %: $200 → one $5 coupon; $820 (the best member) → $20, four coupons.
    generate(reward_rate=Decimal("0.025"))
    bodies = dict(
        ListItem.objects.filter(kind="reward").values_list("member__card_number",
                                                           "body")
    )  # fmt: skip
    assert bodies["100000000001"] == "In 1 coupon of $5, one a visit."
    assert bodies["100000000005"] == "In 4 coupons of $5, one a visit."
    assert not ListItem.objects.filter(body__contains="(s)").exists()


# Tips that fit the date -------------------------------------------------------------------


def test_a_period_counts_as_the_month_of_its_middle_day():
    assert period_month(dt.date(2026, 12, 7)) == 12  # Dec 7-20
    assert period_month(dt.date(2026, 12, 28)) == 1  # Dec 28 - Jan 10: mostly January
    assert period_month(dt.date(2026, 2, 16)) == 2  # Feb 16 - Mar 1 (middle Feb 23)
    assert period_month(dt.date(2026, 2, 23)) == 3  # middle Mar 2


def test_seasonal_tips_only_in_their_months(chain):
    ListContent.objects.update(active=False)
    for title, months in (("All year", []), ("Winter", [12, 1, 2]), ("Spring", [3, 4, 5])):
        ListContent.objects.create(
            department="Grocery", kind="tip", title=title, body=title, months=months
        )
    # The $200 member bought only ketchup (Grocery) on Feb 15: eligible for both periods.
    generate(dt.date(2026, 2, 16), content_per_list=3)  # February
    generate(PERIOD, content_per_list=3)  # March 2: March

    def titles(start: dt.date) -> set[str]:
        return set(
            ListItem.objects.filter(
                kind="content",
                shopping_list__period_start=start,
                member__card_number="100000000001",
            ).values_list("description", flat=True)
        )

    assert titles(dt.date(2026, 2, 16)) == {"All year", "Winter"}
    assert titles(PERIOD) == {"All year", "Spring"}


def test_the_seeded_pet_tips_say_their_season(db):
    water = ListContent.objects.get(title="Fresh water, every day")
    assert water.months == [] and "summer" not in water.body
    assert ListContent.objects.get(title="Hot days: water and shade").months == [6, 7, 8]
    assert ListContent.objects.get(title="Winter walks: wipe the paws").months == [12, 1, 2]

"""The scan screen's merged reads (apps/desk/screen.py) against the reads they replace there,
which stay the member page's and are the oracle here: member_score and value_tier_section,
list_section (current or scanned list, its items, their redemptions), points_summary and the
open certificates' queryset; the summary against the ORM. Varied members: a list with
offers redeemed, a scanned old list, another member's list id, a list of content only, no
list, no baskets, no score."""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal

import pytest
from django.db import connection
from django.db.models import Count, Sum
from django.utils import timezone

from apps.baskets.models import Basket
from apps.baskets.selectors import SUMMARY_RECENT_VISITS, SUMMARY_SQL, SUMMARY_WEEKS
from apps.core.citus import is_citus
from apps.desk import sections
from apps.desk.screen import _score_and_list, _score_and_list_sql, member_screen
from apps.lists.models import ListItem, ShoppingList
from apps.lists.selectors import list_items_shown
from apps.rewards.certificates import open_certificates
from apps.rewards.selectors import TILL_POINTS_SQL, points_summary
from tests.desk.test_cashier_screen import buy_two_heinz, score, till  # noqa: F401
from tests.factories import BasketFactory, MemberFactory

pytestmark = pytest.mark.django_db


def values(instance) -> list | None:
    if instance is None:
        return None
    return [getattr(instance, f.attname) for f in instance._meta.concrete_fields]


def item_values(items: list[ListItem]) -> list:
    return [(values(i), values(i.campaign)) for i in items]


def check_screen(member, user, list_id=None) -> None:
    """The merged reads show what the section reads show, field by field."""
    screen = member_screen(member=member, user=user, list_id=list_id)
    now = timezone.now()

    since = now - dt.timedelta(weeks=SUMMARY_WEEKS)
    figures = Basket.objects.filter(member=member, purchased_at__gte=since).aggregate(
        visits=Count("id"), spend=Sum("total_amount")
    )
    assert screen.summary.visits_recent == figures["visits"]
    assert screen.summary.spend_recent == (figures["spend"] or Decimal("0"))
    recent = list(
        Basket.objects.filter(member=member)
        .select_related("store")
        .order_by("-purchased_at")[:SUMMARY_RECENT_VISITS]
    )
    assert [(values(b), values(b.store)) for b in screen.summary.recent_visits] == [
        (values(b), values(b.store)) for b in recent
    ]
    assert screen.summary.last_visit == (recent[0].purchased_at if recent else None)

    tier = sections.value_tier_section(member=member)
    assert screen.value_tier == tier
    if tier.score is not None:
        assert values(screen.value_tier.score) == values(tier.score)
        assert values(screen.value_tier.score.fit) == values(tier.score.fit)

    expected = sections.list_section(member=member, user=user, list_id=list_id)
    got = screen.list_section
    assert got == expected
    assert values(got.shopping_list) == values(expected.shopping_list)
    for kind in ("rewards", "due"):
        assert item_values(getattr(got, kind)) == item_values(getattr(expected, kind))
    assert item_values([o.item for o in got.offers]) == item_values(
        [o.item for o in expected.offers]
    )
    # Every item the list section reads (its content left out, as list_items_shown does)
    _, _, items = _score_and_list(member=member, list_id=list_id, today=timezone.localdate())
    shown = list_items_shown(expected.shopping_list) if expected.shopping_list else []
    assert item_values(items) == item_values(shown)
    assert [o.state for o in got.offers] == [o.state for o in expected.offers]
    assert [[values(r) for r in o.redemptions] for o in got.offers] == [
        [values(r) for r in o.redemptions] for o in expected.offers
    ]

    today = timezone.localdate()
    assert screen.points == points_summary(member_id=member.pk, today=today, recent=False)
    assert [values(c) for c in screen.certificates] == [
        values(c) for c in open_certificates(member_id=member.pk, on=today)
    ]


def test_a_current_list_with_offers_redeemed(till, cashier_user):  # noqa: F811
    buy_two_heinz(till["secret"])
    score(till["member"], cumulative=0.3)
    BasketFactory.create_batch(6, member=till["member"])
    assert sections.list_section(member=till["member"], user=cashier_user).redeemed_count == 1
    assert member_screen(member=till["member"], user=cashier_user).value_tier.tier == "top"
    check_screen(till["member"], cashier_user)


@pytest.mark.parametrize("which", ["old", "current"])
def test_a_scanned_list(till, cashier_user, which):  # noqa: F811
    buy_two_heinz(till["secret"])
    check_screen(till["member"], cashier_user, list_id=till[which].pk)


def test_another_members_list_id_shows_none(till, cashier_user):  # noqa: F811
    other = MemberFactory()
    screen = member_screen(member=other, user=cashier_user, list_id=till["current"].pk)
    assert screen.list_section.shopping_list is None
    check_screen(other, cashier_user, list_id=till["current"].pk)


def test_a_list_of_content_only_and_a_member_with_nothing(cashier_user, marketing_user):
    today = timezone.localdate()
    member = MemberFactory()
    shopping_list = ShoppingList.objects.create(
        member=member, period_start=today, period_end=today + dt.timedelta(days=14),
        barcode="990000000000000099",
    )  # fmt: skip
    ListItem.objects.create(
        shopping_list=shopping_list, kind="content", description="Recipe", body="…"
    )
    screen = member_screen(member=member, user=marketing_user)
    assert screen.list_section.shopping_list == shopping_list and screen.list_section.can_open
    assert screen.list_section.offers == [] and screen.list_section.rewards == []
    check_screen(member, cashier_user)
    nobody = MemberFactory()
    screen = member_screen(member=nobody, user=cashier_user)
    assert screen.summary.visits_recent == 0 and screen.summary.recent_visits == []
    assert screen.value_tier.score is None and screen.list_section.shopping_list is None
    check_screen(nobody, cashier_user)


@pytest.mark.parametrize("read", ["summary", "current list", "scanned list", "points"])
def test_each_merged_read_goes_to_the_members_shard_alone(till, read):  # noqa: F811
    """On a cluster every task of the plan is one (the member's shard, or the coordinator's
    own fits); on plain PostgreSQL a plan without Citus."""
    member = till["member"]
    today = timezone.localdate()
    sql, params = {
        "summary": (SUMMARY_SQL, {"member": member.pk, "since": timezone.now()}),
        "current list": (_score_and_list_sql(False), {"member": member.pk, "day": today}),
        "scanned list": (_score_and_list_sql(True), {"member": member.pk, "list": 1}),
        "points": (TILL_POINTS_SQL, {"member": member.pk, "today": today, "until": today}),
    }[read]
    params["content"] = "content"
    with connection.cursor() as cursor:
        cursor.execute(f"EXPLAIN {sql}", params)
        plan = "\n".join(row[0] for row in cursor.fetchall())
    if is_citus(connection):
        tasks = re.findall(r"Task Count: (\d+)", plan)
        assert tasks and set(tasks) == {"1"}, plan
    else:
        assert "Citus" not in plan

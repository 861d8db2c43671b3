"""The cashier's scan screen's reads of a found member, in as few statements as it takes.

Every statement costs the web process its own work (Django's cursor, psycopg, a round
trip), more than PostgreSQL's for these small reads (docs/performance.md), so the screen
reads its sections together: the 8-week figures with the recent visits
(apps.baskets.selectors.member_summary), the value score with the list and its items (here:
they join segments, lists and campaigns), the live redemptions of the list's offers (only
when it has offers), and the points line with the open certificates
(apps.rewards.selectors.till_points). Each section is the same object its own selectors
give, which stay the reads of the member page and the oracle of tests/desk/test_screen.py.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache

from django.db import connection
from django.utils import timezone

from apps.baskets import selectors as basket_selectors
from apps.baskets.selectors import MemberSummary
from apps.campaigns.models import Campaign
from apps.core import rows
from apps.desk.sections import ListSection, ValueTierSection, list_section_of, value_tier_of
from apps.lists.models import ItemKind, ListItem, ShoppingList
from apps.lists.selectors import CURRENT_LIST_RULE
from apps.members.models import Member
from apps.rewards.models import RebateCertificate
from apps.rewards.selectors import PointsSummary, till_points
from apps.segments.models import MemberScore, RepeatModelFit
from apps.segments.selectors import member_score_sql

# The list the screen shows: the scanned one (if the member's), else the current one.
_SCANNED_LIST = "id = %(list)s AND member_id = %(member)s"


@cache
def _score_and_list_sql(scanned: bool) -> str:
    """The value score (with its fit), the list and its items but content (each with its
    campaign), by kind and id: a row per item, or one row of NULL items; NULL score or list
    columns when there is none. The SQL of member_score, member_current_list (or
    member_list) and list_items_shown, joined on one row. The items name the member too
    (each repeats its list's): on a cluster, every per-member table on the member's shard."""
    where = _SCANNED_LIST if scanned else CURRENT_LIST_RULE
    return f"""
SELECT s.*, l.*, i.*
FROM (SELECT 1) one
LEFT JOIN LATERAL ({member_score_sql()}) s ON TRUE
LEFT JOIN LATERAL (
    SELECT {rows.columns(ShoppingList)} FROM lists_shoppinglist WHERE {where} LIMIT 1
) l ON TRUE
LEFT JOIN LATERAL (
    SELECT {rows.columns(ListItem)}, {rows.columns(Campaign)},
           row_number() OVER (ORDER BY lists_listitem.kind, lists_listitem.id) AS item_rank
    FROM lists_listitem
    LEFT JOIN campaigns_campaign ON lists_listitem.campaign_id = campaigns_campaign.id
    WHERE lists_listitem.member_id = %(member)s AND lists_listitem.shopping_list_id = l.id
      AND NOT lists_listitem.kind = %(content)s
) i ON TRUE
ORDER BY i.item_rank
"""


def _score_and_list(
    *, member: Member, list_id: int | None, today
) -> tuple[MemberScore | None, ShoppingList | None, list[ListItem]]:
    params = {"member": member.pk, "list": list_id, "day": today, "content": ItemKind.CONTENT.value}
    with connection.cursor() as cursor:
        cursor.execute(_score_and_list_sql(list_id is not None), params)
        fetched = cursor.fetchall()
    head = fetched[0]
    score = shopping_list = None
    if head[0] is not None:
        score = rows.instance(MemberScore, head)
        score.fit = rows.instance(RepeatModelFit, head, rows.width(MemberScore))
    at_list = rows.width(MemberScore) + rows.width(RepeatModelFit)
    if head[at_list] is not None:
        shopping_list = rows.instance(ShoppingList, head, at_list)
    at_item = at_list + rows.width(ShoppingList)
    at_campaign = at_item + rows.width(ListItem)
    items = []
    for row in fetched:
        if row[at_item] is None:  # no list, or no items: the one row of NULL items
            break
        item = rows.instance(ListItem, row, at_item)
        item.campaign = (
            rows.instance(Campaign, row, at_campaign) if row[at_campaign] is not None else None
        )
        items.append(item)
    return score, shopping_list, items


@dataclass(frozen=True)
class Screen:
    """What the scan screen shows of a found member, under the view's context names."""

    summary: MemberSummary
    value_tier: ValueTierSection
    list_section: ListSection
    points: PointsSummary
    certificates: list[RebateCertificate]


def member_screen(*, member: Member, user, list_id: int | None = None) -> Screen:
    """Read the scan screen's sections of `member` (3 queries, 4 when the list has offers);
    `list_id`: a scanned list's, shown instead of the current one."""
    today = timezone.localdate()
    summary = basket_selectors.member_summary(member=member)
    score, shopping_list, items = _score_and_list(member=member, list_id=list_id, today=today)
    list_section = list_section_of(
        member=member, user=user, shopping_list=shopping_list, items=items,
        scanned=list_id is not None, today=today,
    )  # fmt: skip
    points, certificates = till_points(member_id=member.pk, today=today)
    return Screen(
        summary=summary,
        value_tier=value_tier_of(score),
        list_section=list_section,
        points=points,
        certificates=certificates,
    )

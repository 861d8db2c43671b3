"""Reads of lists: per-period summary, one list with its items, the mail-house export."""

from __future__ import annotations

import datetime as dt

from django.db import connection
from django.db.models import QuerySet
from django.utils import timezone

from apps.campaigns.models import Campaign
from apps.core import rows
from apps.core.clock import last_day
from apps.jobs.models import Job
from apps.lists.models import ItemKind, ListItem, ShoppingList
from apps.lists.services import JOB_KIND, PERIOD_DAYS

EXPORT_COLUMNS = [
    "card_number",
    "list_barcode",
    "item_kind",
    "upc",
    "description",
    "regular_price",
    "discount",
    "campaign",
    "valid_until",
]

_PERIODS_SQL = """
SELECT sl.period_start, sl.period_end, count(DISTINCT sl.id) AS lists,
       count(li.id) FILTER (WHERE li.kind = 'offer') AS offers,
       count(li.id) FILTER (WHERE li.kind = 'due') AS due,
       coalesce(sum(li.discount) FILTER (WHERE li.kind = 'reward'), 0) AS rewards,
       count(li.id) FILTER (WHERE li.kind = 'content') AS content
FROM lists_shoppinglist sl
LEFT JOIN lists_listitem li ON li.member_id = sl.member_id AND li.shopping_list_id = sl.id
GROUP BY sl.period_start, sl.period_end
ORDER BY sl.period_start DESC
LIMIT %(limit)s
"""


def list_periods(*, limit: int = 26) -> list[dict]:
    """Return the latest periods with their counts of lists and items, and their last job."""
    with connection.cursor() as cursor:
        cursor.execute(_PERIODS_SQL, {"limit": limit})
        names = [col.name for col in cursor.description]
        periods = [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]
    jobs = latest_jobs_by_period()
    for period in periods:
        period["job"] = jobs.pop(period["period_start"].isoformat(), None)
    # Periods whose job runs but has no list yet still show, with their progress bar.
    for start, job in jobs.items():
        day = dt.date.fromisoformat(start)
        periods.append(
            {"period_start": day, "period_end": day + dt.timedelta(days=PERIOD_DAYS), "lists": 0,
             "offers": 0, "due": 0, "rewards": 0, "content": 0, "job": job}
        )  # fmt: skip
    for period in periods:
        period["last_day"] = last_day(period["period_end"])
    periods.sort(key=lambda p: p["period_start"], reverse=True)
    return periods


def latest_jobs_by_period(*, limit: int = 50) -> dict[str, Job]:
    jobs: dict[str, Job] = {}
    for job in Job.objects.filter(kind=JOB_KIND).order_by("-created_at")[:limit]:
        jobs.setdefault(job.params.get("period_start", ""), job)
    return jobs


def lists_for_period(*, period_start: dt.date) -> QuerySet[ShoppingList]:
    return ShoppingList.objects.filter(period_start=period_start).select_related("member")


def list_with_items(*, barcode: str) -> ShoppingList:
    shopping_list = ShoppingList.objects.select_related("member").get(barcode=barcode)
    order = {"offer": 0, "due": 1, "reward": 2, "content": 3}
    items = sorted(
        shopping_list.items.select_related("product", "campaign"),
        key=lambda item: (order[item.kind], item.description),
    )
    shopping_list.sorted_items = items
    return shopping_list


# The mail house gets only the lists of members who consent to lists now: one who withdrew
# after the lists were made is left out (lists_export_withheld counts them).
_EXPORT_SQL = """
SELECT m.card_number, sl.barcode, li.kind, coalesce(p.upc, ''), li.description,
       li.regular_price, li.discount, li.discount_pct, coalesce(c.name, ''), li.valid_until
FROM lists_shoppinglist sl
JOIN members_member m ON m.id = sl.member_id
JOIN lists_listitem li ON li.member_id = sl.member_id AND li.shopping_list_id = sl.id
LEFT JOIN catalog_product p ON p.id = li.product_id
LEFT JOIN campaigns_campaign c ON c.id = li.campaign_id
WHERE sl.period_start = %(start)s AND m.consent_list
ORDER BY m.card_number,
         array_position(ARRAY['offer', 'due', 'reward', 'content']::varchar[], li.kind), li.id
"""


def lists_export_withheld(*, period_start: dt.date) -> int:
    """Return how many of the period's lists the export leaves out: no list consent now."""
    return ShoppingList.objects.filter(
        period_start=period_start, member__consent_list=False
    ).count()


def lists_export_rows(*, period_start: dt.date):
    """Yield CSV rows (EXPORT_COLUMNS) for every item of the period's lists whose member
    consents to lists now."""
    with connection.cursor() as cursor:
        cursor.execute(_EXPORT_SQL, {"start": period_start})
        while rows := cursor.fetchmany(5000):
            for card, code, kind, upc, text, price, off, pct, campaign, until in rows:
                if pct is not None:
                    discount = f"{pct.normalize():f}%"
                else:
                    discount = "" if off is None else f"{off:.2f}"
                yield [
                    card,
                    code,
                    kind,
                    upc,
                    text,
                    "" if price is None else f"{price:.2f}",
                    discount,
                    campaign,
                    "" if until is None else until.isoformat(),
                ]


# A member's current list: the one whose period holds the day, else the latest started
# (id breaks a tie). The till's checkout reads it with the same rule
# (apps.checkout.services.shopper).
CURRENT_LIST_RULE = """
member_id = %(member)s AND period_start <= %(day)s
ORDER BY CASE WHEN period_end > %(day)s THEN 0 ELSE 1 END, period_start DESC, id
"""


def member_current_list(*, member, today: dt.date | None = None) -> ShoppingList | None:
    """Return the member's list for the period containing today, else their latest one."""
    today = today or timezone.localdate()
    sql = f"SELECT {rows.columns(ShoppingList)} FROM lists_shoppinglist WHERE {CURRENT_LIST_RULE}"
    found = rows.Rows(ShoppingList, sql + " LIMIT 1", {"member": member.pk, "day": today})
    return next(iter(found), None)


def member_list(*, member, list_id: int) -> ShoppingList | None:
    """Return the member's list `list_id` (a scanned barcode's), None if not theirs."""
    sql = (
        f"SELECT {rows.columns(ShoppingList)} FROM lists_shoppinglist"
        " WHERE id = %s AND member_id = %s"
    )
    return next(iter(rows.Rows(ShoppingList, sql, [list_id, member.pk])), None)


def list_items_shown(shopping_list: ShoppingList) -> list[ListItem]:
    """The list's items but its content, by kind and id, each with its campaign (one query).

    The SQL is the ORM's, written out (apps/core/rows.py): the cashier's screen reads it on
    every scan, and building it cost more CPU than running it.
    """
    sql = f"""
SELECT {rows.columns(ListItem)}, {rows.columns(Campaign)}
FROM lists_listitem
LEFT JOIN campaigns_campaign ON lists_listitem.campaign_id = campaigns_campaign.id
WHERE lists_listitem.shopping_list_id = %s AND NOT lists_listitem.kind = %s
ORDER BY lists_listitem.kind, lists_listitem.id
"""
    items = []
    with connection.cursor() as cursor:
        cursor.execute(sql, [shopping_list.pk, ItemKind.CONTENT.value])
        for row in cursor.fetchall():
            item = rows.instance(ListItem, row)
            start = rows.width(ListItem)
            item.campaign = rows.instance(Campaign, row, start) if row[start] is not None else None
            items.append(item)
    return items


def list_points(shopping_list):
    """The member's points as the list states them: at the start of its period (so the list
    says the same whenever it is opened or printed again), what expires in the 60 days
    after, and the tier its 12 months before reached (`tier`: lists.pdf.tier_text)."""
    from apps.core.clock import local_midnight
    from apps.rewards.selectors import points_as_of

    return points_as_of(
        member_id=shopping_list.member_id, as_of=local_midnight(shopping_list.period_start)
    )


def list_certificates(shopping_list, *, today: dt.date | None = None) -> list:
    """The member's open rebate certificates the list shows (apps.rewards.certificates):
    usable from its first day (or today), issued by its last day, not used at the till."""
    from apps.rewards.certificates import list_certificates as certificates

    return certificates(shopping_list, today=today or timezone.localdate())


def list_birthday_points(shopping_list) -> int | None:
    """The birthday gift the list announces: the points given for the member's birthday in
    its period, or None (no birthday on file, none in the period, or not given)."""
    from apps.rewards.birthday import birthday_gift

    return birthday_gift(
        member_id=shopping_list.member_id,
        birth_date=shopping_list.member.birth_date,
        period_start=shopping_list.period_start,
        period_end=shopping_list.period_end,
    )

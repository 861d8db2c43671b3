"""Reads of the desk's member pages: the cashier's lookup and the marketing member table.

A lookup finds a member by card, phone or name, or by a scanned shopping list's barcode, in
one statement: it joins members and lists, so it lives here, above both.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from decimal import Decimal

from django.db import connection
from django.db.models import (
    DecimalField,
    Max,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Sum,
    Value,
)
from django.db.models.functions import Coalesce, Upper
from django.utils import timezone

from apps.baskets.models import Basket
from apps.baskets.selectors import SPEND_WEEKS
from apps.core import rows
from apps.core.citus import is_citus
from apps.members.models import Member

LOOKUP_LIMIT = 20

_PHONE_CHARS = re.compile(r"^[\d\s().+\-/]+$")
_NON_DIGITS = re.compile(r"\D")
_MONEY = DecimalField(max_digits=12, decimal_places=2)


# --- Cashier lookup -------------------------------------------------------------------------


@dataclass(frozen=True)
class LookupResult:
    """What a lookup found.

    `kind` is list, card, phone, name or none; `members` at most 20. For a scanned shopping
    list, `list_id` is that list's id (the screen shows it instead of the current one).
    """

    query: str
    kind: str
    members: list[Member]
    truncated: bool = False
    list_id: int | None = None

    @property
    def single(self) -> Member | None:
        return self.members[0] if len(self.members) == 1 else None


def _phone_variants(digits: str) -> list[str]:
    """Return the stored forms a typed phone number may have (with or without country code 1)."""
    variants = [digits]
    if len(digits) == 10:
        variants.append("1" + digits)
    elif len(digits) == 11 and digits.startswith("1"):
        variants.append(digits[1:])
    return variants


def _name_q(words: list[str]) -> Q | None:
    """Return the name-prefix condition for `last`, `first last` or `last, first`.

    Upper(...) + startswith compiles to `UPPER(col) LIKE 'X%'`, which the text_pattern_ops
    expression indexes member_last_name_prefix / member_first_name_prefix serve.
    """
    if not words:
        return None
    if len(words) == 1:
        return Q(last_upper__startswith=words[0].upper())
    first, last = words[0], " ".join(words[1:])
    return Q(first_upper__startswith=first.upper(), last_upper__startswith=last.upper())


def _by_digits(query: str) -> rows.Rows:
    """Return the members a string of digits names: list barcode, card number or phone.

    One statement, a UNION ALL of index lookups: the list barcode through the members'
    lists (unique barcode index), the card (unique index) and the phone digits
    (member_phone_digits). `scanned_list` tells which branch found the row. One OR across
    the join would defeat the indexes. At most LOOKUP_LIMIT + 1 rows. Written out rather
    than built by the ORM: building it cost more CPU than running it, on every scan
    (apps/core/rows.py).
    """
    digits = _NON_DIGITS.sub("", query)
    own = "members_member.card_number = %(query)s"
    if len(digits) >= 7:  # shorter is no phone number: only card numbers match exactly
        own += " OR members_member.phone_digits = ANY(%(phones)s)"
    sql = f"SELECT {rows.columns(Member)}, NULL AS scanned_list FROM members_member WHERE {own}"
    if query.isdigit():  # list barcodes are digits only
        sql = f"({_BY_LIST_SQL}) UNION ALL ({sql})"
    sql += f" LIMIT {LOOKUP_LIMIT + 1}"
    params = {"query": query, "phones": _phone_variants(digits)}
    return rows.Rows(Member, sql, params, extra=("scanned_list",))


_BY_LIST_SQL = f"""
SELECT {rows.columns(Member)}, lists_shoppinglist.id AS scanned_list
FROM members_member JOIN lists_shoppinglist ON members_member.id = lists_shoppinglist.member_id
WHERE lists_shoppinglist.barcode = %(query)s
"""


def lookup_normalize(query: str) -> str:
    """Return the query as the lookup reads it: spaces collapsed, NULs dropped."""
    # A NUL (a scanner's stray byte) cannot go to PostgreSQL in a text parameter.
    return " ".join(query.replace("\x00", "").split())


def lookup_kind(query: str) -> str:
    """Return what a normalized query will search: "none", "name" or "scan".

    A scan is a card, a list barcode or a phone number: anything with a digit, or only
    phone punctuation. The rest is a name prefix, the lookup that lists many members.
    """
    if not query:
        return "none"
    if _PHONE_CHARS.match(query) or any(ch.isdigit() for ch in query):
        return "scan"
    return "name"


def name_letters(query: str) -> int:
    """Return how many letters a name query has, over all its words."""
    return sum(1 for ch in query if ch.isalpha())


def member_lookup(*, query: str) -> LookupResult:
    """Find the members a cashier means: list barcode, exact card, phone or name prefix.

    One query. Digits (a scanned list or card, or a phone number) look up list barcodes,
    card numbers and phone digits together; a list wins, then an exact card, as at the
    checkout API. Letters look up a name prefix.
    """
    query = lookup_normalize(query)
    if not query:
        return LookupResult(query="", kind="none", members=[])

    if _PHONE_CHARS.match(query):
        matches = list(_by_digits(query))
        scanned = next((m for m in matches if m.scanned_list is not None), None)
        if scanned is not None:
            return LookupResult(
                query=query, kind="list", members=[scanned], list_id=scanned.scanned_list
            )
        card = next((m for m in matches if m.card_number == query), None)
        if card is not None:
            return LookupResult(query=query, kind="card", members=[card])
        kind = "phone" if len(_NON_DIGITS.sub("", query)) >= 7 else "card"
    elif any(ch.isdigit() for ch in query):  # letters and digits: a card number, if anything
        matches = list(Member.objects.filter(card_number=query).order_by()[:1])
        kind = "card"
    else:
        if "," in query:  # "Smith, Anna" as printed on lists
            last, _, first = query.partition(",")
            words = [w for w in (first.strip(), last.strip()) if w]
        else:
            words = query.split(" ")
        # No ORDER BY: PostgreSQL stops after 21 rows instead of reading and sorting every
        # "Smith" (thousands of heap pages). When there are at most 20 matches these are all
        # of them; when there are more, the page says so and asks for more letters.
        matches = list(
            Member.objects.annotate(last_upper=Upper("last_name"), first_upper=Upper("first_name"))
            .filter(_name_q(words))
            .order_by()[: LOOKUP_LIMIT + 1]
        )
        kind = "name"
    truncated = len(matches) > LOOKUP_LIMIT
    matches = sorted(
        matches[:LOOKUP_LIMIT],
        key=lambda m: (m.last_name.upper(), m.first_name.upper(), m.card_number),
    )
    return LookupResult(query=query, kind=kind, members=matches, truncated=truncated)


# --- Marketing member table -----------------------------------------------------------------


def member_search_q(text: str) -> Q:
    """Return the free-text condition of the member table: card, name, phone or e-mail."""
    text = " ".join(text.split())
    q = Q(card_number__startswith=text) | Q(email__istartswith=text)
    digits = _NON_DIGITS.sub("", text)
    if _PHONE_CHARS.match(text) and len(digits) >= 3:
        q |= Q(phone_digits__startswith=digits)
    words = text.replace(",", " ").split()
    if words:
        q |= Q(last_upper__startswith=text.upper())
        if len(words) > 1:
            q |= Q(
                first_upper__startswith=words[0].upper(),
                last_upper__startswith=" ".join(words[1:]).upper(),
            )
        else:
            q |= Q(first_upper__startswith=words[0].upper())
    return q


def member_table_queryset(
    *, now: dt.datetime | None = None, by_owner: bool | None = None
) -> QuerySet[Member]:
    """Return members with last visit and 52-week spend.

    On PostgreSQL as correlated subqueries: PostgreSQL evaluates subqueries in the select
    list after ORDER BY … LIMIT, so the default card-number order (unique index) computes
    them for the page's 25 rows only; sorting on them computes them for every filtered
    member. A Citus cluster refuses a subquery correlated with the members (a reference
    table) over sharded baskets; it runs the same figures as a join on the baskets' owner,
    their distribution column, shard by shard (docs/scale.md). Both give the same rows
    (`by_owner`: which form; by default the join on a cluster only).
    """
    now = now or timezone.now()
    since = now - dt.timedelta(weeks=SPEND_WEEKS)
    members = Member.objects.annotate(
        last_upper=Upper("last_name"), first_upper=Upper("first_name")
    )
    if by_owner is None:
        by_owner = is_citus(connection)
    if by_owner:
        recent = Q(owned_baskets__purchased_at__gte=since)
        return members.annotate(
            last_visit=Max("owned_baskets__purchased_at"),
            spend_52w=Coalesce(
                Sum("owned_baskets__total_amount", filter=recent), Value(Decimal("0"))
            ),
        ).order_by("card_number")
    member_baskets = Basket.objects.filter(member=OuterRef("pk"))
    last_visit = member_baskets.order_by("-purchased_at").values("purchased_at")[:1]
    spend = (
        member_baskets.filter(purchased_at__gte=since)
        .order_by()
        .values("member")
        .annotate(total=Sum("total_amount"))
        .values("total")
    )
    return members.annotate(
        last_visit=Subquery(last_visit),
        spend_52w=Coalesce(Subquery(spend, output_field=_MONEY), Value(Decimal("0"))),
    ).order_by("card_number")

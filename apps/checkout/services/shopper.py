"""Who is at the till: the member and the list a scanned barcode or card names."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from apps.lists.models import ShoppingList
from apps.lists.selectors import member_current_list
from apps.members.models import Member, MemberStatus


@dataclass(slots=True)
class Shopper:
    """The member (None: anonymous), the list whose offers apply (None: none), and notes."""

    member: Member | None = None
    shopping_list: ShoppingList | None = None
    warnings: list[str] = field(default_factory=list)


def shopper_resolve(*, scanned: str, day: dt.date) -> Shopper:
    """Return who a scan names: a list barcode its list and member, a card its member and
    their list of the day. Unknown scans are anonymous and a closed card gets no offers,
    each with a warning (the basket is still recorded)."""
    shopper = Shopper()
    if not scanned:
        return shopper
    shopping_list = ShoppingList.objects.select_related("member").filter(barcode=scanned).first()
    if shopping_list is not None:
        shopper.member, shopper.shopping_list = shopping_list.member, shopping_list
    else:
        shopper.member = Member.objects.filter(card_number=scanned).first()
        if shopper.member is None:
            shopper.warnings.append(
                f"Unknown card or list {scanned!r}: recorded as an anonymous basket."
            )
            return shopper
        shopper.shopping_list = member_current_list(member=shopper.member, today=day)
    member = shopper.member
    if member.status != MemberStatus.ACTIVE:
        shopper.warnings.append(f"Card {member.card_number} is {member.status}: no offers applied.")
        shopper.shopping_list = None
    return shopper

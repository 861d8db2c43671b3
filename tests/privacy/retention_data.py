"""A small chain for the retention tests: members and baskets either side of the cutoffs.

The run's day is TODAY; with 3 years for both rules the cutoff is the local midnight that
starts 6 Dec 2023. Baskets bought before it detach; members who joined before it and did
nothing since are erased. What each test expects is counted here from the objects as
made, without the code under test.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.utils import timezone

from apps.baskets.models import Basket, BasketLine
from apps.checkout.models import PosTransaction
from apps.core.clock import local_midnight
from apps.members.models import ConsentChange, Member
from apps.rewards.models import PointsEntry
from tests.factories import BasketFactory, BasketLineFactory, MemberFactory, StoreFactory

TODAY = dt.date(2026, 12, 6)
CUTOFF = local_midnight(dt.date(2023, 12, 6))


def local(*args: int) -> dt.datetime:
    return timezone.make_aware(dt.datetime(*args))


@dataclass
class RetentionChain:
    old_only: Member  # every basket before the cutoff, joined long ago: erased
    mixed: Member  # old baskets and recent ones: its old ones detach, it stays
    newcomer: Member  # joined after the cutoff, no basket: stays
    consented: Member  # no basket, but gave consent on a form after the cutoff: stays
    adjusted: Member  # no basket, but staff adjusted their points after the cutoff: stays
    baskets: list[Basket] = field(default_factory=list)
    lines: list[BasketLine] = field(default_factory=list)
    tills: list[PosTransaction] = field(default_factory=list)  # an old sale, a recent one

    def expected_detached(self) -> tuple[int, int]:
        """Baskets and lines tied to a member and bought before the cutoff, as made."""
        old = [b for b in self.baskets if b.member_id is not None and b.purchased_at < CUTOFF]
        ids = {b.pk for b in old}
        return len(old), sum(1 for line in self.lines if line.basket_id in ids)


def build_retention_chain() -> RetentionChain:
    store = StoreFactory()
    old_only = MemberFactory(joined_on=dt.date(2019, 5, 1))
    mixed = MemberFactory(joined_on=dt.date(2019, 6, 1))
    newcomer = MemberFactory(joined_on=dt.date(2025, 2, 1))
    consented = MemberFactory(joined_on=dt.date(2020, 3, 1))
    ConsentChange.objects.create(
        member=consented, channel="email", given=True, at=local(2025, 4, 2, 10), source="form"
    )
    adjusted = MemberFactory(joined_on=dt.date(2020, 3, 1))
    PointsEntry.objects.create(
        member=adjusted, kind="adjust", points=50, key="retention-test-adjust",
        created_at=local(2024, 8, 1, 9), valid_until=dt.date(2025, 7, 31), reason="goodwill",
    )  # fmt: skip
    chain = RetentionChain(
        old_only=old_only, mixed=mixed, newcomer=newcomer, consented=consented, adjusted=adjusted
    )
    plan = [
        (old_only, local(2021, 3, 1, 9), 2),
        (old_only, local(2023, 12, 5, 23, 30), 1),  # half an hour before the cutoff
        (mixed, local(2022, 1, 10, 12), 3),
        (mixed, CUTOFF, 2),  # at the cutoff itself: stays tied
        (mixed, local(2026, 11, 1, 18), 1),
        (None, local(2021, 7, 4, 11), 2),  # anonymous already
    ]
    for member, at, n_lines in plan:
        basket = BasketFactory(member=member, store=store, purchased_at=at)
        chain.baskets.append(basket)
        chain.lines += [BasketLineFactory(basket=basket) for _ in range(n_lines)]
    for basket in (chain.baskets[0], chain.baskets[4]):  # old_only's first, mixed's last
        member = basket.member
        chain.tills.append(
            PosTransaction.objects.create(
                store=store, transaction_id=f"T{basket.pk}", body_hash="x" * 64,
                request={"transaction_id": f"T{basket.pk}", "scanned": member.card_number},
                response={
                    "member": {"card_number": member.card_number, "first_name": "Ann"},
                    "list_barcode": None, "total": "5.98",
                },
                basket=basket,
            )
        )  # fmt: skip
    return chain


def ownership() -> tuple[list, list]:
    """Every basket's and line's (id, member) in id order: what a rerun must not change."""
    baskets = list(Basket.objects.order_by("pk").values_list("pk", "member_id"))
    lines = list(BasketLine.objects.order_by("pk").values_list("pk", "member_id"))
    return baskets, lines

"""A member with at least one row in every table that holds a member's data, and a second
member with rows of their own (which the first one's record must not show).

Rows are written directly where tests/factories.py has no factory. `member_with_every_row`
returns the member and the rows made for them: model label → primary keys, so that tests
can tell what the record must hold without asking the code under test.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.utils import timezone

from apps.agreements.models import SettlementLine, SettlementStatement
from apps.audit.models import AuditEvent, AuditKind
from apps.audit.services import audit_record
from apps.campaigns.models import (
    Allocation,
    Campaign,
    CampaignAudience,
    Candidate,
    EligibleMember,
    Offer,
)
from apps.checkout.models import PosTransaction, Redemption
from apps.lists.models import ListItem, ShoppingList
from apps.members.models import ConsentChange
from apps.reports.models import HomeStore
from apps.rewards.models import (
    CertificateUse,
    LotUse,
    MemberTier,
    PointsBalance,
    PointsEntry,
    RebateCertificate,
    RebateRun,
    Tier,
    TierChange,
)
from apps.rights.models import Erasure
from apps.segments.models import (
    BuyProbability,
    MemberScore,
    RepeatModelFit,
    SegmentMember,
    SegmentSnapshot,
)
from tests.factories import (
    AgreementFactory,
    BasketFactory,
    BasketLineFactory,
    CategoryFactory,
    MemberFactory,
    ProductFactory,
    StoreFactory,
)

PERIOD = dt.date(2026, 3, 2)
# The basket's lines, and so its total: the record must show exactly these figures.
LINE_AMOUNTS = (Decimal("3.50"), Decimal("1.25"))
BASKET_TOTAL = sum(LINE_AMOUNTS)


def _keys(*objects) -> set[tuple[str, ...]]:
    """Each object's primary key as a tuple of strings (a composite key has several)."""
    return {
        tuple(str(part) for part in o.pk) if isinstance(o.pk, tuple) else (str(o.pk),)
        for o in objects
    }


def member_with_every_row() -> tuple:
    """Return (member, other member, {model label: {primary key tuples}}) of new rows."""
    member = MemberFactory(first_name="Ada", last_name="Quill", email="ada@example.com")
    other = MemberFactory()
    now = timezone.now()
    store = StoreFactory()
    category = CategoryFactory(name="Access test category")
    product = ProductFactory(category=category)
    made: dict[str, set] = {"members.Member": _keys(member)}

    made["members.ConsentChange"] = _keys(
        ConsentChange.objects.create(member=member, channel="email", given=True, source="form")
    )
    ConsentChange.objects.create(member=other, channel="email", given=True, source="form")
    made["rights.Erasure"] = _keys(Erasure.objects.create(member=member, reason="request"))

    basket = BasketFactory(
        member=member, store=store, total_amount=BASKET_TOTAL, line_count=len(LINE_AMOUNTS)
    )
    lines = [BasketLineFactory(basket=basket, product=product, amount=a) for a in LINE_AMOUNTS]
    other_basket = BasketFactory(member=other, store=store)
    BasketLineFactory(basket=other_basket, product=product)
    made["baskets.Basket"] = _keys(basket)
    made["baskets.BasketLine"] = _keys(*lines)
    sale = PosTransaction.objects.create(
        store=store,
        transaction_id="T-ACCESS-1",
        body_hash="0" * 64,
        request={"x": 1},
        basket=basket,
    )
    made["checkout.PosTransaction"] = _keys(sale)

    shopping_list = ShoppingList.objects.create(
        member=member,
        period_start=PERIOD,
        period_end=PERIOD + dt.timedelta(days=14),
        barcode="992603020000999017",
    )
    made["lists.ShoppingList"] = _keys(shopping_list)
    campaign = Campaign.objects.create(
        name="Access test campaign",
        goal="convert",
        category=category,
        target_cells=["national-2"],
        valid_from=PERIOD,
        valid_until=PERIOD + dt.timedelta(days=27),
        budget=1000,
    )
    offer = Offer.objects.create(
        campaign=campaign,
        usage_tier=2,
        applies_to="brand_type",
        brand_type="national",
        discount_kind="amount",
        discount_value=Decimal("1.00"),
        shopper_text="$1.00 off",
    )
    item = ListItem.objects.create(
        shopping_list=shopping_list,
        kind="offer",
        product=product,
        campaign=campaign,
        offer=offer,
        description="$1.00 off",
    )
    made["lists.ListItem"] = _keys(item)
    redemption = Redemption.objects.create(
        pos_transaction=sale,
        basket=basket,
        list_item=item,
        offer=offer,
        campaign=campaign,
        member=member,
        purchased_at=basket.purchased_at,
        store=basket.store,
        product=product,
        quantity=1,
        discount=Decimal("1.00"),
        manufacturer_share=Decimal("0.50"),
    )
    made["checkout.Redemption"] = _keys(redemption)
    statement = SettlementStatement.objects.create(
        agreement=AgreementFactory(), period_start=PERIOD, period_end=PERIOD
    )
    made["agreements.SettlementLine"] = _keys(
        SettlementLine.objects.create(
            statement=statement,
            redemption=redemption,
            kind="charge",
            discount=Decimal("1.00"),
            share=Decimal("0.50"),
        )
    )

    lot = PointsEntry.objects.create(
        member=member,
        kind="earn",
        points=10,
        key="access-earn",
        created_at=now,
        valid_until=dt.date(2027, 12, 31),
        basket=basket,
    )
    spend = PointsEntry.objects.create(
        member=member, kind="redeem", points=-4, key="access-spend", created_at=now
    )
    PointsEntry.objects.create(
        member=other,
        kind="earn",
        points=7,
        key="access-other",
        created_at=now,
        valid_until=dt.date(2027, 12, 31),
    )
    made["rewards.PointsEntry"] = _keys(lot, spend)
    made["rewards.LotUse"] = _keys(LotUse.objects.create(consumer=spend, lot=lot, points=4))
    made["rewards.PointsBalance"] = _keys(PointsBalance.objects.create(member=member, points=6))
    tier = Tier.objects.create(name="Access test tier", min_spend=Decimal("123.45"))
    made["rewards.MemberTier"] = _keys(
        MemberTier.objects.create(
            member=member, tier=tier, spend=Decimal("150"), since=PERIOD, computed_on=PERIOD
        )
    )
    made["rewards.TierChange"] = _keys(
        TierChange.objects.create(member=member, tier=tier, day=PERIOD, spend=Decimal("150"))
    )
    run = RebateRun.objects.create(
        year=2025,
        points_per_certificate=500,
        certificate_value=Decimal("5.00"),
        remainder="carry",
        ran_at=now,
    )
    certificate = RebateCertificate.objects.create(
        member=member,
        run=run,
        code="8800000000017",
        value=Decimal("5.00"),
        issued_on=PERIOD,
        valid_until=PERIOD + dt.timedelta(days=90),
    )
    made["rewards.RebateCertificate"] = _keys(certificate)
    made["rewards.CertificateUse"] = _keys(
        CertificateUse.objects.create(
            certificate=certificate, basket=basket, amount=Decimal("5.00"), created_at=now
        )
    )

    snapshot = SegmentSnapshot.objects.create(
        category=category, window_start=dt.date(2025, 3, 1), window_end=PERIOD
    )
    made["segments.SegmentMember"] = _keys(
        SegmentMember.objects.create(
            snapshot=snapshot,
            member=member,
            category_spend=Decimal("40.00"),
            national_share=Decimal("0.9"),
            loyalty="national",
            usage_tier=2,
            occasions=3,
        )
    )
    fit = RepeatModelFit.objects.create(
        calibration_end=PERIOD,
        r=1,
        alpha=1,
        a=1,
        b=1,
        bgnbd_log_likelihood=-1,
        members=2,
        repeat_buyers=1,
    )
    made["segments.MemberScore"] = _keys(
        MemberScore.objects.create(
            fit=fit,
            member=member,
            frequency=3,
            recency_weeks=10,
            age_weeks=20,
            days_since_last=5,
            total_spend=Decimal("40.00"),
            average_repeat_spend=Decimal("13.33"),
            recency_score=4,
            frequency_score=3,
            monetary_score=2,
            p_alive=0.8,
            expected_purchases_2w=0.5,
            expected_purchases_4w=1.0,
            expected_purchases_13w=3.0,
            expected_spend=Decimal("13.00"),
            clv=Decimal("120.00"),
            sales_share=0.01,
            cumulative_share=0.5,
            churn_risk=True,
        )
    )
    made["segments.BuyProbability"] = _keys(
        BuyProbability.objects.create(
            period_start=PERIOD, member=member, category=category, probability=0.3
        )
    )
    made["reports.HomeStore"] = _keys(HomeStore.objects.create(member=member, store=store))

    made["campaigns.CampaignAudience"] = _keys(
        CampaignAudience.objects.create(
            campaign=campaign, member=member, cell="national-2", usage_tier=2, holdout=False
        )
    )
    made["campaigns.EligibleMember"] = _keys(
        EligibleMember.objects.create(period_start=PERIOD, member=member)
    )
    scored = {
        "period_start": PERIOD,
        "cell": "national-2",
        "holdout": False,
        "bought_target": True,
        "discovery": False,
        "buy_probability": 0.3,
        "usage_tier": 2,
        "past_rate": 0.1,
        "depth": 0.2,
        "probability": 0.15,
        "unit_cost": Decimal("1.00"),
        "value": 0.4,
        "member": member,
        "campaign": campaign,
        "offer": offer,
        "category": category,
    }
    Candidate.objects.create(**scored, outcome="given")
    made["campaigns.Candidate"] = {(str(member.pk), str(campaign.pk), PERIOD.isoformat())}
    made["campaigns.Allocation"] = _keys(Allocation.objects.create(**scored, outcome="given"))

    lookup = audit_record(
        kind=AuditKind.LOOKUP,
        object_type="",
        detail={"kind": "name", "cards": [member.card_number, other.card_number]},
    )
    scanned = audit_record(
        kind=AuditKind.LOOKUP,
        object_type="member",
        object_id=member.card_number,
        detail={"kind": "list", "cards": [member.card_number], "code": shopping_list.barcode},
    )
    audit_record(kind=AuditKind.LOOKUP, object_type="member", object_id=other.card_number)
    # The redemption's own event, written by the database trigger (apps/audit 0002).
    by_trigger = AuditEvent.objects.filter(kind="redemption", object_id=str(redemption.pk))
    made["audit.AuditEvent"] = _keys(lookup, scanned, *by_trigger)
    return member, other, made

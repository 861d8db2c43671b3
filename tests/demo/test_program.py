"""`demo_program_seed` on a small demo: agreements, campaigns, lists, till traffic, once."""

from __future__ import annotations

import datetime as dt
import json
from collections import Counter
from decimal import ROUND_HALF_UP, Decimal
from io import StringIO

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.db.models import Exists, OuterRef, Sum
from django.test import Client, override_settings
from django.utils import timezone

from apps.agreements.models import AgreementStatus, ManufacturerAgreement, SettlementStatement
from apps.baskets.models import Basket, BasketLine
from apps.campaigns.models import Campaign, CampaignAudience, CampaignStatus, Offer
from apps.catalog.models import Product
from apps.checkout.models import PosTransaction, Redemption, TillToken, hash_token
from apps.demo.program import _lists_ensure, demo_program_makers, demo_program_seed
from apps.demo.services import demo_generate
from apps.demo.simulate import TILL_NAME, demo_till_try, tills_simulate
from apps.jobs.models import Job
from apps.lists.models import ListItem, ShoppingList
from apps.lists.selectors import member_current_list
from apps.lists.services import ListRules
from apps.segments.models import MemberScore, RepeatModelFit, SegmentMember, SegmentSnapshot
from tests.migration_data import restore_migration_data

END = dt.date(2026, 3, 1)  # a Sunday: the history's last day
PREVIOUS = dt.date(2026, 2, 9)  # END - 20 days: the previous list period's first day
CURRENT = dt.date(2026, 2, 23)  # END - 6 days: the current period, holding END + 1..7
CAMPAIGNS_UNTIL = dt.date(2026, 3, 22)  # the current period and the next one
CENT = Decimal("0.01")


@pytest.fixture(scope="module")
def seeded(django_db_setup, django_db_blocker):
    """300 members × 20 weeks (seed 11: its member-value fit converges), then the seed."""
    with django_db_blocker.unblock():
        with override_settings(PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"]):
            demo_generate(members=300, weeks=20, seed=11, end_date=END)
            result = demo_program_seed(seed=42)
        yield result
        # Empty the tables and give back the data migrations' rows, as after a transactional
        # test (tests/conftest.py): later tests find the database as it was.
        call_command("flush", interactive=False, verbosity=0)
        restore_migration_data()


def _counts() -> dict[str, int]:
    models = [
        ManufacturerAgreement, SettlementStatement, Campaign, Offer, CampaignAudience,
        ShoppingList, ListItem, TillToken, PosTransaction, Redemption, Basket, BasketLine,
        SegmentSnapshot, SegmentMember, RepeatModelFit, MemberScore, Job, get_user_model(),
    ]  # fmt: skip
    return {model.__name__: model.objects.count() for model in models}


@pytest.mark.django_db
def test_both_demo_makers_have_an_active_agreement_over_the_demo_weeks(seeded):
    maker_codes = [
        get_user_model().objects.get(username=name).manufacturer.code
        for name in ("maker1", "maker2")
    ]
    agreements = list(ManufacturerAgreement.objects.order_by("pk"))

    assert [a.manufacturer.code for a in agreements] == maker_codes == list(seeded.makers)
    assert demo_program_makers() == tuple(maker_codes)
    for agreement in agreements:
        assert agreement.status == AgreementStatus.ACTIVE
        assert agreement.reporting_included
        # From the first of the month of PREVIOUS - 7 days, for a year.
        assert (agreement.valid_from, agreement.valid_until) == (
            dt.date(2026, 2, 1),
            dt.date(2027, 1, 31),
        )
        assert agreement.brands and agreement.categories.exists()
        assert Decimal(0) < agreement.manufacturer_share_pct < Decimal(100)


@pytest.mark.django_db
def test_three_active_campaigns_store_their_audience_and_holdout(seeded):
    campaigns = list(Campaign.objects.order_by("pk"))

    assert [c.goal for c in campaigns] == ["trial", "retain", "convert"]
    assert [c.agreement.manufacturer.code if c.agreement else None for c in campaigns] == [
        *seeded.makers,
        None,
    ]
    holdout_total = 0
    for campaign in campaigns:
        assert campaign.status == CampaignStatus.ACTIVE
        assert (campaign.valid_from, campaign.valid_until) == (PREVIOUS, CAMPAIGNS_UNTIL)
        assert campaign.approved_by.username == "marketing"
        audience = list(CampaignAudience.objects.filter(campaign=campaign))
        assert audience
        # The holdout is round(10 % of each cell), PostgreSQL rounding halves away from 0;
        # the store-brand switch is the measured test: half of each cell.
        cells = Counter(a.cell for a in audience)
        divisor = 2 if campaign.goal == "convert" else 10
        expected = sum(
            int((Decimal(n) / divisor).quantize(Decimal(1), ROUND_HALF_UP)) for n in cells.values()
        )
        assert sum(a.holdout for a in audience) == expected
        holdout_total += expected
        # Deeper offers for heavier buyers: tier 3 (high usage) gets the most off a unit.
        offers = {o.usage_tier: o for o in campaign.offers.all()}
        assert set(offers) == {1, 2, 3}
        per_unit = [offers[t].discount_value / offers[t].min_quantity for t in (1, 2, 3)]
        if offers[1].discount_kind == "percent":
            assert per_unit == sorted(per_unit) and per_unit[0] < per_unit[2]
        else:
            assert offers[3].discount_value > offers[2].discount_value > offers[1].discount_value
    assert holdout_total > 0


@pytest.mark.django_db
def test_lists_of_two_periods_carry_offers_and_a_checkout_now_finds_the_current_one(seeded):
    periods = dict(
        ShoppingList.objects.values_list("period_start", "period_end").distinct().order_by()
    )
    assert periods == {PREVIOUS: CURRENT, CURRENT: dt.date(2026, 3, 9)}
    assert seeded.lists == {
        PREVIOUS.isoformat(): ShoppingList.objects.filter(period_start=PREVIOUS).count(),
        CURRENT.isoformat(): ShoppingList.objects.filter(period_start=CURRENT).count(),
    }
    offers = ListItem.objects.filter(kind="offer")
    assert offers.filter(shopping_list__period_start=PREVIOUS).exists()
    assert offers.filter(shopping_list__period_start=CURRENT).exists()
    # No held-out member has an offer of that campaign.
    held_out = CampaignAudience.objects.filter(
        campaign=OuterRef("campaign"), member=OuterRef("member"), holdout=True
    )
    assert not offers.filter(Exists(held_out)).exists()
    current = ShoppingList.objects.filter(period_start=CURRENT).first()
    day_after = END + dt.timedelta(days=1)
    assert member_current_list(member=current.member, today=day_after) == current
    # Each period was generated under a finished lists job, dated its first morning.
    for start in (PREVIOUS, CURRENT):
        job = Job.objects.get(kind="lists", params__period_start=start.isoformat())
        assert job.status == "succeeded"
        assert timezone.localtime(job.created_at).date() == start


@pytest.mark.django_db
def test_every_redemption_gives_what_its_offer_says_and_shares_follow_the_agreement(seeded):
    redemptions = list(
        Redemption.objects.select_related("offer", "agreement", "pos_transaction", "product")
    )
    kinds = {r.offer.discount_kind for r in redemptions}
    assert kinds == {"amount", "percent"}, "the small demo redeems both kinds of offer"
    for r in redemptions:
        sent = next(
            line for line in r.pos_transaction.request["lines"] if line["upc"] == r.product.upc
        )
        units = Decimal(str(sent["quantity"]))
        gross = Decimal(sent["unit_price"]) * units
        assert units >= r.offer.min_quantity
        if r.offer.discount_kind == "percent":
            expected = (gross * r.offer.discount_value / 100).quantize(CENT, ROUND_HALF_UP)
        else:
            expected = min(r.offer.discount_value, gross)
        assert r.discount == expected, r
        line = BasketLine.objects.get(basket=r.basket, product=r.product)
        assert line.amount == gross - expected
        if r.campaign.agreement_id is None:
            assert r.agreement is None and r.manufacturer_share == 0
        else:
            assert r.agreement_id == r.campaign.agreement_id
            share = (expected * r.agreement.manufacturer_share_pct / 100).quantize(
                CENT, ROUND_HALF_UP
            )
            assert r.manufacturer_share == share


@pytest.mark.django_db
def test_shares_stay_within_caps_and_discounts_within_budgets(seeded):
    live = Redemption.objects.filter(reversed_at__isnull=True)
    for agreement in ManufacturerAgreement.objects.all():
        charged = live.filter(agreement=agreement).aggregate(s=Sum("manufacturer_share"))["s"]
        assert Decimal(0) < charged <= agreement.budget_cap
        # Each funded campaign's budget fits what is left of the cap (its share of it).
        for campaign in agreement.campaigns.all():
            assert campaign.budget * agreement.manufacturer_share_pct / 100 <= (
                agreement.budget_cap
            )
    for campaign in Campaign.objects.all():
        spent = live.filter(campaign=campaign).aggregate(s=Sum("discount"))["s"] or 0
        assert spent <= campaign.budget


@pytest.mark.django_db
def test_till_traffic_is_dated_in_its_period_with_anonymous_baskets_and_one_return(seeded):
    demo = PosTransaction.objects.filter(transaction_id__startswith="DEMO-").select_related(
        "basket"
    )
    sales = demo.filter(kind="sale")
    assert sales.count() == seeded.checkouts > 0
    assert Redemption.objects.count() == seeded.redemptions > 0
    assert sales.filter(basket__member__isnull=True).count() >= 4  # at least 2 per period
    for pos in demo:
        assert pos.created_at == pos.basket.purchased_at
        day = timezone.localtime(pos.created_at).date()
        assert PREVIOUS <= day <= END
        if pos.transaction_id.startswith("DEMO-260209-"):
            assert day < CURRENT or pos.kind == "return"
        else:
            assert day >= CURRENT
    for r in Redemption.objects.select_related("pos_transaction"):
        assert r.created_at == r.pos_transaction.created_at
    # The return brings back all units of the first sale's redeemed product: offer reversed.
    (back,) = demo.filter(kind="return")
    (undone,) = Redemption.objects.filter(reversed_at__isnull=False)
    assert undone.pos_transaction == back.original
    assert undone.reversed_at == back.created_at == back.original.created_at + dt.timedelta(1)
    assert back.response["reversed"][0]["upc"] == undone.product.upc


@pytest.mark.django_db
def test_each_agreement_is_settled_up_to_the_current_period_and_has_a_draft(seeded):
    settled_until = CURRENT - dt.timedelta(days=1)
    statuses = []
    for agreement in ManufacturerAgreement.objects.order_by("pk"):
        sent, draft = agreement.statements.order_by("period_start")
        assert (sent.period_start, sent.period_end) == (agreement.valid_from, settled_until)
        assert (draft.period_start, draft.period_end, draft.status) == (CURRENT, END, "draft")
        statuses.append(sent.status)
        # Due: the live shares of what was bought up to the period's end (returns undone).
        due = sum(
            r.manufacturer_share
            for r in Redemption.objects.filter(agreement=agreement, reversed_at__isnull=True)
            if timezone.localtime(r.basket.purchased_at).date() <= settled_until
        )
        assert sent.amount_due == due > 0
        assert timezone.localtime(sent.sent_at) == timezone.make_aware(
            dt.datetime(2026, 2, 23, 9, 0)
        )
    assert statuses == ["paid", "sent"]  # maker 1 has paid, maker 2 not yet
    assert seeded.statements == [
        s.number for s in SettlementStatement.objects.order_by("agreement", "period_start")
    ]


@pytest.mark.django_db
def test_the_history_earned_points_some_expired_some_spent_and_the_ledger_adds_up(seeded):
    from apps.rewards.models import PointsEntry
    from apps.rewards.verify import ledger_problems

    kinds = set(PointsEntry.objects.values_list("kind", flat=True))
    assert {"earn", "redeem"} <= kinds  # 20 weeks of history: nothing has lapsed yet
    # Every imported sale with eligible spend of a dollar or more earned once.
    sales = Basket.objects.filter(member__isnull=False, total_amount__gte=1).count()
    earned = PointsEntry.objects.filter(kind="earn").count()
    assert 0.9 * sales <= earned <= sales
    assert ledger_problems() == {}
    assert any(note.startswith("Points: ") for note in seeded.notes)


@pytest.mark.django_db
def test_the_lists_show_rebate_certificates_and_birthday_gifts(seeded):
    from apps.lists.selectors import list_birthday_points, list_certificates
    from apps.rewards.models import PointsEntry, RebateCertificate, RebateRun
    from apps.rewards.verify import ledger_problems

    # The demo's programme year closes the day before the previous period (Feb 8, 2026):
    # certificates issued Feb 9, valid 90 days, on both periods' lists.
    run = RebateRun.objects.get()
    assert run.year == 2026 and run.certificates > 0
    assert set(RebateCertificate.objects.values_list("issued_on", flat=True)) == {PREVIOUS}
    current = ShoppingList.objects.filter(period_start=CURRENT).select_related("member")
    with_certificates = [sl for sl in current if list_certificates(sl, today=END)]
    assert with_certificates
    # A dozen holders of the current lists have a birthday in it, and their gift.
    gifts = PointsEntry.objects.filter(kind="bonus", key__startswith="birthday:")
    assert gifts.count() == 12
    assert sum(1 for sl in current if list_birthday_points(sl) == 200) == 12
    assert ledger_problems() == {}


def test_member_values_and_todays_snapshots_exist(seeded):
    assert RepeatModelFit.objects.get().calibration_end == END
    assert MemberScore.objects.exists()
    ends = set(SegmentSnapshot.objects.values_list("window_end", flat=True))
    # END is a 1st: its own day is the window end of February's closing snapshot.
    assert ends == {PREVIOUS, CURRENT, END, END + dt.timedelta(days=1)}


@pytest.mark.django_db
def test_a_second_run_changes_nothing(seeded):
    before = _counts()
    with override_settings(PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"]):
        again = demo_program_seed(seed=42)
    assert _counts() == before
    assert again.checkouts == seeded.checkouts
    assert again.redemptions == seeded.redemptions
    assert again.till_secrets == {} and len(seeded.till_secrets) == 8


@pytest.mark.django_db
def test_the_try_till_basket_redeems_an_offer_and_replays(seeded, tmp_path):
    now = timezone.make_aware(dt.datetime(2026, 3, 2, 10, 30))
    try_till = demo_till_try(now=now, secret_file=tmp_path / "secret")
    assert try_till.store == "S01"
    assert f"Bearer {try_till.secret}" in try_till.curl("http://127.0.0.1:8000/")
    shopping_list = ShoppingList.objects.get(barcode=try_till.body["scanned"])
    assert shopping_list.period_start == CURRENT

    def send():
        return Client().post(
            "/api/pos/checkout",
            data=json.dumps(try_till.body),
            content_type="application/json",
            headers={"Authorization": f"Bearer {try_till.secret}"},
        )

    first = send()
    assert first.status_code == 200, first.content
    answer = first.json()
    (redeemed,) = answer["redemptions"]
    offer = Offer.objects.get(pk=redeemed["offer"])
    line = try_till.body["lines"][0]
    gross = Decimal(line["unit_price"]) * line["quantity"]
    if offer.discount_kind == "percent":
        expected = (gross * offer.discount_value / 100).quantize(CENT, ROUND_HALF_UP)
    else:
        expected = min(offer.discount_value, gross)
    assert Decimal(redeemed["discount"]) == expected
    assert send().content == first.content
    assert Product.objects.filter(upc=line["upc"], category=offer.campaign.category).exists()


@pytest.mark.django_db
def test_the_try_till_secret_survives_a_restart(seeded, tmp_path):
    secret_file = tmp_path / "var" / "demo-till-secret"
    first = demo_till_try(secret_file=secret_file)
    assert secret_file.read_text().strip() == first.secret
    assert secret_file.stat().st_mode & 0o777 == 0o600
    # The next start of the demo prints the same secret, and the till still takes it.
    assert demo_till_try(secret_file=secret_file).secret == first.secret
    till = TillToken.objects.get(store__code=first.store, name=TILL_NAME)
    assert till.token_hash == hash_token(first.secret)

    # A file that no longer matches (the database was rebuilt) gets a new secret.
    secret_file.write_text("not-the-secret\n")
    fresh = demo_till_try(secret_file=secret_file)
    assert fresh.secret not in (first.secret, "not-the-secret")
    till.refresh_from_db()
    assert till.token_hash == hash_token(fresh.secret)
    assert secret_file.read_text().strip() == fresh.secret


@pytest.mark.django_db
def test_the_command_reports_an_existing_programme(seeded):
    out = StringIO()
    with override_settings(PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"]):
        call_command("seed_demo_program", stdout=out)
    text = out.getvalue()
    assert "(already there)" in text
    assert "curl" not in text  # secrets are printed only when the tills are made
    assert f"history ending {END}" in text


@pytest.mark.django_db
def test_the_till_simulation_stops_at_its_cap(seeded):
    upcoming = dt.date(2026, 3, 9)  # the period after the current one
    assert _lists_ensure(period_start=upcoming, rules=ListRules()) > 10
    tills = {t.store.code: t for t in TillToken.objects.select_related("store")}
    before = PosTransaction.objects.count()

    capped = tills_simulate(
        period_start=upcoming, last_day=upcoming + dt.timedelta(days=13), tills=tills,
        seed=1, elapsed_share=1.0, max_checkouts=3,
    )  # fmt: skip

    assert capped.checkouts == 3
    assert PosTransaction.objects.count() == before + 3

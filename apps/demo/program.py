"""Seed the demo's marketing programme on top of its till history.

`generate_demo` loads 52 weeks of baskets; this adds what a chain running the product for a
few weeks would have: segment snapshots and member values, two manufacturer agreements,
three campaigns, two list periods, till tokens, and the tills' checkouts of those weeks
(with redemptions and a return), all through the apps' own services, so that the
dashboard, the manufacturer portal and the settlement pages show current data.

Dates line up with the history: its last day `end` (a Sunday, the day before `make run`
ran by default) anchors everything. The lists of the *previous* period [end-20, end-6)
and the *current* one [end-6, end+8) are generated as the biweekly job would have on
their first mornings; the current period holds today for a week after `end`, so a
checkout "now" finds the current list. Campaigns run from end-20 to end+21.

Idempotent: the whole seed is one transaction and each step looks for its own rows first
(snapshots and lists by their unique keys, agreements and campaigns by name, checkouts by
transaction id), so a second run changes nothing.
"""

from __future__ import annotations

import datetime as dt
import time
from contextlib import contextmanager
from dataclasses import dataclass, field
from decimal import ROUND_CEILING, ROUND_HALF_UP, Decimal

from django.contrib.auth import get_user_model
from django.db import connection, transaction
from django.db.models import Max, OuterRef, Q, Subquery
from django.utils import timezone

from apps.accounts.services import demo_users_ensure
from apps.agreements.models import (
    AgreementStatus,
    ManufacturerAgreement,
    SettlementStatement,
    StatementAction,
    StatementEvent,
)
from apps.agreements.services import statement_create, statement_mark_paid, statement_send
from apps.baskets.models import Basket, BasketSource, Store
from apps.campaigns.forms import CampaignForm, OfferFormSet
from apps.campaigns.models import SHOPPER_TEXT_MAX, Campaign, CampaignStatus, Goal
from apps.campaigns.services import campaign_activate, campaign_approve, campaign_save
from apps.catalog.models import Category, Manufacturer
from apps.checkout.models import PosTransaction, Redemption, TillToken
from apps.checkout.services import till_token_create
from apps.demo import vocabulary
from apps.demo.simulate import DEMO_PREFIX, TILL_NAME, SimulationResult, tills_simulate
from apps.jobs.models import Job, JobStatus
from apps.jobs.services import job_create, job_start
from apps.lists.models import ShoppingList
from apps.lists.services import (
    JOB_KIND,
    PERIOD_DAYS,
    ListRules,
    chunks_message,
    lists_generate_chunk,
)
from apps.lists.services import member_id_chunks as list_chunks
from apps.reports.services import JOB_KIND as REPORTS_JOB
from apps.reports.services import STEPS as REPORT_STEPS
from apps.reports.services import reports_refresh_job
from apps.segments.member_models import repeat_model_fit
from apps.segments.models import RepeatModelFit
from apps.segments.models_math import FitError
from apps.segments.services import local_midnight, snapshots_compute

SNAPSHOT_WEEKS = 52
HOLDOUT_PCT = "10"
# The store's own switch campaign is run as a measured test, so that the dashboard has a
# lift that is not noise to show: half its audience is held out, it runs in the category
# where its lift can be read with the fewest members, its offer is for two units, and its
# list holders act on it (apps.demo.simulate, "eager" campaigns). Ten per cent of a few
# hundred buyers is too small a holdout to tell a campaign's effect from chance.
TEST_GOAL = Goal.CONVERT
TEST_LOYALTIES = ("national", "swinger")  # whom the switch to the store brand targets
TEST_HOLDOUT_PCT = "50"
TEST_UNITS = 2
# Each half of the test's audience at least this large: the intervals are large-sample ones.
TEST_MIN_HALF = 20
CENT = Decimal("0.01")
LIST_TASK_NAME = "Biweekly shopping lists"  # apps/lists/migrations/0003_biweekly_schedule.py


@dataclass(frozen=True)
class Dates:
    """The programme's calendar, from the last day of the till history."""

    end: dt.date

    @property
    def today(self) -> dt.date:
        """The day the programme is seeded as of: the day after the history ends."""
        return self.end + dt.timedelta(days=1)

    @property
    def previous(self) -> dt.date:
        return self.end - dt.timedelta(days=20)

    @property
    def current(self) -> dt.date:
        return self.end - dt.timedelta(days=6)

    @property
    def campaigns_until(self) -> dt.date:
        return self.current + dt.timedelta(days=2 * PERIOD_DAYS - 1)

    @property
    def agreements_from(self) -> dt.date:
        return (self.previous - dt.timedelta(days=7)).replace(day=1)

    @property
    def agreements_until(self) -> dt.date:
        start = self.agreements_from
        return start.replace(year=start.year + 1) - dt.timedelta(days=1)


@dataclass(frozen=True)
class Pick:
    """A campaign's category, its brand and maker, and the audience sizes behind the choice."""

    category_id: int
    category: str
    department: str
    brand: str
    manufacturer_id: int | None
    manufacturer_code: str | None
    average_price: Decimal
    audience: int
    with_lists: int


@dataclass
class ProgramResult:
    end: dt.date
    makers: tuple[str, ...] = ()
    agreements: list[str] = field(default_factory=list)
    campaigns: list[str] = field(default_factory=list)
    lists: dict[str, int] = field(default_factory=dict)
    simulation: list[SimulationResult] = field(default_factory=list)
    till_secrets: dict[str, str] = field(default_factory=dict)
    logins: list = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    statements: list[str] = field(default_factory=list)
    seconds: dict[str, float] = field(default_factory=dict)

    @property
    def checkouts(self) -> int:
        return sum(s.checkouts for s in self.simulation)

    @property
    def redemptions(self) -> int:
        return sum(s.redemptions for s in self.simulation)


def history_end() -> dt.date | None:
    """Return the local date of the last imported basket (the demo history's last day)."""
    last = Basket.objects.filter(source=BasketSource.IMPORT).aggregate(last=Max("purchased_at"))
    return None if last["last"] is None else timezone.localdate(last["last"])


@transaction.atomic
def demo_program_seed(*, seed: int = 42, max_checkouts: int = 2000) -> ProgramResult:
    """Seed agreements, campaigns, lists, tills and simulated checkouts on the demo history."""
    end = history_end()
    if end is None:
        raise ValueError("No till history: load the demo data first (generate_demo).")
    dates = Dates(end=end)
    result = ProgramResult(end=end)

    with _timed(result.seconds, "segments (previous period)"):
        _snapshots(window_end=dates.previous)
    with _timed(result.seconds, "plan"):
        trial, retain, convert = _plan(
            period_start=dates.previous, test_days=(dates.end - dates.previous).days + 1
        )
    makers = tuple(p.manufacturer_code for p in (trial, retain) if p is not None)
    result.makers = makers
    # maker1 and maker2 log in as the two funding makers (campaigns need a marketing user).
    result.logins = demo_users_ensure(manufacturer_codes=makers if len(makers) == 2 else None)
    marketing = get_user_model().objects.get(username="marketing")

    with _timed(result.seconds, "agreements and campaigns"):
        campaigns = []
        funded: list[ManufacturerAgreement] = []
        for pick, goal, share in ((trial, Goal.TRIAL, "50"), (retain, Goal.RETAIN, "60")):
            if pick is None:
                continue
            offers = _offers(pick, goal)
            budget = _budget(pick, offers)
            agreement = _agreement_ensure(
                pick=pick, dates=dates, share_pct=Decimal(share), budget=budget
            )
            result.agreements.append(agreement.name)
            funded.append(agreement)
            campaigns.append((pick, goal, offers, budget, agreement))
        if convert is not None:
            offers = _offers(convert, Goal.CONVERT)
            campaigns.append((convert, Goal.CONVERT, offers, _budget(convert, offers), None))
        for number, (pick, goal, offers, budget, agreement) in enumerate(campaigns):
            campaign = _campaign_ensure(
                pick=pick, goal=goal, offers=offers, budget=budget, agreement=agreement,
                dates=dates, user=marketing, holdout_seed=seed * 1000 + number,
            )  # fmt: skip
            result.campaigns.append(campaign.name)

    tills = _tills_ensure(result.till_secrets)
    test = frozenset(
        Campaign.objects.filter(name__in=result.campaigns, goal=TEST_GOAL).values_list(
            "pk", flat=True
        )
    )
    rules = ListRules()
    remaining = max_checkouts
    for label, start, until, window_end in (
        ("previous", dates.previous, dates.current - dt.timedelta(days=1), dates.previous),
        ("current", dates.current, dates.end, dates.current),
    ):
        with _timed(result.seconds, f"segments and lists ({label} period)"):
            _snapshots(window_end=window_end)
            result.lists[start.isoformat()] = _lists_ensure(period_start=start, rules=rules)
        with _timed(result.seconds, f"checkouts ({label} period)"):
            # The current period has run for 7 of its 14 days: fewer of its lists were used.
            elapsed_days = (until - start).days + 1
            simulated = tills_simulate(
                period_start=start, last_day=until, tills=tills, seed=seed,
                elapsed_share=min(1.0, elapsed_days / PERIOD_DAYS), max_checkouts=remaining,
                with_return=label == "previous", eager=test,
            )  # fmt: skip
            remaining -= simulated.checkouts
            result.simulation.append(simulated)

    with _timed(result.seconds, "segments and member values (today)"):
        # Also the month before's closing snapshot, made after the lists (which use the
        # latest snapshot): the dashboard's moves between cells compare two months.
        _snapshots(window_end=dates.end.replace(day=1))
        _snapshots(window_end=dates.end + dt.timedelta(days=1))
        if not RepeatModelFit.objects.filter(calibration_end=dates.end).exists():
            try:
                repeat_model_fit(calibration_end=dates.end)
            except (ValueError, FitError) as error:
                # A small or short demo may not support a fit; the rest of the demo stands.
                result.notes.append(f"Member-value models not fitted: {error}")
    _backdate(dates=dates)
    _list_schedule_continue(dates=dates)
    with _timed(result.seconds, "settlement"):
        result.statements = _statements_ensure(agreements=funded, dates=dates, user=marketing)
    with _timed(result.seconds, "dashboard figures"):
        _reports_ensure()
    return result


@contextmanager
def _timed(seconds: dict[str, float], label: str):
    t0 = time.perf_counter()
    yield
    seconds[label] = time.perf_counter() - t0


def _snapshots(*, window_end: dt.date) -> None:
    """Every category's snapshot for the 52 weeks before window_end (existing ones kept)."""
    snapshots_compute(
        category_ids=list(Category.objects.order_by("pk").values_list("pk", flat=True)),
        window_start=window_end - dt.timedelta(weeks=SNAPSHOT_WEEKS),
        window_end=window_end,
    )


# Per category and loyalty: the buyers in the latest snapshot up to the period start, and
# how many of them will get a list (the list rule: active, consenting, spend >= min_spend
# in the weeks before the period).
_CELLS_SQL = """
WITH latest AS (
    SELECT DISTINCT ON (category_id) id, category_id FROM segments_segmentsnapshot
    WHERE window_end <= %(start)s
    ORDER BY category_id, window_end DESC, computed_at DESC, id DESC
), spend AS (
    SELECT l.member_id FROM baskets_basketline l
    WHERE l.member_id IS NOT NULL
      AND l.purchased_at >= %(spend_from)s AND l.purchased_at < %(spend_to)s
    GROUP BY l.member_id HAVING sum(l.amount) >= %(min_spend)s
), eligible AS (
    SELECT m.id FROM members_member m JOIN spend s ON s.member_id = m.id
    WHERE m.status = 'active' AND m.marketing_consent
)
SELECT latest.category_id, sm.loyalty, count(*) AS buyers, count(e.id) AS with_lists
FROM latest
JOIN segments_segmentmember sm ON sm.snapshot_id = latest.id
LEFT JOIN eligible e ON e.id = sm.member_id
GROUP BY latest.category_id, sm.loyalty
"""

# Per category: its test audience (buyers of the test's loyalty groups in the latest
# snapshot up to the period start) and the variance of their category spend over as many
# days before the period as the test will have run: the noise its lift must stand out of.
_SPREAD_SQL = """
WITH latest AS (
    SELECT DISTINCT ON (category_id) id, category_id FROM segments_segmentsnapshot
    WHERE window_end <= %(start)s
    ORDER BY category_id, window_end DESC, computed_at DESC, id DESC
), bought AS (
    SELECT l.member_id, p.category_id, sum(l.amount) AS spend
    FROM baskets_basketline l JOIN catalog_product p ON p.id = l.product_id
    WHERE l.member_id IS NOT NULL
      AND l.purchased_at >= %(test_from)s AND l.purchased_at < %(spend_to)s
    GROUP BY l.member_id, p.category_id
)
SELECT latest.category_id, var_samp(coalesce(b.spend, 0)) AS variance
FROM latest
JOIN segments_segmentmember sm ON sm.snapshot_id = latest.id
LEFT JOIN bought b ON b.member_id = sm.member_id AND b.category_id = latest.category_id
WHERE sm.loyalty = ANY(%(test_loyalties)s)
GROUP BY latest.category_id
"""

# Brands per category by sales in the same weeks, best first.
_BRANDS_SQL = """
SELECT p.category_id, p.brand_type, p.brand, p.manufacturer_id, m.code,
       sum(l.amount) AS sales, avg(p.price) AS price
FROM baskets_basketline l
JOIN catalog_product p ON p.id = l.product_id
JOIN catalog_manufacturer m ON m.id = p.manufacturer_id
WHERE l.purchased_at >= %(spend_from)s AND l.purchased_at < %(spend_to)s AND p.price > 0
GROUP BY p.category_id, p.brand_type, p.brand, p.manufacturer_id, m.code
ORDER BY p.category_id, sales DESC, p.brand
"""


def _plan(*, period_start: dt.date, test_days: int) -> tuple[Pick | None, Pick | None, Pick | None]:
    """Choose the three campaigns' categories where the demo has the most members to reach.

    Trial (maker 1's brand to store-brand loyal buyers and swingers), retention (maker 2's
    brand to national-brand loyal buyers) and a store-brand switch, each in another
    department where possible; weighed categories are left out (an offer's minimum
    quantity counts units). The two makers are the ones the demo logins maker1 and maker2
    belong to, so that each manufacturer portal has a funded campaign to show.

    The store-brand switch is the measured test (TEST_GOAL): its category is the one where
    the two-sample test of its lift is sharpest, in any department. For a fixed response
    per list holder r and offer price p, the expected difference is (h / n) · r · p for n
    buyers of whom h hold lists, and its standard error σ · √(4 / n) with half held out,
    so the test statistic grows with h · p / √(n · σ²) (r is the same everywhere); σ² is
    the buyers' category spend over the test's days before the period.
    """
    rules = ListRules()
    params = {
        "start": period_start,
        "spend_from": local_midnight(period_start - dt.timedelta(weeks=rules.weeks)),
        "spend_to": local_midnight(period_start),
        "min_spend": rules.min_spend,
        "test_from": local_midnight(period_start - dt.timedelta(days=test_days)),
        "test_loyalties": list(TEST_LOYALTIES),
    }
    variance: dict[int, float] = {}
    cells: dict[int, dict[str, tuple[int, int]]] = {}
    brands: dict[int, list[tuple]] = {}
    with connection.cursor() as cursor:
        cursor.execute(_CELLS_SQL, params)
        for category_id, loyalty, buyers, with_lists in cursor.fetchall():
            cells.setdefault(category_id, {})[loyalty] = (buyers, with_lists)
        cursor.execute(_SPREAD_SQL, params)
        variance = {category_id: float(v or 0) for category_id, v in cursor.fetchall()}
        cursor.execute(_BRANDS_SQL, params)
        for category_id, *row in cursor.fetchall():
            brands.setdefault(category_id, []).append(tuple(row))
    weighed = {(d, c) for d, c, w, _ in vocabulary.category_table() if w}
    categories = {
        c.pk: c
        for c in Category.objects.filter(pk__in=cells)
        if (c.department, c.name) not in weighed
    }

    def reach(category_id: int, loyalties: tuple[str, ...]) -> tuple[int, int]:
        found = cells.get(category_id, {})
        return (
            sum(found.get(loyalty, (0, 0))[1] for loyalty in loyalties),
            sum(found.get(loyalty, (0, 0))[0] for loyalty in loyalties),
        )

    def sharpness(category_id: int, loyalties: tuple[str, ...], price) -> float:
        with_lists, buyers = reach(category_id, loyalties)
        spread = variance.get(category_id, 0.0) * buyers
        if buyers < 2 * TEST_MIN_HALF or spread <= 0:
            return 0.0
        return with_lists * float(price) / spread**0.5

    def best(loyalties, brand_type, taken, exclude_maker=None, test=False) -> Pick | None:
        ranked = []
        for category_id, category in categories.items():
            if category_id in {p.category_id for p in taken}:
                continue
            options = [
                b for b in brands.get(category_id, [])
                if b[0] == brand_type and (exclude_maker is None or b[2] != exclude_maker)
            ]  # fmt: skip
            if not options:
                continue
            if test:
                first = sharpness(category_id, loyalties, options[0][5])
            else:
                first = category.department not in {p.department for p in taken}
            ranked.append((first, *reach(category_id, loyalties), -category_id, options))
        if not ranked:
            return None
        _, with_lists, buyers, negative_id, options = max(ranked, key=lambda r: r[:4])
        category = categories[-negative_id]
        _, brand, manufacturer_id, code, _, price = options[0]
        return Pick(
            category_id=category.pk,
            category=category.name,
            department=category.department,
            brand=brand,
            manufacturer_id=manufacturer_id if brand_type == "national" else None,
            manufacturer_code=code if brand_type == "national" else None,
            average_price=Decimal(price).quantize(CENT),
            audience=buyers,
            with_lists=with_lists,
        )

    taken: list[Pick] = []
    trial = best(("store", "swinger"), "national", taken)
    taken += [trial] if trial else []
    retain = best(
        ("national",), "national", taken, exclude_maker=trial.manufacturer_id if trial else None
    )
    taken += [retain] if retain else []
    convert = best(TEST_LOYALTIES, "store", taken, test=True)
    return trial, retain, convert


TARGETS = {
    Goal.TRIAL: ["store-3", "store-2", "store-1", "swinger-3", "swinger-2", "swinger-1"],
    Goal.RETAIN: ["national-3", "national-2", "national-1"],
    Goal.CONVERT: ["national-3", "national-2", "national-1", "swinger-3", "swinger-2"],
}


def _quarters(amount: Decimal) -> Decimal:
    """Round to a quarter dollar, at least $0.25: amounts a flyer can print."""
    return max(Decimal("0.25"), (amount * 4).quantize(Decimal(1), ROUND_HALF_UP) / 4)


def _offers(pick: Pick, goal: str) -> list[dict]:
    """The offer per usage tier, deeper for heavier buyers (tier 3 = high usage)."""
    if goal == Goal.TRIAL:
        # Percent off maker 1's brand: a trial should cost the buyer little.
        return [
            {"usage_tier": tier, "applies_to": "brand", "brand": pick.brand,
             "discount_kind": "percent", "discount_value": pct, "min_quantity": 1,
             "shopper_text": _shopper_text(f"{pct}% off", f"{pick.brand} {pick.category}")}
            for tier, pct in ((3, "30"), (2, "20"), (1, "15"))
        ]  # fmt: skip
    if goal == Goal.RETAIN:
        # Amounts off maker 2's brand; heavy buyers get the biggest one on two units.
        price = pick.average_price
        offers = [
            {"usage_tier": 3, "applies_to": "brand", "brand": pick.brand,
             "discount_kind": "amount", "discount_value": _quarters(price * Decimal("0.5")),
             "min_quantity": 2},
            {"usage_tier": 2, "applies_to": "brand", "brand": pick.brand,
             "discount_kind": "amount", "discount_value": _quarters(price * Decimal("0.2")),
             "min_quantity": 1},
            {"usage_tier": 1, "applies_to": "brand", "brand": pick.brand,
             "discount_kind": "amount", "discount_value": _quarters(price * Decimal("0.12")),
             "min_quantity": 1},
        ]  # fmt: skip
        for offer in offers:
            buy = f" when you buy {offer['min_quantity']}" if offer["min_quantity"] > 1 else ""
            offer["shopper_text"] = _shopper_text(
                f"${offer['discount_value']:.2f} off", f"{pick.brand} {pick.category}{buy}"
            )
        return offers
    # The measured test: percent off two units of the store brand.
    return [
        {"usage_tier": tier, "applies_to": "brand_type", "brand_type": "store",
         "discount_kind": "percent", "discount_value": pct, "min_quantity": TEST_UNITS,
         "shopper_text": _shopper_text(f"{pct}% off two", f"{pick.brand} {pick.category}")}
        for tier, pct in ((3, "35"), (2, "25"), (1, "15"))
    ]  # fmt: skip


def _shopper_text(discount: str, what: str) -> str:
    """What the shopper reads on the list ("30% off Field Hound Dog Chews"), one line."""
    return f"{discount} {what}"[:SHOPPER_TEXT_MAX]


def _budget(pick: Pick, offers: list[dict]) -> Decimal:
    """A budget for each list holder of the audience redeeming the deepest offer once.

    In $50 steps, at least $100: halfway through, a campaign has used part of it.
    """
    deepest = max(
        Decimal(o["discount_value"])
        if o["discount_kind"] == "amount"
        else pick.average_price * Decimal(o["discount_value"]) / 100
        for o in offers
    )
    estimate = Decimal(pick.with_lists) * deepest
    return max(Decimal(100), (estimate / 50).quantize(Decimal(1), ROUND_CEILING) * 50)


def _agreement_ensure(
    *, pick: Pick, dates: Dates, share_pct: Decimal, budget: Decimal
) -> ManufacturerAgreement:
    """The maker's co-op deal: its share of discounts on its brand, capped, for a year."""
    manufacturer = Manufacturer.objects.get(pk=pick.manufacturer_id)
    name = f"{pick.brand} co-op {dates.agreements_from.year}"
    found = ManufacturerAgreement.objects.filter(manufacturer=manufacturer, name=name).first()
    if found is not None:
        return found
    # Room for this campaign's share and half as much again for the next one.
    cap = (budget * share_pct / 100 * Decimal("1.5") / 100).quantize(Decimal(1), ROUND_CEILING)
    agreement = ManufacturerAgreement(
        manufacturer=manufacturer,
        name=name,
        brands=[pick.brand],
        manufacturer_share_pct=share_pct,
        budget_cap=cap * 100,
        valid_from=dates.agreements_from,
        valid_until=dates.agreements_until,
        status=AgreementStatus.ACTIVE,
        reporting_included=True,
    )
    agreement.full_clean()
    agreement.save()
    # Every category the brand is sold in, so later campaigns of the maker fit the deal.
    agreement.categories.set(
        Category.objects.filter(
            products__manufacturer=manufacturer, products__brand=pick.brand
        ).distinct()
    )
    return agreement


def _campaign_ensure(
    *, pick, goal, offers, budget, agreement, dates, user, holdout_seed
) -> Campaign:
    """Create, approve (which stores the audience and holdout) and activate a campaign.

    Goes through the campaign form and offer formset, as the campaign page does, so the
    demo's campaigns obey every rule a user's would.
    """
    names = {
        Goal.TRIAL: f"Try {pick.brand} {pick.category}",
        Goal.RETAIN: f"Stay with {pick.brand} {pick.category}",
        Goal.CONVERT: f"{pick.brand} {pick.category}: switch and save",
    }
    name = names[goal]
    campaign = Campaign.objects.filter(name=name).first()
    if campaign is None:
        data = {
            "name": name,
            "goal": goal,
            "category": pick.category_id,
            "target_cells": TARGETS[goal],
            "valid_from": dates.previous.isoformat(),
            "valid_until": dates.campaigns_until.isoformat(),
            "redemptions_per_member": 1,
            "budget": str(budget),
            "holdout_pct": TEST_HOLDOUT_PCT if goal == TEST_GOAL else HOLDOUT_PCT,
            "agreement": agreement.pk if agreement else "",
            "redemption_rate_pct": "15",
            "offers-TOTAL_FORMS": str(len(offers)),
            "offers-INITIAL_FORMS": "0",
            "offers-MIN_NUM_FORMS": "0",
            "offers-MAX_NUM_FORMS": "1000",
        }
        for i, offer in enumerate(offers):
            for key, value in offer.items():
                data[f"offers-{i}-{key}"] = str(value)
        form = CampaignForm(data, today=dates.today)
        formset = OfferFormSet(data, instance=form.instance, prefix="offers")
        if not (form.is_valid() and formset.is_valid()):
            raise ValueError(f"Demo campaign {name!r}: {form.errors} {formset.errors}")
        campaign = campaign_save(form=form, offers=formset, user=user)
        # A fixed seed: the same demo data draws the same holdout on every machine.
        Campaign.objects.filter(pk=campaign.pk).update(holdout_seed=holdout_seed)
    if campaign.status == CampaignStatus.DRAFT:
        campaign = campaign_approve(campaign_id=campaign.pk, user=user, today=dates.today)
    if campaign.status == CampaignStatus.APPROVED:
        campaign = campaign_activate(campaign_id=campaign.pk, user=user, today=dates.today)
    return campaign


def _tills_ensure(secrets: dict[str, str]) -> dict[str, TillToken]:
    """One till token per store (the simulation rings baskets up at home stores)."""
    tills = {}
    for store in Store.objects.order_by("code"):
        till = TillToken.objects.filter(store=store, name=TILL_NAME).first()
        if till is None:
            till, secret = till_token_create(store=store, name=TILL_NAME)
            secrets[store.code] = secret
        tills[store.code] = till
    return tills


def _lists_ensure(*, period_start: dt.date, rules: ListRules) -> int:
    """Generate the period's lists under a job, as the biweekly task does, but in-process.

    The workers are not running yet when `make run` seeds, so the chunks run here, one
    after the other, through the same chunk service the Celery task calls.
    """
    existing = ShoppingList.objects.filter(period_start=period_start).count()
    if existing:
        return existing
    chunks = list_chunks(chunk_size=2000)
    job = job_create(
        kind=JOB_KIND,
        params={"period_start": period_start.isoformat(), **rules.as_params()},
        total=len(chunks),
    )
    job_start(
        job_id=job.pk,
        total=len(chunks),
        message=chunks_message(len(chunks)),
    )
    created = 0
    for lo, hi in chunks:
        created += lists_generate_chunk(
            job_id=job.pk, period_start=period_start, lo=lo, hi=hi, rules=rules
        )
    return created


def _backdate(*, dates: Dates) -> None:
    """Date the seeded rows when they would have been made, not when the seed ran.

    Reports read redemptions, tills' transactions and lists by their timestamps; a demo
    whose three weeks of checkouts all carry today's time would show one spike.
    """
    morning = dt.time(6, 0)
    for start in (dates.previous, dates.current):
        made = timezone.make_aware(dt.datetime.combine(start, morning))
        ShoppingList.objects.filter(period_start=start).update(created_at=made)
        Job.objects.filter(kind=JOB_KIND, params__period_start=start.isoformat()).update(
            created_at=made, started_at=made, finished_at=made + dt.timedelta(minutes=2)
        )
    approved = timezone.make_aware(
        dt.datetime.combine(dates.previous - dt.timedelta(days=7), dt.time(10, 0))
    )
    Campaign.objects.filter(
        valid_from=dates.previous, valid_until=dates.campaigns_until, approved_at__gt=approved
    ).update(created_at=approved, approved_at=approved)
    ManufacturerAgreement.objects.filter(
        valid_from=dates.agreements_from, created_at__gt=approved
    ).update(created_at=approved - dt.timedelta(days=7))
    demo = PosTransaction.objects.filter(transaction_id__startswith=DEMO_PREFIX)
    demo.update(
        created_at=Subquery(Basket.objects.filter(pk=OuterRef("basket")).values("purchased_at")[:1])
    )
    Redemption.objects.filter(pos_transaction__in=demo).update(
        created_at=Subquery(
            PosTransaction.objects.filter(pk=OuterRef("pos_transaction")).values("created_at")[:1]
        )
    )
    # A reversed redemption was reversed by the (demo) return of its sale.
    Redemption.objects.filter(pos_transaction__in=demo, reversed_at__isnull=False).update(
        reversed_at=Subquery(
            PosTransaction.objects.filter(original=OuterRef("pos_transaction"))
            .order_by("created_at")
            .values("created_at")[:1]
        )
    )


def _list_schedule_continue(*, dates: Dates) -> None:
    """Let the biweekly list task go on from the current period: next run on its end."""
    from django_celery_beat.models import PeriodicTask

    ran = timezone.make_aware(dt.datetime.combine(dates.current, dt.time(6, 0)))
    PeriodicTask.objects.filter(name=LIST_TASK_NAME).filter(
        Q(last_run_at__isnull=True) | Q(last_run_at__lt=ran)
    ).update(last_run_at=ran)


def _statements_ensure(*, agreements: list[ManufacturerAgreement], dates: Dates, user) -> list[str]:
    """Settle each agreement up to the previous period's end; draft the current period.

    Maker 1 has paid its statement, maker 2's is sent and awaits payment: the settlement
    pages show every state. Made through the settlement services (claim lines frozen on
    sending), then dated when they would have been sent and paid.
    """
    numbers = []
    settled_until = dates.current - dt.timedelta(days=1)
    sent_at = timezone.make_aware(dt.datetime.combine(dates.current, dt.time(9, 0)))
    paid_at = sent_at + dt.timedelta(days=4, hours=5)
    for number, agreement in enumerate(agreements):
        if agreement.statements.exists():
            numbers += [s.number for s in agreement.statements.order_by("period_start")]
            continue
        settled = statement_create(
            agreement=agreement,
            period_start=agreement.valid_from,
            period_end=settled_until,
            user=user,
            note="Demo: the weeks up to the current list period.",
        )
        statement_send(statement_id=settled.pk, user=user)
        created_at = sent_at - dt.timedelta(minutes=30)
        times = {StatementAction.CREATED: created_at, StatementAction.SENT: sent_at}
        fields = {"created_at": created_at, "sent_at": sent_at}
        if number == 0:
            statement_mark_paid(statement_id=settled.pk, user=user, note="Paid by transfer.")
            times[StatementAction.PAID] = fields["paid_at"] = paid_at
        SettlementStatement.objects.filter(pk=settled.pk).update(**fields)
        for action, at in times.items():
            StatementEvent.objects.filter(statement=settled, action=action).update(at=at)
        draft = statement_create(
            agreement=agreement, period_start=dates.current, period_end=dates.end, user=user
        )
        numbers += [settled.number, draft.number]
    return numbers


def _reports_ensure() -> None:
    """Refresh the dashboard's aggregates once, under a job, as the nightly task would."""
    if Job.objects.filter(kind=REPORTS_JOB, status=JobStatus.SUCCEEDED).exists():
        return
    job = job_create(kind=REPORTS_JOB, params={"full": False}, total=len(REPORT_STEPS))
    reports_refresh_job(job_id=job.pk)


def demo_program_makers() -> tuple[str, str] | None:
    """Return the codes of the demo agreements' makers (maker1, maker2), if seeded."""
    codes: list[str] = []
    for code in ManufacturerAgreement.objects.order_by("pk").values_list(
        "manufacturer__code", flat=True
    ):
        if code not in codes:
            codes.append(code)
    return (codes[0], codes[1]) if len(codes) >= 2 else None

"""Choose the demo programme's dates and the three campaigns' categories, brands and makers.

The calendar hangs on the till history's last day; the categories are those where the demo
has the most members to reach, and the store-brand switch (the measured test) goes where
its lift can be read with the fewest members.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from django.db import connection

from apps.campaigns.models import Goal
from apps.catalog.models import Category
from apps.core.clock import local_midnight
from apps.demo import vocabulary
from apps.lists.services import PERIOD_DAYS, ListRules

# The store's own switch campaign is run as a measured test, so that the dashboard has a
# lift that is not noise to show: half its audience is held out, it runs in the category
# where its lift can be read with the fewest members, its offer is for two units, and its
# list holders act on it (apps.demo.simulate, "eager" campaigns). Ten per cent of a few
# hundred buyers is too small a holdout to tell a campaign's effect from chance.
TEST_GOAL = Goal.CONVERT
TEST_LOYALTIES = ("national", "swinger")  # whom the switch to the store brand targets
TEST_HOLDOUT_PCT = Decimal("50")
TEST_UNITS = 2
# Each half of the test's audience at least this large: the intervals are large-sample ones.
TEST_MIN_HALF = 20
CENT = Decimal("0.01")


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
    WHERE m.status = 'active' AND m.consent_list
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


def campaigns_plan(
    *, period_start: dt.date, test_days: int
) -> tuple[Pick | None, Pick | None, Pick | None]:
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

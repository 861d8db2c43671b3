"""Category association rules on hand-built baskets, the figures counted again in the test."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from itertools import permutations

import pytest
from django.urls import reverse
from django.utils import timezone

from apps.segments.affinity import category_affinity_compute
from apps.segments.models import CategoryAffinity
from tests.factories import (
    BasketFactory,
    BasketLineFactory,
    CategoryFactory,
    MemberFactory,
    ProductFactory,
)

WINDOW_END = dt.date(2026, 3, 1)
WEEKS = 8
WINDOW_START = WINDOW_END - dt.timedelta(weeks=WEEKS)

# The baskets of the window, as the categories of their lines ("beer2" is a second beer
# product in the same basket: a category counts once per basket).
IN_WINDOW = [
    ["beer", "diapers"],
    ["beer", "diapers"],
    ["beer", "diapers", "chips"],
    ["beer", "beer2", "chips"],
    ["diapers"],
    ["milk"],
    ["milk", "chips"],
    ["beer"],
    ["chips", "diapers"],
]


def local(day: dt.date, hour: int = 12) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time(hour)))


@pytest.fixture
def shop(db):
    categories = {
        name: CategoryFactory(name=name.title()) for name in ("beer", "diapers", "chips", "milk")
    }
    products = {name: ProductFactory(category=category) for name, category in categories.items()}
    products["beer2"] = ProductFactory(category=categories["beer"])
    return categories, products


def basket(products, names, *, at, member=True, quantity=Decimal("1")):
    b = BasketFactory(purchased_at=at, member=MemberFactory() if member else None)
    for name in names:
        BasketLineFactory(basket=b, product=products[name], quantity=quantity)
    return b


def expected_rules(baskets: list[list[str]], min_baskets: int) -> dict[tuple[str, str], tuple]:
    """Support, confidence and lift of every ordered pair, counted from the lists."""
    sets = [{"beer" if n == "beer2" else n for n in names} for names in baskets]
    n = len(sets)
    names = sorted(set().union(*sets))
    count = {c: sum(c in s for s in sets) for c in names}
    rules = {}
    for a, b in permutations(names, 2):
        both = sum(a in s and b in s for s in sets)
        if both >= min_baskets:
            rules[(a, b)] = (both, both / n, both / count[a], (both / count[a]) / (count[b] / n))
    return rules


@pytest.fixture
def baskets(shop):
    categories, products = shop
    for i, names in enumerate(IN_WINDOW):
        # The first basket opens the window at local midnight; one is anonymous.
        at = local(WINDOW_START, 0) if i == 0 else local(WINDOW_START + dt.timedelta(days=i))
        basket(products, names, at=at, member=i != 5)
    # Outside the window: the day before it, and its end (excluded) at local midnight.
    basket(products, ["beer", "milk"], at=local(WINDOW_START - dt.timedelta(days=1), 23))
    basket(products, ["beer", "milk"], at=local(WINDOW_END, 0))
    # Milk brought back with a beer basket: a return is not a purchase.
    returned = basket(products, ["beer"], at=local(WINDOW_START + dt.timedelta(days=20)))
    BasketLineFactory(basket=returned, product=products["milk"], quantity=Decimal("-1"))
    return categories, IN_WINDOW + [["beer"]]


def stored(categories) -> dict[tuple[str, str], CategoryAffinity]:
    by_id = {c.pk: name for name, c in categories.items()}
    return {
        (by_id[r.antecedent_id], by_id[r.consequent_id]): r
        for r in CategoryAffinity.objects.filter(window_end=WINDOW_END)
    }


@pytest.mark.parametrize("min_baskets", [1, 2, 3])
def test_rules_match_the_counts(baskets, min_baskets):
    categories, window_baskets = baskets
    expected = expected_rules(window_baskets, min_baskets)
    assert expected  # the data has rules at every threshold tested
    written = category_affinity_compute(window_end=WINDOW_END, weeks=WEEKS, min_baskets=min_baskets)
    rules = stored(categories)
    assert written == len(expected)
    assert set(rules) == set(expected)
    for pair, (both, support, confidence, lift) in expected.items():
        rule = rules[pair]
        assert rule.baskets_with_both == both
        assert rule.baskets == len(window_baskets)
        assert rule.support == pytest.approx(support)
        assert rule.confidence == pytest.approx(confidence)
        assert rule.lift == pytest.approx(lift)
        assert (rule.window_start, rule.window_end) == (WINDOW_START, WINDOW_END)


def test_beer_and_diapers_figures(baskets):
    """One rule by hand: 10 baskets, beer in 6, diapers in 5, both in 3."""
    categories, _ = baskets
    category_affinity_compute(window_end=WINDOW_END, weeks=WEEKS, min_baskets=1)
    rule = stored(categories)[("beer", "diapers")]
    assert (rule.baskets, rule.antecedent_baskets, rule.baskets_with_both) == (10, 6, 3)
    assert rule.support == pytest.approx(0.3)
    assert rule.confidence == pytest.approx(0.5)
    assert rule.lift == pytest.approx(0.5 / 0.5)
    assert ("milk", "beer") not in stored(categories)  # only the return and outside the window


def test_rerun_replaces_the_window(baskets):
    categories, window_baskets = baskets
    category_affinity_compute(window_end=WINDOW_END, weeks=WEEKS, min_baskets=1)
    category_affinity_compute(window_end=WINDOW_END, weeks=WEEKS, min_baskets=1)
    assert CategoryAffinity.objects.count() == len(expected_rules(window_baskets, 1))
    category_affinity_compute(window_end=WINDOW_END, weeks=WEEKS, min_baskets=3)
    assert set(stored(categories)) == set(expected_rules(window_baskets, 3))


def test_another_window_is_kept(baskets):
    category_affinity_compute(window_end=WINDOW_END, weeks=WEEKS, min_baskets=1)
    earlier = WINDOW_END - dt.timedelta(days=7)
    category_affinity_compute(window_end=earlier, weeks=WEEKS, min_baskets=1)
    ends = set(CategoryAffinity.objects.values_list("window_end", flat=True))
    assert ends == {WINDOW_END, earlier}


def test_no_baskets_no_rules(shop):
    assert category_affinity_compute(window_end=WINDOW_END, weeks=WEEKS) == 0


@pytest.mark.parametrize("kwargs", [{"weeks": 0}, {"min_baskets": 0}])
def test_refuses_empty_window_or_threshold(db, kwargs):
    with pytest.raises(ValueError):
        category_affinity_compute(window_end=WINDOW_END, **kwargs)


def test_nightly_job_computes_the_rules(shop, django_capture_on_commit_callbacks):
    from apps.segments.tasks import segments_nightly_task

    categories, products = shop
    for _ in range(20):  # the default threshold: 20 baskets with both
        basket(products, ["beer", "diapers"], at=timezone.now() - dt.timedelta(days=2))
    with django_capture_on_commit_callbacks(execute=False):
        segments_nightly_task()
    rules = stored_any(categories)
    assert set(rules) == {("beer", "diapers"), ("diapers", "beer")}
    assert {r.window_end for r in rules.values()} == {timezone.localdate()}


def stored_any(categories):
    by_id = {c.pk: name for name, c in categories.items()}
    return {
        (by_id[r.antecedent_id], by_id[r.consequent_id]): r for r in CategoryAffinity.objects.all()
    }


def test_command_reports_the_rules(baskets):
    from io import StringIO

    from django.core.management import call_command

    out = StringIO()
    args = ["--end", WINDOW_END.isoformat(), "--weeks", str(WEEKS), "--min-baskets", "3"]
    call_command("compute_affinity", *args, stdout=out)
    assert out.getvalue().startswith("2 rules for the 8 weeks before 2026-03-01")


# --- The page ---------------------------------------------------------------------------


@pytest.fixture
def rules_page(baskets, client, marketing_user):
    category_affinity_compute(window_end=WINDOW_END, weeks=WEEKS, min_baskets=1)
    client.force_login(marketing_user)
    return baskets[0], client


def test_page_lists_the_rules_strongest_first(rules_page):
    categories, client = rules_page
    response = client.get(reverse("segments:affinity"), {"min_baskets": 1})
    assert response.status_code == 200
    rows = list(response.context["table"].page.object_list)
    lifts = [row.record.lift for row in rows]
    assert lifts == sorted(lifts, reverse=True)
    assert len(rows) == CategoryAffinity.objects.count()
    text = response.content.decode()
    assert "support</strong> is the share of all baskets" in text
    # milk → chips: 1 of the 2 milk baskets (50 %) against chips in 4 of 10 (40 %): 1.25×.
    assert "1.25×" in text


def test_page_filters_by_category_on_either_side(rules_page):
    categories, client = rules_page
    milk = categories["milk"]
    response = client.get(reverse("segments:affinity"), {"category": milk.pk, "min_baskets": 1})
    rules = [row.record for row in response.context["table"].page.object_list]
    assert {(r.antecedent_id, r.consequent_id) for r in rules} == {
        (milk.pk, categories["chips"].pk),
        (categories["chips"].pk, milk.pk),
    }


@pytest.mark.parametrize(
    "query",
    [
        {"category": "nope"},
        {"category": "999999"},
        {"sort": "x"},
        {"page": "99"},
        {"min_baskets": "-3"},
        {"min_baskets": "1e99"},
    ],
)
def test_page_survives_odd_queries(rules_page, query):
    _, client = rules_page
    response = client.get(reverse("segments:affinity"), query)
    assert response.status_code in (200, 404)


def test_page_sorts_by_support(rules_page):
    _, client = rules_page
    response = client.get(reverse("segments:affinity"), {"sort": "support", "min_baskets": "1"})
    supports = [row.record.support for row in response.context["table"].page.object_list]
    assert supports == sorted(supports)


def test_page_hides_rules_on_few_baskets_by_default(rules_page):
    """Campaigns' threshold by default: the rare pairs' large lifts are noise."""
    from apps.segments.affinity import TARGET_MIN_BASKETS

    _, client = rules_page
    response = client.get(reverse("segments:affinity"))
    assert list(response.context["table"].page.object_list) == []
    assert response.context["min_baskets"] == TARGET_MIN_BASKETS
    response = client.get(reverse("segments:affinity"), {"min_baskets": 3})
    rules = {(r.record.baskets_with_both) for r in response.context["table"].page.object_list}
    assert rules == {3}  # beer and diapers, both ways
    assert "10 baskets" in response.content.decode()


def test_page_without_rules(db, client, marketing_user):
    client.force_login(marketing_user)
    response = client.get(reverse("segments:affinity"))
    assert response.status_code == 200
    assert "No rules yet" in response.content.decode()

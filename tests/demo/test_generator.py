"""The demo generator: deterministic files whose statistics match the generative model.

Properties are computed here from the CSV files with the csv module, independently of
the generator's arrays; only the ground truth (true cycles, churn dates) comes from it.
"""

from __future__ import annotations

import csv
from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime, time
from decimal import Decimal
from pathlib import Path
from statistics import median

import pytest

from apps.demo.generator import (
    BASKET_HEADER,
    BASKETS_FILE,
    MEMBER_HEADER,
    MEMBERS_FILE,
    NATIONAL,
    PRODUCT_HEADER,
    PRODUCTS_FILE,
    STORE,
    DemoSummary,
    default_end_date,
    generate_demo_files,
)

MEMBERS, WEEKS, SEED = 500, 26, 7
END = date(2026, 3, 1)  # a Sunday


@dataclass
class Demo:
    summary: DemoSummary
    products: dict[str, dict[str, str]]
    members: dict[str, dict[str, str]]
    lines: list[dict[str, str]]


def _read(path: Path, header: tuple[str, ...]) -> list[dict[str, str]]:
    with open(path, newline="", encoding="utf-8") as f:
        reader = csv.DictReader(f)
        assert tuple(reader.fieldnames or ()) == header
        return list(reader)


@pytest.fixture(scope="module")
def demo(tmp_path_factory) -> Demo:
    directory = tmp_path_factory.mktemp("demo")
    summary = generate_demo_files(
        directory=directory, members=MEMBERS, weeks=WEEKS, seed=SEED, end_date=END
    )
    products = {r["upc"]: r for r in _read(directory / PRODUCTS_FILE, PRODUCT_HEADER)}
    members = {r["card_number"]: r for r in _read(directory / MEMBERS_FILE, MEMBER_HEADER)}
    lines = _read(directory / BASKETS_FILE, BASKET_HEADER)
    return Demo(summary, products, members, lines)


def _member_lines(demo: Demo) -> dict[str, list[dict[str, str]]]:
    by_card: dict[str, list[dict[str, str]]] = defaultdict(list)
    for row in demo.lines:
        if row["card_number"]:
            by_card[row["card_number"]].append(row)
    return by_card


def _day(row: dict[str, str]) -> date:
    return datetime.fromisoformat(row["purchased_at"]).date()


# ----------------------------------------------------------------------------- determinism


def test_same_seed_gives_byte_identical_files(demo, tmp_path):
    generate_demo_files(directory=tmp_path, members=MEMBERS, weeks=WEEKS, seed=SEED, end_date=END)
    for name in (PRODUCTS_FILE, MEMBERS_FILE, BASKETS_FILE):
        assert (tmp_path / name).read_bytes() == (demo.summary.directory / name).read_bytes()


def test_other_seed_gives_other_households_same_catalog(demo, tmp_path):
    generate_demo_files(
        directory=tmp_path, members=MEMBERS, weeks=WEEKS, seed=SEED + 1, end_date=END
    )
    for name in (MEMBERS_FILE, BASKETS_FILE):
        assert (tmp_path / name).read_bytes() != (demo.summary.directory / name).read_bytes()
    # The chain's catalog does not depend on the seed, so that demo loads share it.
    assert (tmp_path / PRODUCTS_FILE).read_bytes() == (
        demo.summary.directory / PRODUCTS_FILE
    ).read_bytes()


# ----------------------------------------------------------------------------- file integrity


def test_counts_match_summary(demo):
    s = demo.summary
    assert len(demo.members) == MEMBERS == s.members
    assert len(demo.products) == s.products
    assert len(demo.lines) == s.lines
    assert len({r["basket_id"] for r in demo.lines}) == s.baskets
    assert s.start_date == date(2025, 9, 1) and s.end_date == END


def test_catalog_shape(demo):
    products = demo.products.values()
    categories = {r["category"] for r in products}
    departments = {r["department"] for r in products}
    assert 200 <= len(categories) <= 300
    assert {"Pet", "Baby", "Produce", "Dairy", "Grocery", "Household"} <= departments
    by_cat: dict[str, list[dict[str, str]]] = defaultdict(list)
    for r in products:
        by_cat[r["category"]].append(r)
    for rows in by_cat.values():
        national = [r for r in rows if r["brand_type"] == "national"]
        store = [r for r in rows if r["brand_type"] == "store"]
        assert len({r["manufacturer"] for r in national}) >= 2
        assert store and all(r["manufacturer"] == "STORE" for r in store)
    assert all(Decimal(r["price"]) > 0 and len(r["price"].split(".")[1]) == 2 for r in products)


def test_every_basket_shares_card_store_and_time(demo):
    heads: dict[str, tuple[str, str, str]] = {}
    for row in demo.lines:
        head = (row["card_number"], row["store"], row["purchased_at"])
        assert heads.setdefault(row["basket_id"], head) == head
    # A basket's rows are contiguous in the file, and no product repeats in a basket.
    ids = [r["basket_id"] for r in demo.lines]
    changes = sum(1 for a, b in zip(ids, ids[1:], strict=False) if a != b)
    assert changes + 1 == len(heads)
    assert len({(r["basket_id"], r["upc"]) for r in demo.lines}) == len(demo.lines)


def test_every_upc_and_card_exists(demo):
    assert {r["upc"] for r in demo.lines} <= demo.products.keys()
    assert {r["card_number"] for r in demo.lines} - {""} <= demo.members.keys()


def test_amount_is_price_times_quantity_minus_discount(demo):
    discounted = 0
    for row in demo.lines:
        price = Decimal(demo.products[row["upc"]]["price"])
        qty, amount, discount = (Decimal(row[k]) for k in ("quantity", "amount", "discount"))
        assert len(row["amount"].split(".")[1]) == len(row["discount"].split(".")[1]) == 2
        assert abs(price * qty - discount - amount) <= Decimal("0.005")
        assert qty > 0 and discount >= 0 and amount >= 0
        if discount:
            discounted += 1
            assert row["card_number"], "promotions are card-holder prices"
    assert 0.01 < discounted / len(demo.lines) < 0.15


def test_timestamps_in_window_and_opening_hours(demo):
    for row in demo.lines:
        at = datetime.fromisoformat(row["purchased_at"])
        assert at.tzinfo is None
        assert demo.summary.start_date <= at.date() <= END
        opens, closes = (time(8), time(20)) if at.weekday() == 6 else (time(7), time(22))
        assert opens <= at.time() < closes


def test_weighed_items_have_fractional_quantities(demo):
    weighed = [r for r in demo.lines if "per lb" in demo.products[r["upc"]]["name"]]
    assert weighed
    assert all(len(r["quantity"].split(".")[1]) == 3 for r in weighed)
    units = [r["quantity"] for r in demo.lines if "per lb" not in demo.products[r["upc"]]["name"]]
    assert all(q.isdigit() for q in units)


def test_member_rows_are_plausible(demo):
    rows = list(demo.members.values())
    assert all(r["first_name"] and r["last_name"] for r in rows)
    emails = [r["email"] for r in rows if r["email"]]
    assert 0.7 < len(emails) / len(rows) < 1
    assert all(e.count("@") == 1 and "." in e.split("@")[1] for e in emails)
    assert all(len(r["postal_code"]) == 5 for r in rows)
    assert all(int(r["household_size"]) >= int(r["children"]) + 1 for r in rows)
    consent = [r["consent_list"] for r in rows]
    assert set(consent) == {"yes", "no"}
    assert 0.01 < consent.count("no") / len(rows) < 0.15
    # By channel: most take the list, some e-mail, few SMS; only where they can be reached.
    by_email = [r for r in rows if r["consent_email"] == "yes"]
    by_sms = [r for r in rows if r["consent_sms"] == "yes"]
    assert 0.25 < len(by_email) / len(rows) < 0.5
    assert 0.04 < len(by_sms) / len(rows) < 0.2
    assert all(r["email"] and r["consent_list"] == "yes" for r in by_email)
    assert all(r["phone"] and r["consent_list"] == "yes" for r in by_sms)
    assert all(date.fromisoformat(r["joined_on"]) <= END for r in rows)


# ----------------------------------------------------------------------------- statistics


def test_top_fifth_of_members_bring_most_sales(demo):
    spend = defaultdict(Decimal)
    for row in demo.lines:
        if row["card_number"]:
            spend[row["card_number"]] += Decimal(row["amount"])
    totals = sorted((spend.get(card, Decimal(0)) for card in demo.members), reverse=True)
    share = sum(totals[: MEMBERS // 5]) / sum(totals)
    assert share > Decimal("0.5")


def test_volume_is_about_a_hundred_lines_per_member_year(demo):
    member_lines = sum(1 for r in demo.lines if r["card_number"])
    per_year = member_lines / MEMBERS * 52 / WEEKS
    assert 60 < per_year < 160


def test_anonymous_share_of_baskets(demo):
    baskets = {r["basket_id"]: r["card_number"] for r in demo.lines}
    anonymous = sum(1 for card in baskets.values() if not card) / len(baskets)
    assert 0.08 <= anonymous <= 0.18


def test_national_share_shows_loyal_and_swinging_buyers(demo):
    national = defaultdict(lambda: [0, 0])
    for card, rows in _member_lines(demo).items():
        for row in rows:
            product = demo.products[row["upc"]]
            counts = national[(card, product["category"])]
            counts[0] += product["brand_type"] == "national"
            counts[1] += 1
    shares = [n / total for n, total in national.values() if total >= 4]
    assert len(shares) > 300
    nat_loyal = sum(s >= 0.8 for s in shares) / len(shares)
    store_loyal = sum(s <= 0.2 for s in shares) / len(shares)
    swing = 1 - nat_loyal - store_loyal
    assert nat_loyal > 0.25 and store_loyal > 0.1 and swing > 0.1


def test_brand_shares_follow_true_loyalty(demo):
    truth = demo.summary.truth
    national = defaultdict(lambda: [0, 0])
    for card, rows in _member_lines(demo).items():
        for row in rows:
            product = demo.products[row["upc"]]
            counts = national[(card, product["category"])]
            counts[0] += product["brand_type"] == "national"
            counts[1] += 1
    agree = total = 0
    for m, c, kind in zip(truth.pair_member, truth.pair_category, truth.pair_loyalty, strict=True):
        n, lines = national.get((str(truth.card_number[m]), truth.category_name[c]), (0, 0))
        if lines >= 4 and kind in (NATIONAL, STORE):
            total += 1
            agree += (n / lines >= 0.8) if kind == NATIONAL else (n / lines <= 0.2)
    assert total > 100 and agree / total > 0.85


def test_true_purchase_cycles_are_recoverable(demo):
    cycles = demo.summary.truth.cycles()
    dates = defaultdict(set)
    for card, rows in _member_lines(demo).items():
        for row in rows:
            dates[(card, demo.products[row["upc"]]["category"])].add(_day(row))
    checked = within = 0
    for key, days in dates.items():
        if len(days) < 4:
            continue
        ordered = sorted(days)
        gaps = [(b - a).days for a, b in zip(ordered, ordered[1:], strict=False)]
        checked += 1
        within += abs(median(gaps) - cycles[key]) <= 0.25 * cycles[key]
    assert checked > 300
    assert within / checked > 0.85


def test_cycles_vary_across_households_and_categories(demo):
    cycles = demo.summary.truth.pair_cycle_days
    assert cycles.min() >= 2 and len(set(cycles.tolist())) > 20


def test_churners_stop_and_joiners_start(demo):
    truth = demo.summary.truth
    last_day: dict[str, date] = {}
    first_day: dict[str, date] = {}
    for card, rows in _member_lines(demo).items():
        days = [_day(r) for r in rows]
        last_day[card], first_day[card] = max(days), min(days)
    churners = 0
    for card, churn in zip(truth.card_number.tolist(), truth.churn_date.tolist(), strict=True):
        if churn is not None:
            churners += 1
            assert card not in last_day or last_day[card] < churn
    assert 0.05 < churners / MEMBERS < 0.2
    joiners = 0
    for card, row in demo.members.items():
        joined = date.fromisoformat(row["joined_on"])
        if joined > demo.summary.start_date:
            joiners += 1
            assert card not in first_day or first_day[card] >= joined
    assert joiners > 10


def test_baby_and_pet_households_buy_their_departments(demo):
    truth = demo.summary.truth
    buys = defaultdict(set)
    for card, rows in _member_lines(demo).items():
        for row in rows:
            buys[card].add(demo.products[row["upc"]]["department"])
    babies = 0
    for i, card in enumerate(truth.card_number.tolist()):
        if truth.baby[i]:
            babies += 1
            assert int(demo.members[card]["children"]) > 0
        else:
            assert "Baby" not in buys[card]
        if not truth.pet[i]:
            assert "Pet" not in buys[card]
    baby_buyers = [c for i, c in enumerate(truth.card_number.tolist()) if truth.baby[i]]
    active = [c for c in baby_buyers if buys[c]]
    assert babies > 20
    assert sum("Baby" in buys[c] for c in active) / len(active) > 0.8
    pet_cards = [c for i, c in enumerate(truth.card_number.tolist()) if truth.pet[i] and buys[c]]
    assert sum("Pet" in buys[c] for c in pet_cards) / len(pet_cards) > 0.6


def test_default_end_date_is_the_last_sunday_before_today():
    assert default_end_date(date(2026, 3, 4)) == date(2026, 3, 1)  # a Wednesday
    assert default_end_date(date(2026, 3, 1)) == date(2026, 2, 22)  # a Sunday itself
    assert default_end_date(date(2026, 3, 2)) == date(2026, 3, 1)


def test_produce_heavy_households_buy_more_produce(demo):
    truth = demo.summary.truth
    heavy = set(truth.card_number[truth.produce_heavy].tolist())
    share = {True: [0, 0], False: [0, 0]}
    for card, rows in _member_lines(demo).items():
        counts = share[card in heavy]
        counts[0] += sum(demo.products[r["upc"]]["department"] == "Produce" for r in rows)
        counts[1] += len(rows)
    heavy_share = share[True][0] / share[True][1]
    other_share = share[False][0] / share[False][1]
    assert heavy_share > 1.5 * other_share

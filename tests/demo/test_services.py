"""`demo_generate` and `generate_demo` end to end: files through the POS importer into the DB."""

from __future__ import annotations

import csv
from datetime import date
from decimal import Decimal
from io import StringIO

import pytest
from django.core.management import call_command
from django.db.models import Sum

from apps.baskets.models import Basket, BasketLine, Store
from apps.catalog.models import Category, Manufacturer, Product
from apps.demo.services import demo_generate
from apps.members.models import Member

END = date(2026, 3, 1)


@pytest.mark.django_db(transaction=True)
def test_demo_generate_loads_exactly_the_files(tmp_path):
    result = demo_generate(members=150, weeks=8, seed=5, end_date=END, directory=tmp_path)

    with open(tmp_path / "baskets.csv", newline="") as f:
        lines = list(csv.DictReader(f))
    with open(tmp_path / "members.csv", newline="") as f:
        members = list(csv.DictReader(f))
    with open(tmp_path / "products.csv", newline="") as f:
        products = list(csv.DictReader(f))

    assert all(f.rejected == 0 and f.error is None for f in result.imported.files)
    assert Member.objects.count() == len(members) == 150
    assert Product.objects.count() == len(products) == result.summary.products
    assert Category.objects.count() == len({p["category"] for p in products})
    assert Manufacturer.objects.count() == len({p["manufacturer"] for p in products})
    assert Basket.objects.count() == len({r["basket_id"] for r in lines}) == result.summary.baskets
    assert BasketLine.objects.count() == len(lines) == result.summary.lines
    anonymous = len({r["basket_id"] for r in lines if not r["card_number"]})
    assert Basket.objects.filter(member__isnull=True).count() == anonymous > 0
    total = sum(Decimal(r["amount"]) for r in lines)
    assert BasketLine.objects.aggregate(s=Sum("amount"))["s"] == total
    assert Basket.objects.aggregate(s=Sum("total_amount"))["s"] == total
    # Names the CSV files cannot carry are filled in by the demo service.
    assert Store.objects.get(code="S01").city == "Ames"
    assert Manufacturer.objects.get(code="STORE").name.startswith("Prairie Fresh Market")


@pytest.mark.django_db(transaction=True)
def test_generate_demo_command_prints_a_summary(tmp_path):
    out = StringIO()
    call_command(
        "generate_demo",
        members=40,
        weeks=4,
        seed=1,
        end_date=END,
        keep_files=str(tmp_path),
        stdout=out,
    )
    text = out.getvalue()
    assert "40 members" in text and "lines" in text and "Demo data loaded." in text
    assert (tmp_path / "baskets.csv").exists()
    assert Member.objects.count() == 40


@pytest.mark.django_db(transaction=True)
def test_the_demo_program_vacuums_the_lines_before_its_snapshots(tmp_path):
    """A freshly loaded history has no all-visible page; the programme's snapshots read the
    lines by an index-only scan, which needs them (apps.segments.services)."""
    from apps.demo.program import demo_program_seed
    from tests.segments.line_pages import line_vacuums

    demo_generate(members=60, weeks=4, seed=3, end_date=END, directory=tmp_path)
    before = line_vacuums()

    demo_program_seed(seed=42, max_checkouts=20)

    after = line_vacuums()
    assert len(after) == len(before) > 0
    assert after == [count + 1 for count in before]

"""products.csv: a blank brand or category is a warning, not a reject, and the product's
basket lines load (issue 14, item 6). Truly malformed rows stay rejects."""

from __future__ import annotations

import csv
import io
from decimal import Decimal
from pathlib import Path

import pytest
from django.core.management import call_command
from django.urls import reverse

from apps.baskets.importing import pos_import_dir
from apps.baskets.models import Basket, BasketLine, ImportReject
from apps.baskets.tasks import pos_import_task
from apps.catalog.models import Category, Manufacturer, Product
from apps.jobs.models import JobStatus
from apps.jobs.services import job_create
from tests.baskets.test_import import by_name, snapshot, write

pytestmark = pytest.mark.django_db

# 11 rows. Blank brands on the good lines 3, 4, 6, 12 (4); blank categories on the good
# lines 5, 6, 7 (3); lines 8-11 are rejects (line 8 and 11 have blanks too, which does not
# matter: a reject is a reject).
PRODUCTS = """\
upc,name,department,category,brand,brand_type,manufacturer,price
000000000001,Ketchup 32oz,Grocery,Ketchup,Heinz,national,HEINZ,3.49
000000000002,Ketchup 24oz,Grocery,Ketchup,,national,HEINZ,2.99
000000000003,Our Own Ketchup,Grocery,Ketchup,,store,STORE,1.99
000000000004,Dog Chow,Pet Care,,Purina,national,PURINA,9.99
000000000005,Cat Litter,Pet Care,,,National,PURINA,5.49
000000000006,Paper Towels,Household,,Bounty,national,PG,4.99
12a,Bad UPC,Grocery,,,national,HEINZ,1.00
000000000008,Mystery,,,Acme,national,ACME,1.00
000000000009,Soap,Household,Soap,,generic,PG,1.00
000000000010,Old sponges,Household,,,national,PG,1.00
000000000010,Sponges,Household,Cleaning,,national,PG,2.49
"""
EXPECTED_WARNINGS = [
    (3, "blank brand: took 'H. J. Heinz Company' from the manufacturer"),
    (4, "blank brand: took 'Prairie Fresh Market' from the manufacturer"),
    (5, "blank category: put in 'Uncategorised (Pet Care)'"),
    (
        6,
        "blank category: put in 'Uncategorised (Pet Care)'; "
        "blank brand: took 'PURINA' from the manufacturer",
    ),
    (7, "blank category: put in 'Uncategorised (Household)'"),
    (12, "blank brand: took 'PG' from the manufacturer"),
]
EXPECTED_REJECTS = [
    (8, "bad upc '12a' (digits only)"),
    (9, "missing department"),
    (10, "bad brand_type 'generic' (expected national or store)"),
    (11, "upc '000000000010' appears again on line 12"),
]
# upc → (brand, category, department, manufacturer code)
EXPECTED_PRODUCTS = {
    "000000000001": ("Heinz", "Ketchup", "Grocery", "HEINZ"),
    "000000000002": ("H. J. Heinz Company", "Ketchup", "Grocery", "HEINZ"),
    "000000000003": ("Prairie Fresh Market", "Ketchup", "Grocery", "STORE"),
    "000000000004": ("Purina", "Uncategorised (Pet Care)", "Pet Care", "PURINA"),
    "000000000005": ("PURINA", "Uncategorised (Pet Care)", "Pet Care", "PURINA"),
    "000000000006": ("Bounty", "Uncategorised (Household)", "Household", "PG"),
    "000000000010": ("PG", "Cleaning", "Household", "PG"),
}
# 8 rows: 7 lines of loaded products (6 of them warned about), 1 of a rejected product.
BASKETS = """\
basket_id,card_number,store,purchased_at,upc,quantity,amount,discount
B1,,S01,2026-03-01T09:30:00,000000000002,1,2.99,0
B1,,S01,2026-03-01T09:30:00,000000000003,2,3.98,0
B1,,S01,2026-03-01T09:30:00,000000000004,1,9.99,0
B2,,S01,2026-03-02T10:00:00,000000000005,1,5.49,0
B2,,S01,2026-03-02T10:00:00,000000000006,1,4.99,0
B2,,S01,2026-03-02T10:00:00,000000000010,1,2.49,0
B2,,S01,2026-03-02T10:00:00,000000000001,1,3.49,0
B3,,S01,2026-03-02T11:00:00,000000000008,1,1.00,0
"""


@pytest.fixture
def pos_dir(tmp_path: Path) -> Path:
    # Existing manufacturers keep their names; the store brand's maker is the chain.
    Manufacturer.objects.create(code="HEINZ", name="H. J. Heinz Company")
    Manufacturer.objects.create(code="STORE", name="Prairie Fresh Market")
    write(tmp_path, "products.csv", PRODUCTS)
    write(tmp_path, "baskets.csv", BASKETS)
    return tmp_path


def counts(file) -> tuple[int, int, int, int, int]:
    return (
        file.rows_read,
        file.loaded,
        file.unchanged_or_already_loaded,
        file.rejected,
        file.warned,
    )


def stored_products() -> dict[str, tuple[str, str, str, str]]:
    return {
        p.upc: (p.brand, p.category.name, p.category.department, p.manufacturer.code)
        for p in Product.objects.select_related("category", "manufacturer")
    }


def test_blank_brand_and_category_load_with_warnings_and_their_lines_load(pos_dir):
    result = pos_import_dir(directory=pos_dir)

    products = by_name(result, "products.csv")
    assert counts(products) == (11, 7, 0, 4, 6)
    assert [(w.line, w.message) for w in products.first_warnings] == EXPECTED_WARNINGS
    assert [(r.line, r.reason) for r in products.first_rejects] == EXPECTED_REJECTS
    assert stored_products() == EXPECTED_PRODUCTS
    assert sorted(Category.objects.values_list("name", "department")) == [
        ("Cleaning", "Household"),
        ("Ketchup", "Grocery"),
        ("Uncategorised (Household)", "Household"),
        ("Uncategorised (Pet Care)", "Pet Care"),
    ]
    # New manufacturers are named by their code; existing ones keep their names.
    assert sorted(Manufacturer.objects.values_list("code", "name")) == [
        ("HEINZ", "H. J. Heinz Company"),
        ("PG", "PG"),
        ("PURINA", "PURINA"),
        ("STORE", "Prairie Fresh Market"),
    ]

    baskets = by_name(result, "baskets.csv")
    assert counts(baskets) == (8, 7, 0, 1, 0)
    assert [(r.line, r.reason) for r in baskets.first_rejects] == [
        (9, "unknown upc '000000000008'")
    ]
    warned_upcs = [
        "000000000002",
        "000000000003",
        "000000000004",
        "000000000005",
        "000000000006",
        "000000000010",
    ]
    assert BasketLine.objects.filter(product__upc__in=warned_upcs).count() == 6
    assert BasketLine.objects.count() == 7
    assert sorted(Basket.objects.values_list("basket_id", "line_count", "total_amount")) == [
        ("B1", 3, Decimal("16.96")),
        ("B2", 4, Decimal("16.46")),
    ]


def test_second_import_changes_nothing_and_reports_the_warnings_again(pos_dir):
    pos_import_dir(directory=pos_dir)
    before = snapshot()

    result = pos_import_dir(directory=pos_dir)

    assert snapshot() == before
    products = by_name(result, "products.csv")
    assert counts(products) == (11, 0, 7, 4, 6)
    assert [(w.line, w.message) for w in products.first_warnings] == EXPECTED_WARNINGS
    assert counts(by_name(result, "baskets.csv")) == (8, 0, 7, 1, 0)


def test_warning_file_has_every_warning_and_goes_when_the_file_is_fixed(pos_dir):
    result = pos_import_dir(directory=pos_dir)

    products = by_name(result, "products.csv")
    assert products.warning_file == pos_dir / "products.csv.warnings.csv"
    with products.warning_file.open(newline="", encoding="utf-8") as f:
        rows = list(csv.reader(f))
    assert rows == [["line", "warning"]] + [[str(line), text] for line, text in EXPECTED_WARNINGS]
    # Warned rows loaded: they are not in the reject file.
    with products.reject_file.open(newline="", encoding="utf-8") as f:
        assert [int(r["line"]) for r in csv.DictReader(f)] == [8, 9, 10, 11]
    assert by_name(result, "baskets.csv").warning_file is None
    assert not (pos_dir / "baskets.csv.warnings.csv").exists()

    write(pos_dir, "products.csv", PRODUCTS.splitlines(keepends=True)[0] + PRODUCTS.splitlines()[1])
    again = by_name(pos_import_dir(directory=pos_dir), "products.csv")
    assert counts(again) == (1, 0, 1, 0, 0)
    assert again.warning_file is None
    assert not (pos_dir / "products.csv.warnings.csv").exists()


def test_uncategorised_name_and_brand_stay_within_their_lengths(tmp_path):
    department = "D" * 120
    Manufacturer.objects.create(code="LONG", name="N" * 150)
    write(
        tmp_path,
        "products.csv",
        "upc,name,department,category,brand,brand_type,manufacturer\n"
        f"000000000001,Thing,{department},,,national,LONG\n",
    )

    (products,) = pos_import_dir(directory=tmp_path).files

    assert counts(products) == (1, 1, 0, 0, 1)
    product = Product.objects.select_related("category").get()
    # "Uncategorised (" is 15 characters: 103 of the department, an ellipsis and ")".
    assert product.category.name == "Uncategorised (" + "D" * 103 + "…)"
    assert len(product.category.name) == 120
    assert product.category.department == department
    assert product.brand == "N" * 120


def test_command_prints_warnings_with_file_and_line(pos_dir):
    out = io.StringIO()

    call_command("import_pos", str(pos_dir), "--no-progress", "--show-warnings", "2", stdout=out)

    text = out.getvalue()
    assert (
        "products.csv: 11 rows read, 7 loaded, 0 unchanged or already loaded, 4 rejected; "
        "6 accepted with warnings (" in text
    )
    # Files without warnings say nothing of them.
    assert "baskets.csv: 8 rows read, 7 loaded, 0 unchanged or already loaded, 1 rejected (" in text
    assert "products.csv:8: bad upc '12a' (digits only)\n" in text
    assert (
        "products.csv:3: warning: blank brand: took 'H. J. Heinz Company' from the manufacturer\n"
        in text
    )
    assert (
        "products.csv:4: warning: blank brand: took 'Prairie Fresh Market' from the manufacturer\n"
        in text
    )
    assert "products.csv:5: warning:" not in text
    assert f"… and 4 more warnings, see {pos_dir / 'products.csv.warnings.csv'}\n" in text


def test_job_keeps_warnings_in_its_result_and_the_page_shows_them(pos_dir, client, marketing_user):
    job = job_create(kind="pos_import", params={"directory": str(pos_dir)})

    assert pos_import_task(job.pk) is True

    job.refresh_from_db()
    assert job.status == JobStatus.SUCCEEDED
    products = job.result["files"][0]
    assert (products["file_name"], products["warned"], products["rejected"]) == (
        "products.csv",
        6,
        4,
    )
    assert [(w["line"], w["message"]) for w in products["first_warnings"]] == EXPECTED_WARNINGS
    assert products["warning_file"] == str(pos_dir / "products.csv.warnings.csv")
    assert "6 accepted with warnings" in job.message
    # Only rejects are ImportReject rows: 4 products, 1 basket line.
    assert ImportReject.objects.filter(job=job).count() == 5

    client.force_login(marketing_user)
    response = client.get(reverse("baskets:import_detail", args=[job.pk]))

    assert response.context["file_warnings"] == [
        {
            "name": "products.csv",
            "warned": 6,
            "shown": [{"line": line, "message": text} for line, text in EXPECTED_WARNINGS],
            "warning_file": "products.csv.warnings.csv",
        }
    ]
    html = response.content.decode()
    assert "loaded with a warning" in html
    assert "blank category: put in &#x27;Uncategorised (Household)&#x27;" in html

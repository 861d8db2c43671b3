"""import_pos / pos_import_dir: loading, rejects, idempotency, time zones, jobs."""

from __future__ import annotations

import csv
import datetime as dt
import gzip
import io
import itertools
import tempfile
from decimal import Decimal
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from apps.baskets.importing import pos_import_dir
from apps.baskets.models import Basket, BasketLine, ImportReject, Store
from apps.baskets.tasks import pos_import_task
from apps.catalog.models import Category, Manufacturer, Product
from apps.jobs.models import Job, JobStatus
from apps.jobs.services import job_create
from apps.members.models import Member

pytestmark = pytest.mark.django_db
UTC = dt.UTC

PRODUCTS = """\
upc,name,department,category,brand,brand_type,manufacturer,price
000000000001,Ketchup 32oz,Grocery,Ketchup,Heinz,national,HEINZ,3.49
000000000002,"Ketchup, store 24oz",Grocery,Ketchup,Our Own,store,STORE,1.99
000000000003,Bananas,Produce,Fruit,Loose,Store,STORE,
"""
MEMBERS = """\
card_number,first_name,last_name,email,phone,postal_code,joined_on,household_size,children,marketing_consent
1001,Ann,Lee,ann@example.com,(555) 123-4567,50001,2024-01-15,3,1,no
1002,Bob,Ray,,,,,,,
"""
BASKETS = """\
basket_id,card_number,store,purchased_at,upc,quantity,amount,discount
B1,1001,S01,2026-03-01T09:30:00,000000000001,1,3.49,0.00
B1,1001,S01,2026-03-01T09:30:00,000000000002,2,3.50,0.48
B2,,S02,2026-03-01T10:00:00Z,000000000003,1.250,0.94,0
B1,1001,S01,2026-03-01T09:30:00,000000000001,1,2.99,0.50
B3,9999,S01,2026-03-02 08:00:00-05:00,000000000001,1,3.49,
"""


def write(directory: Path, name: str, text: str) -> Path:
    path = directory / name
    if name.endswith(".gz"):
        path.write_bytes(gzip.compress(text.encode()))
    else:
        path.write_text(text, encoding="utf-8")
    return path


def by_name(result, name: str):
    return next(f for f in result.files if f.file_name == name)


def snapshot() -> dict[str, list]:
    """Every row of every table the import writes, for before/after comparisons."""
    return {
        "manufacturers": list(Manufacturer.objects.order_by("code").values()),
        "categories": list(Category.objects.order_by("name").values()),
        "products": list(Product.objects.order_by("upc").values()),
        "members": list(Member.objects.order_by("card_number").values()),
        "stores": list(Store.objects.order_by("code").values()),
        "baskets": list(Basket.objects.order_by("basket_id").values()),
        "lines": list(BasketLine.objects.order_by("id").values()),
    }


@pytest.fixture
def pos_dir(tmp_path: Path) -> Path:
    write(tmp_path, "products.csv", PRODUCTS)
    write(tmp_path, "members.csv", MEMBERS)
    write(tmp_path, "baskets.csv", BASKETS)
    return tmp_path


def test_import_loads_all_three_files(pos_dir):
    result = pos_import_dir(directory=pos_dir)

    assert [f.file_name for f in result.files] == ["products.csv", "members.csv", "baskets.csv"]
    counts = [
        (f.rows_read, f.loaded, f.unchanged_or_already_loaded, f.rejected, f.error)
        for f in result.files
    ]
    assert counts == [(3, 3, 0, 0, None), (2, 2, 0, 0, None), (5, 5, 0, 0, None)]
    assert not result.nothing_read

    store_ketchup = Product.objects.get(upc="000000000002")
    assert store_ketchup.name == "Ketchup, store 24oz"  # a quoted field with a comma
    assert store_ketchup.brand_type == "store"
    assert store_ketchup.manufacturer.code == "STORE"
    assert store_ketchup.manufacturer.name == "STORE"  # created with its code as name
    assert store_ketchup.category.department == "Grocery"
    assert Product.objects.get(upc="000000000003").price is None
    assert Product.objects.get(upc="000000000003").brand_type == "store"  # "Store"

    ann = Member.objects.get(card_number="1001")
    assert (ann.first_name, ann.email, ann.phone_digits) == ("Ann", "ann@example.com", "5551234567")
    assert (ann.joined_on, ann.household_size, ann.children) == (dt.date(2024, 1, 15), 3, 1)
    assert ann.consent_list is False
    bob = Member.objects.get(card_number="1002")
    # Bob's consent is empty: the chain's default, opt-in (CRM_IMPORT_CONSENT_DEFAULT off).
    assert (bob.email, bob.joined_on, bob.household_size, bob.consent_list) == (
        "",
        None,
        None,
        False,
    )

    b1 = Basket.objects.get(basket_id="B1")
    assert b1.member == ann
    assert b1.store.code == "S01"
    # 09:30 naive = America/Chicago (CST, UTC-6) = 15:30 UTC.
    assert b1.purchased_at == dt.datetime(2026, 3, 1, 15, 30, tzinfo=UTC)
    assert (b1.total_amount, b1.total_discount, b1.line_count) == (
        Decimal("9.98"),
        Decimal("0.98"),
        3,
    )
    assert b1.source == "import"
    # The same product scanned twice stays two lines; lines copy member and time.
    lines = list(
        b1.lines.order_by("amount").values_list(
            "product__upc", "quantity", "amount", "discount", "member_id", "purchased_at"
        )
    )
    assert lines == [
        (
            "000000000001",
            Decimal("1.000"),
            Decimal("2.99"),
            Decimal("0.50"),
            ann.pk,
            b1.purchased_at,
        ),
        (
            "000000000001",
            Decimal("1.000"),
            Decimal("3.49"),
            Decimal("0.00"),
            ann.pk,
            b1.purchased_at,
        ),
        (
            "000000000002",
            Decimal("2.000"),
            Decimal("3.50"),
            Decimal("0.48"),
            ann.pk,
            b1.purchased_at,
        ),
    ]

    b2 = Basket.objects.get(basket_id="B2")
    assert b2.member is None  # anonymous
    assert b2.store.code == "S02"  # unknown store created
    assert b2.purchased_at == dt.datetime(2026, 3, 1, 10, 0, tzinfo=UTC)  # Z honoured
    assert BasketLine.objects.get(basket=b2).quantity == Decimal("1.250")
    assert BasketLine.objects.get(basket=b2).member_id is None

    b3 = Basket.objects.get(basket_id="B3")
    assert b3.purchased_at == dt.datetime(2026, 3, 2, 13, 0, tzinfo=UTC)  # -05:00 honoured
    assert b3.member.card_number == "9999"  # a card handed out before its form was filed
    # No form filed, no consent: a card seen only at the till is on no list.
    assert (b3.member.first_name, b3.member.status, b3.member.consent_list) == (
        "",
        "active",
        False,
    )
    assert BasketLine.objects.get(basket=b3).discount == Decimal("0.00")  # empty discount
    assert Store.objects.get(code="S02").name == ""


def test_second_import_changes_nothing(pos_dir):
    pos_import_dir(directory=pos_dir)
    before = snapshot()

    result = pos_import_dir(directory=pos_dir)

    assert snapshot() == before
    counts = [
        (f.rows_read, f.loaded, f.unchanged_or_already_loaded, f.rejected) for f in result.files
    ]
    assert counts == [(3, 0, 3, 0), (2, 0, 2, 0), (5, 0, 5, 0)]


def test_changed_rows_are_updated_and_unchanged_ones_left_alone(pos_dir):
    pos_import_dir(directory=pos_dir)
    bob_before = Member.objects.get(card_number="1002")
    write(
        pos_dir,
        "products.csv",
        PRODUCTS.replace(
            "Bananas,Produce,Fruit,Loose,Store,STORE,",
            "Bananas,Produce,Fruit,Loose,store,STORE,0.59",
        ),
    )
    # No marketing_consent column: Ann's "no" stays; only Ann's e-mail changes.
    write(
        pos_dir,
        "members.csv",
        "card_number,email\n1001,ann@new.example.com\n1002,\n",
    )
    (pos_dir / "baskets.csv").unlink()

    result = pos_import_dir(directory=pos_dir)

    assert [(f.loaded, f.unchanged_or_already_loaded) for f in result.files] == [(1, 2), (1, 1)]
    assert Product.objects.get(upc="000000000003").price == Decimal("0.59")
    ann = Member.objects.get(card_number="1001")
    assert (ann.email, ann.first_name, ann.consent_list) == (
        "ann@new.example.com",
        "Ann",
        False,
    )
    bob = Member.objects.get(card_number="1002")
    assert bob.updated_at == bob_before.updated_at


def test_blank_consent_never_opts_a_member_back_in(pos_dir):
    pos_import_dir(directory=pos_dir)
    write(pos_dir, "members.csv", "card_number,marketing_consent\n1001,\n1002,No\n")

    pos_import_dir(directory=pos_dir)

    assert Member.objects.get(card_number="1001").consent_list is False
    assert Member.objects.get(card_number="1002").consent_list is False


BAD_BASKETS = """\
basket_id,card_number,store,purchased_at,upc,quantity,amount,discount
B1,1001,S01,2026-03-01T09:30:00,000000000001,1,3.49,0.00
B1,1001,S01,2026-03-01T09:30:00,999999999999,1,1.00,0
B4,1001,S01,2026-03-01T09:30:00,000000000001,abc,1.00,0
B4,1001,S01,2026-03-01T09:30:00,000000000001,0,1.00,0
B5,1001,S01,2026-02-30T09:30:00,000000000001,1,1.00,0
B6,1001,S01,2026-03-01T09:30:00,000000000001,1,1.00,-0.10
B7,1001,S01,2026-03-01T09:30:00,000000000001,1,1.00
B8,1001,S01,2026-03-01T09:30:00,000000000001,1,2.00,0
B8,1002,S01,2026-03-01T09:30:00,000000000001,1,2.00,0
,1001,S01,2026-03-01T09:30:00,000000000001,1,1.00,0

B9,1001,S01,2026-03-01T09:30:00,000000000001,1,1.0,0
"""
EXPECTED_REJECTS = [
    (3, "unknown upc '999999999999'"),
    (4, "bad quantity 'abc'"),
    (5, "quantity must be positive, got '0'"),
    (6, "bad purchased_at '2026-02-30T09:30:00'"),
    (7, "negative discount '-0.10'"),
    (8, "wrong number of fields: expected 8, found 7"),
    (9, "rows of basket 'B8' disagree on card_number"),
    (10, "rows of basket 'B8' disagree on card_number"),
    (11, "missing basket_id"),
]


def test_bad_rows_are_rejected_with_line_and_reason_and_good_rows_load(pos_dir):
    write(pos_dir, "baskets.csv", BAD_BASKETS)

    result = pos_import_dir(directory=pos_dir)

    baskets = by_name(result, "baskets.csv")
    # Line 12 is blank: skipped, not a row.
    assert (baskets.rows_read, baskets.loaded, baskets.rejected) == (11, 2, 9)
    assert [(r.line, r.reason) for r in baskets.first_rejects] == EXPECTED_REJECTS
    assert sorted(Basket.objects.values_list("basket_id", "total_amount", "line_count")) == [
        ("B1", Decimal("3.49"), 1),  # its unknown-UPC line is left out of the totals
        ("B9", Decimal("1.00"), 1),
    ]
    assert baskets.reject_file == pos_dir / "baskets.csv.rejects.csv"
    with baskets.reject_file.open(newline="") as f:
        rows = list(csv.reader(f))
    assert rows[0] == ["line", "reason", "raw"]
    assert rows[1] == [
        "3",
        "unknown upc '999999999999'",
        "B1,1001,S01,2026-03-01T09:30:00,999999999999,1,1.00,0",
    ]
    assert rows[7] == [
        "9",
        EXPECTED_REJECTS[6][1],
        "B8,1001,S01,2026-03-01T09:30:00,000000000001,1,2.00,0",
    ]
    assert [int(r[0]) for r in rows[1:]] == [line for line, _ in EXPECTED_REJECTS]
    assert by_name(result, "products.csv").reject_file is None

    # Again: the same rejects, the good baskets count as already loaded.
    again = by_name(pos_import_dir(directory=pos_dir), "baskets.csv")
    assert (again.loaded, again.unchanged_or_already_loaded, again.rejected) == (0, 2, 9)


def test_product_and_member_rejects(tmp_path):
    write(
        tmp_path,
        "products.csv",
        "upc,name,department,category,brand,brand_type,manufacturer,price\n"
        "000000000001,Ketchup,Grocery,Ketchup,Heinz,generic,HEINZ,3.49\n"
        "000000000002,Mustard,Grocery,Mustard,Heinz,national,HEINZ,-1\n"
        "000000000003,,Grocery,Mustard,Heinz,national,HEINZ,1\n"
        "000000000004,Relish,Grocery,Relish,Heinz,national,HEINZ,1.50\n"
        "000000000004,Relish 2,Grocery,Relish,Heinz,national,HEINZ,1.60\n",
    )
    write(
        tmp_path,
        "members.csv",
        "card_number,email,joined_on,household_size,marketing_consent\n"
        ",a@example.com,,,\n"
        "2001,not-an-email,,,\n"
        "2002,,2024-13-01,,\n"
        "2003,,,-1,\n"
        "2004,,,,maybe\n"
        "2005,,,,\n",
    )

    result = pos_import_dir(directory=tmp_path)

    products, members = result.files
    assert [(r.line, r.reason) for r in products.first_rejects] == [
        (2, "bad brand_type 'generic' (expected national or store)"),
        (3, "negative price '-1'"),
        (4, "missing name"),
        (5, "upc '000000000004' appears again on line 6"),
    ]
    assert Product.objects.get().name == "Relish 2"  # the last row of a UPC wins
    assert [(r.line, r.reason) for r in members.first_rejects] == [
        (2, "missing card_number"),
        (3, "bad email 'not-an-email'"),
        (4, "bad joined_on '2024-13-01' (no such date)"),
        (5, "bad household_size '-1'"),
        (6, "bad marketing_consent 'maybe' (expected yes or no)"),
    ]
    assert list(Member.objects.values_list("card_number", flat=True)) == ["2005"]


def test_gzip_extra_columns_and_any_column_order(pos_dir):
    (pos_dir / "baskets.csv").unlink()
    write(
        pos_dir,
        "baskets.csv.gz",
        "amount,upc,till,basket_id,discount,quantity,purchased_at,store,card_number\n"
        "3.49,000000000001,7,G1,0,1,2026-03-01T09:30:00,S01,1001\n",
    )

    result = pos_import_dir(directory=pos_dir)

    gz = by_name(result, "baskets.csv.gz")
    assert (gz.rows_read, gz.loaded, gz.rejected) == (1, 1, 0)
    basket = Basket.objects.get(basket_id="G1")
    assert (basket.total_amount, basket.member.card_number, basket.store.code) == (
        Decimal("3.49"),
        "1001",
        "S01",
    )


def test_naive_times_are_store_local_across_daylight_saving(tmp_path, settings):
    settings.TIME_ZONE = "America/Chicago"
    write(tmp_path, "products.csv", PRODUCTS)
    write(
        tmp_path,
        "baskets.csv",
        "basket_id,card_number,store,purchased_at,upc,quantity,amount,discount\n"
        "W,,S01,2026-03-01T09:30:00,000000000001,1,1,0\n"  # CST: UTC-6
        "S,,S01,2026-07-01T09:30:00,000000000001,1,1,0\n"  # CDT: UTC-5
        "O,,S01,2026-07-01T09:30:00+02:00,000000000001,1,1,0\n",
    )

    pos_import_dir(directory=tmp_path)

    assert dict(Basket.objects.values_list("basket_id", "purchased_at")) == {
        "W": dt.datetime(2026, 3, 1, 15, 30, tzinfo=UTC),
        "S": dt.datetime(2026, 7, 1, 14, 30, tzinfo=UTC),
        "O": dt.datetime(2026, 7, 1, 7, 30, tzinfo=UTC),
    }


def test_missing_required_column_is_an_error_for_that_file_only(pos_dir):
    write(pos_dir, "members.csv", "first_name,last_name\nAnn,Lee\n")

    result = pos_import_dir(directory=pos_dir)

    members = by_name(result, "members.csv")
    assert members.error == (
        "missing required column(s): card_number (the header has: first_name, last_name)"
    )
    assert members.rows_read == 0
    assert by_name(result, "baskets.csv").loaded == 5
    assert not result.nothing_read


def test_command_prints_summary_and_rejects(pos_dir):
    write(pos_dir, "baskets.csv", BAD_BASKETS)
    out = io.StringIO()

    call_command("import_pos", str(pos_dir), "--no-progress", "--show-rejects", "3", stdout=out)

    text = out.getvalue()
    assert "products.csv: 3 rows read, 3 loaded, 0 unchanged or already loaded, 0 rejected" in text
    assert "baskets.csv: 11 rows read, 2 loaded, 0 unchanged or already loaded, 9 rejected" in text
    assert "baskets.csv:3: unknown upc '999999999999'\n" in text
    assert "baskets.csv:5: quantity must be positive, got '0'\n" in text
    assert "baskets.csv:6:" not in text
    assert f"… and 6 more, see {pos_dir / 'baskets.csv.rejects.csv'}" in text


def test_command_fails_when_nothing_could_be_read(tmp_path):
    with pytest.raises(CommandError, match="no products.csv, members.csv, baskets.csv"):
        call_command("import_pos", str(tmp_path), "--no-progress", stdout=io.StringIO())
    write(tmp_path, "baskets.csv", "basket,amount\n1,2\n")
    with pytest.raises(CommandError, match="missing required column"):
        call_command("import_pos", str(tmp_path), "--no-progress", stdout=io.StringIO())


def test_job_run_records_progress_and_rejects(pos_dir):
    write(pos_dir, "baskets.csv", BAD_BASKETS)
    job = job_create(kind="import_pos", params={"directory": str(pos_dir)})

    assert pos_import_task(job.pk) is True

    job.refresh_from_db()
    assert job.status == JobStatus.SUCCEEDED
    assert job.result["files"][2]["rejected"] == 9
    stored = list(job.rejects.values_list("file_name", "line", "reason"))
    assert stored == [("baskets.csv", line, reason) for line, reason in EXPECTED_REJECTS]
    assert job.rejects.get(line=3).raw == "B1,1001,S01,2026-03-01T09:30:00,999999999999,1,1.00,0"

    # A retried job does not store its rejects twice.
    pos_import_task(job.pk)
    assert ImportReject.objects.filter(job=job).count() == 9


def test_job_fails_when_nothing_could_be_read(tmp_path):
    job = job_create(kind="import_pos", params={"directory": str(tmp_path)})

    assert pos_import_task(job.pk) is False

    assert Job.objects.get(pk=job.pk).status == JobStatus.FAILED


# Garbage: anything but quotes and line breaks (a quote may legitimately open a field
# that runs over the following lines, swallowing them).
garbage_text = st.text(
    alphabet=st.characters(blacklist_characters='"\r\n\x0b\x0c\x1c\x1d\x1e\x85\u2028\u2029'),
    max_size=60,
)
garbage_row = st.one_of(
    garbage_text,
    st.lists(garbage_text, min_size=8, max_size=8).map(",".join),
    st.tuples(
        st.sampled_from(["G", "", "Z" * 70]),
        st.sampled_from(["", "1001", "x\\y", "\x00"]),
        st.sampled_from(["S01", "", "S\t1"]),
        st.sampled_from(["2026-03-01T09:30:00", "2026-13-01T00:00:00", "yesterday", ""]),
        st.sampled_from(["000000000001", "000000000009", ""]),
        st.sampled_from(["1", "-1", "0", "1e3", "", "1.2345", "99999999"]),
        st.sampled_from(["1.00", "-1", "1.234", "x", "", "12345678901"]),
        st.sampled_from(["0", "-0.01", "abc", "", "1.5"]),
    ).map(",".join),
)
run_ids = itertools.count()


@settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    good=st.lists(st.tuples(st.integers(1, 99_999), st.integers(1, 20)), min_size=1, max_size=8),
    bad=st.lists(garbage_row, max_size=12),
    data=st.data(),
)
def test_garbage_never_raises_and_never_loses_a_good_row(good, bad, data):
    run = next(run_ids)
    good_rows = [
        f"P{run}-{i},1001,S01,2026-03-01T09:30:00,000000000001,{qty},{cents / 100:.2f},0"
        for i, (cents, qty) in enumerate(good)
    ]
    rows = data.draw(st.permutations(good_rows + bad))
    with tempfile.TemporaryDirectory() as tmp:
        directory = Path(tmp)
        header = "basket_id,card_number,store,purchased_at,upc,quantity,amount,discount\n"
        # Lone surrogates become invalid UTF-8 bytes: garbage too.
        text = header + "\n".join(rows) + "\n"
        (directory / "baskets.csv").write_bytes(text.encode("utf-8", "surrogatepass"))
        write(directory, "products.csv", PRODUCTS)

        result = pos_import_dir(directory=directory)

    baskets = by_name(result, "baskets.csv")
    assert baskets.error is None
    assert (
        baskets.loaded + baskets.unchanged_or_already_loaded + baskets.rejected == baskets.rows_read
    )
    loaded = dict(
        Basket.objects.filter(basket_id__startswith=f"P{run}-").values_list(
            "basket_id", "total_amount"
        )
    )
    expected = {f"P{run}-{i}": Decimal(cents) / 100 for i, (cents, _) in enumerate(good)}
    assert loaded == expected

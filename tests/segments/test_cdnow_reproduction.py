"""The published CDNOW estimates, reproduced through the project's own import path.

The CDNOW sample (2,357 customers; tests/segments/data) is written out as POS files, loaded
with `import_pos`, and fitted with `fit_repeat_model` (calibration to 1997-09-30, weeks).
Published: BG/NBD r = 0.243, α = 4.414, a = 0.793, b = 2.426, LL = −9582.4 (Fader, Hardie &
Lee 2005); Gamma-Gamma p = 6.25, q = 3.74, γ = 15.44 (Fader & Hardie 2013).
"""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest
from django.core.management import call_command

from apps.baskets.models import Basket

DATA = Path(__file__).parent / "data" / "CDNOW_sample.txt"


def write_pos_files(directory: Path) -> int:
    """Write CDNOW transactions as products/baskets CSV; return the number of transactions."""
    with open(directory / "products.csv", "w", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["upc", "name", "department", "category", "brand", "brand_type",
                         "manufacturer", "price"])  # fmt: skip
        writer.writerow(["000000000001", "Compact disc", "Music", "CDs", "Various", "national",
                         "CDNOW", ""])  # fmt: skip
    rows = 0
    with open(DATA) as source, open(directory / "baskets.csv", "w", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["basket_id", "card_number", "store", "purchased_at", "upc",
                         "quantity", "amount", "discount"])  # fmt: skip
        for number, line in enumerate(source, start=1):
            customer, _, day, cds, dollars = line.split()
            when = f"{day[:4]}-{day[4:6]}-{day[6:]}T12:00:00"
            writer.writerow(
                [f"CD{number}", customer, "WEB", when, "000000000001", cds, dollars, "0"]
            )
            rows += 1
    return rows


@pytest.mark.django_db
def test_published_estimates_through_import_and_fit_command(tmp_path):
    transactions = write_pos_files(tmp_path)
    call_command("import_pos", str(tmp_path), stdout=io.StringIO())
    assert Basket.objects.count() == transactions == 6919

    out = io.StringIO()
    call_command("fit_repeat_model", "--calibration-end", "1997-09-30", "--json", stdout=out)
    fit = json.loads(out.getvalue())

    assert fit["members"] == 2357
    assert fit["r"] == pytest.approx(0.243, abs=0.002)
    assert fit["alpha"] == pytest.approx(4.414, abs=0.002)
    assert fit["a"] == pytest.approx(0.793, abs=0.002)
    assert fit["b"] == pytest.approx(2.426, abs=0.002)
    assert fit["log_likelihood"] == pytest.approx(-9582.4, abs=0.1)
    assert fit["p"] == pytest.approx(6.25, abs=0.05)
    assert fit["q"] == pytest.approx(3.74, abs=0.05)
    assert fit["gamma"] == pytest.approx(15.44, abs=0.05)

"""Import products.csv: upsert manufacturers (by code), categories (by name), products (by UPC).

A blank brand or category is not a reject (a public data set's product file names no
brands; some products lack a category), so the product and its basket lines still load:
- blank category: the product goes to "Uncategorised (<department>)", a category of its
  department (Category.name is unique across departments, hence the department in it);
- blank brand: the brand is the manufacturer's name. A store-brand product takes it too:
  its manufacturer is the chain itself, and the chain's store-brand name is configured
  nowhere else. A manufacturer the import creates is named by its code.
Each is reported as a warning with the file and line; the row is a good row.
"""

from __future__ import annotations

from apps.baskets.importing import values
from apps.baskets.importing.result import FileResult
from apps.baskets.importing.staging import (
    DROP_STAGE_SQL,
    Checker,
    Header,
    quoted,
    stage_simple,
)

COLUMNS = ("upc", "name", "department", "category", "brand", "brand_type", "manufacturer")
# Without a price column, existing prices are left alone.
OPTIONAL = ("price",)
# Staged data columns: the seven of COLUMNS, price and warning.
WIDTH = 9
BRAND_TYPES = frozenset({"national", "store"})
# products.warning holds the warnings of good rows (see staging.report_warnings).
WARNINGS = True
CATEGORY_MAX = 120
UNCATEGORISED = "Uncategorised ({})"

STAGE_SQL = """
CREATE TEMP TABLE pos_stage (
    line integer NOT NULL,
    upc text,
    name text,
    department text,
    category text,
    brand text,
    brand_type text,
    manufacturer text,
    price numeric(12, 2),
    warning text,
    reason text,
    raw text
) ON COMMIT DROP
"""
COPY_SQL = "COPY pos_stage FROM STDIN"

# The last row of a UPC wins; earlier ones are reported so that the mistake is seen.
DUPLICATES_SQL = """
UPDATE pos_stage s
SET reason = 'upc ' || quote_literal(s.upc) || ' appears again on line ' || d.last_line
FROM (
    SELECT upc, max(line) AS last_line
    FROM pos_stage
    WHERE reason IS NULL
    GROUP BY upc
    HAVING count(*) > 1
) d
WHERE s.upc = d.upc AND s.reason IS NULL AND s.line < d.last_line
"""
# A blank brand (staged NULL) is the manufacturer's name, after NEW_MANUFACTURERS_SQL has
# created the new ones (named by their code). Product.brand holds 120 characters, a
# manufacturer's name 200: a longer name is cut (and an empty one, which only an edit
# outside the import can make, gives way to the code). The warning is joined with || rather
# than concat_ws, a STABLE function Citus refuses in an UPDATE joined with the catalog.
BLANK_BRAND_SQL = """
UPDATE pos_stage s
SET brand = b.brand,
    warning = coalesce(s.warning || '; ', '')
              || 'blank brand: took ' || quote_literal(b.brand) || ' from the manufacturer'
FROM catalog_manufacturer m
CROSS JOIN LATERAL (SELECT left(coalesce(nullif(m.name, ''), m.code), 120) AS brand) b
WHERE s.reason IS NULL AND s.brand IS NULL AND m.code = s.manufacturer
"""
# The new rows are found with an anti-join written as LEFT JOIN … IS NULL: on Citus the
# catalog is a reference table, and an INSERT … SELECT from the (temporary) stage with a
# correlated NOT EXISTS on it is refused (docs/scale.md); the join is planned either way.
NEW_MANUFACTURERS_SQL = """
INSERT INTO catalog_manufacturer (code, name)
SELECT DISTINCT s.manufacturer, s.manufacturer
FROM pos_stage s
LEFT JOIN catalog_manufacturer m ON m.code = s.manufacturer
WHERE s.reason IS NULL AND m.id IS NULL
ON CONFLICT (code) DO NOTHING
"""
# A category's department is that of its last row in the file.
CATEGORIES_SQL = """
INSERT INTO catalog_category (name, department)
SELECT DISTINCT ON (category) category, department
FROM pos_stage
WHERE reason IS NULL
ORDER BY category, line DESC
ON CONFLICT (name) DO UPDATE SET department = EXCLUDED.department
WHERE catalog_category.department IS DISTINCT FROM EXCLUDED.department
"""
# The changed products are read first, as one jsonb value, and then written: on Citus the
# catalog is a reference table, and an UPDATE of one joined with the (temporary) stage is
# refused ("relation pos_stage is not distributed"). Only changed rows make the trip.
CHANGED_SQL = """
SELECT jsonb_agg(n)::text
FROM (
    SELECT old.id, s.name, c.id AS category_id, s.brand, s.brand_type,
           m.id AS manufacturer_id,
           CASE WHEN %(has_price)s THEN s.price ELSE old.price END AS price
    FROM pos_stage s
    JOIN catalog_product old ON old.upc = s.upc
    JOIN catalog_category c ON c.name = s.category
    JOIN catalog_manufacturer m ON m.code = s.manufacturer
    WHERE s.reason IS NULL
      AND (old.name, old.category_id, old.brand, old.brand_type, old.manufacturer_id,
           old.price)
          IS DISTINCT FROM
          (s.name, c.id, s.brand, s.brand_type, m.id,
           CASE WHEN %(has_price)s THEN s.price ELSE old.price END)
) n
"""
UPDATE_SQL = """
UPDATE catalog_product p
SET name = n.name, category_id = n.category_id, brand = n.brand,
    brand_type = n.brand_type, manufacturer_id = n.manufacturer_id, price = n.price
FROM jsonb_populate_recordset(NULL::catalog_product, %s::jsonb) n
WHERE p.id = n.id
"""
INSERT_SQL = """
INSERT INTO catalog_product (upc, name, category_id, brand, brand_type, manufacturer_id, price)
SELECT s.upc, s.name, c.id, s.brand, s.brand_type, m.id, s.price
FROM pos_stage s
JOIN catalog_category c ON c.name = s.category
JOIN catalog_manufacturer m ON m.code = s.manufacturer
LEFT JOIN catalog_product p ON p.upc = s.upc
WHERE s.reason IS NULL AND p.id IS NULL
ON CONFLICT (upc) DO NOTHING
"""


def convert(get) -> list[str | None]:
    """Validate a products.csv row; return its staged values."""
    check = Checker(get)
    upc = check.identifier("upc", max_length=14)
    # isascii: str.isdigit() also takes "²" and "١".
    if upc and len(upc) <= 14 and not (upc.isascii() and upc.isdigit()):
        check.reasons.append(f"bad upc {quoted(upc)} (digits only)")
    name = check.text("name", max_length=200, required=True)
    department = check.text("department", max_length=120, required=True)
    category = check.text("category", max_length=CATEGORY_MAX)
    warning = None
    if not category and department:
        category = uncategorised(department)
        warning = f"blank category: put in {category!r}"
    # A blank brand is filled in SQL from the manufacturer (BLANK_BRAND_SQL).
    brand = check.text("brand", max_length=120) or None
    brand_type = get("brand_type").lower()
    if not brand_type:
        check.reasons.append("missing brand_type")
    elif brand_type not in BRAND_TYPES:
        check.reasons.append(f"bad brand_type {quoted(brand_type)} (expected national or store)")
    manufacturer = check.identifier("manufacturer", max_length=32)
    price = check.value(_price, "price")
    check.done()
    return [upc, name, department, category, brand, brand_type, manufacturer, price, warning]


def uncategorised(department: str) -> str:
    """Return the name of the category for a department's products without one.

    Within Category.name's 120 characters: a department over 104 is cut with an ellipsis.
    """
    name = UNCATEGORISED.format(department)
    if len(name) > CATEGORY_MAX:
        room = CATEGORY_MAX - len(UNCATEGORISED.format("")) - 1
        name = UNCATEGORISED.format(department[:room] + "…")
    return name


def _price(text: str) -> str | None:
    return values.money(text, field="price") if text else None


def load(*, cursor, path, stream, header: Header, buffer_factory, result: FileResult) -> None:
    """Stage the file's rows, then upsert manufacturers, categories and products."""
    cursor.execute(DROP_STAGE_SQL)
    cursor.execute(STAGE_SQL)
    with cursor.copy(COPY_SQL) as copy:
        result.rows_read = stage_simple(
            buffer=buffer_factory(copy), stream=stream, header=header, width=WIDTH, convert=convert
        )
    cursor.execute("ANALYZE pos_stage")
    cursor.execute(DUPLICATES_SQL)
    cursor.execute(NEW_MANUFACTURERS_SQL)
    cursor.execute(BLANK_BRAND_SQL)
    cursor.execute(CATEGORIES_SQL)
    cursor.execute(CHANGED_SQL, {"has_price": header.has("price")})
    (changed,) = cursor.fetchone()
    loaded = 0
    if changed is not None:
        cursor.execute(UPDATE_SQL, [changed])
        loaded = cursor.rowcount
    cursor.execute(INSERT_SQL)
    result.loaded = loaded + cursor.rowcount

"""The demo's three POS files (products, members, baskets), written from NumPy columns.

The formats are those of the POS import (docs/import.md); the writer renders whole
columns at once (apps/demo/csvwrite.py), so ten million lines take seconds.
"""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path

import numpy as np

from apps.baskets.importing.basket_rows import COLUMNS as BASKET_COLUMNS
from apps.demo import vocabulary as vocab
from apps.demo.catalog import Catalog
from apps.demo.csvwrite import Digits, Lit, Table, Vocab, fields, money, render, write_csv
from apps.demo.households import Households, Params
from apps.demo.trips import Baskets, Lines

PRODUCTS_FILE = "products.csv"
MEMBERS_FILE = "members.csv"
BASKETS_FILE = "baskets.csv"

PRODUCT_HEADER = (
    "upc",
    "name",
    "department",
    "category",
    "brand",
    "brand_type",
    "manufacturer",
    "price",
)
MEMBER_HEADER = (
    "card_number",
    "first_name",
    "last_name",
    "email",
    "phone",
    "postal_code",
    "joined_on",
    "household_size",
    "children",
    "consent_list",
    "consent_email",
    "consent_sms",
)
BASKET_HEADER = BASKET_COLUMNS  # the import's own columns, in its order
CARD_DIGITS = 12


def card_numbers(n: int) -> np.ndarray:
    """Return the card numbers of members 0..n-1 as integers (12 digits, 77 prefix)."""
    return 770_000_000_000 + np.arange(1, n + 1, dtype=np.int64)


def write_products(path: Path, cat: Catalog) -> None:
    """Write the catalog: one row per product."""
    n = len(cat.upc)
    idx = np.arange(n)
    write_csv(
        path,
        PRODUCT_HEADER,
        [
            [Vocab(cat.upc, idx)],
            [Vocab(cat.name, idx)],
            [Vocab(cat.category_department, cat.product_category)],
            [Vocab(cat.category_name, cat.product_category)],
            [Vocab(cat.brand, idx)],
            [Vocab(cat.brand_type, idx)],
            [Vocab(cat.manufacturer, idx)],
            money(cat.price_cents),
        ],
        n,
    )


# Of the members who consent to lists and gave an address or a phone, the shares who also
# consent to e-mail and to SMS: most take the printed list, some e-mail, few texts.
EMAIL_CONSENT_SHARE = 0.45
SMS_CONSENT_SHARE = 0.12


def channel_consents(
    rng, *, consent: np.ndarray, has_email: np.ndarray, has_phone: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Return e-mail and SMS consents (0/1): only with an address or phone to reach, and
    only for members who take the list. Drawn from a child generator, so the main stream
    (and with it every basket of a seed's demo) stays what it was."""
    child = rng.spawn(1)[0]
    draw = child.random((2, len(consent)))
    listed = consent.astype(bool)
    by_email = listed & has_email & (draw[0] < EMAIL_CONSENT_SHARE)
    by_sms = listed & has_phone & (draw[1] < SMS_CONSENT_SHARE)
    return by_email.astype(np.int64), by_sms.astype(np.int64)


def write_members(path: Path, rng, hh: Households, start: date, span: int, p: Params) -> np.ndarray:
    """Draw the members' names and contacts, write them, and return their join days.

    Join days are datetime64[D]: members joined up to ~8 years before the window, or
    during it (joiners).
    """
    n = hh.members
    firsts, lasts = vocab.FIRST_NAMES, vocab.LAST_NAMES
    first = rng.integers(0, len(firsts), n)
    last = rng.integers(0, len(lasts), n)
    has_email = rng.random(n) < 0.88
    email_num = rng.integers(1, 100, n)
    email_has_num = has_email & (rng.random(n) < 0.55)
    domain = rng.choice(len(vocab.EMAIL_DOMAINS), size=n, p=[0.42, 0.2, 0.12, 0.1, 0.06, 0.1])
    has_phone = rng.random(n) < 0.9
    home = hh.home_store[:n]
    area = [s[3] for s in vocab.STORES]
    exchange = rng.integers(200, 1000, n)
    line_no = rng.integers(0, 10000, n)
    # Postal codes around the member's home store.
    zips_by_store = [s[4].split() for s in vocab.STORES]
    zips = sorted({z for zs in zips_by_store for z in zs})
    width = max(len(zs) for zs in zips_by_store)
    table = np.array([[zips.index(zs[k % len(zs)]) for k in range(width)] for zs in zips_by_store])
    counts = np.array([len(zs) for zs in zips_by_store])
    zip_idx = table[home, rng.integers(0, 1 << 30, n) % counts[home]]

    # Members joined the club up to ~8 years before the window, or during it (joiners).
    history = 8 * 365
    join_offset = np.where(hh.join_day[:n] > 0, hh.join_day[:n], -rng.integers(1, history, n))
    day0 = start - timedelta(days=history)
    dates = [(day0 + timedelta(days=i)).isoformat() for i in range(history + span)]
    consent = (rng.random(n) >= p.no_consent_share).astype(np.int64)
    by_email, by_sms = channel_consents(
        rng, consent=consent, has_email=has_email, has_phone=has_phone
    )

    write_csv(
        path,
        MEMBER_HEADER,
        [
            [Digits(card_numbers(n), CARD_DIGITS)],
            [Vocab(firsts, first)],
            [Vocab(lasts, last)],
            [
                Vocab([f.lower() for f in firsts], first, has_email),
                Lit(".", has_email),
                Vocab([s.lower() for s in lasts], last, has_email),
                Digits(email_num, 2, email_has_num),
                Lit("@", has_email),
                Vocab(vocab.EMAIL_DOMAINS, domain, has_email),
            ],
            [
                Lit("(", has_phone),
                Vocab(area, home, has_phone),
                Lit(") ", has_phone),
                Digits(exchange, 3, has_phone),
                Lit("-", has_phone),
                Digits(line_no, 4, has_phone),
            ],
            [Vocab(zips, zip_idx)],
            [Vocab(dates, join_offset + history)],
            [Digits(hh.size[:n])],
            [Digits(hh.children[:n])],
            [Vocab(["no", "yes"], consent)],
            [Vocab(["no", "yes"], by_email)],
            [Vocab(["no", "yes"], by_sms)],
        ],
        n,
    )
    return np.datetime64(start, "D") + join_offset


def write_baskets(
    path: Path,
    cat: Catalog,
    baskets: Baskets,
    lines: Lines,
    *,
    members: int,
    start: date,
    span: int,
) -> None:
    """Write one row per line; each basket's id, card, store and time are rendered once."""
    b_h, b_day, b_store = baskets.household, baskets.day, baskets.store
    n_b = len(b_h)
    store_codes = [s[0] for s in vocab.STORES]
    all_days = [start + timedelta(days=i) for i in range(span)]
    day_t = [d.isoformat() + "T" for d in all_days]
    compact = [d.strftime("%Y%m%d") for d in all_days]
    clock_words = [f"{t // 3600:02d}:{t // 60 % 60:02d}:{t % 60:02d}" for t in range(86400)]
    b_card_number = card_numbers(members + 1)[b_h.clip(max=members)]
    b_card = b_h < members
    seq_width = max(5, len(str(int(baskets.sequence.max(initial=0)))))
    head_mat, head_mask = render(
        [
            *fields(
                [
                    [
                        Vocab(store_codes, b_store),
                        Lit("-"),
                        Vocab(compact, b_day),
                        Lit("-"),
                        Digits(baskets.sequence, width=seq_width),
                    ],
                    [Digits(b_card_number, CARD_DIGITS, b_card)],
                    [Vocab(store_codes, b_store)],
                    [Vocab(day_t, b_day), Vocab(clock_words, baskets.second)],
                ]
            ),
            Lit(","),
        ],
        n_b,
    )
    qty_milli, weighed = lines.quantity_milli, lines.weighed
    write_csv(
        path,
        BASKET_HEADER,
        [
            [Table(head_mat, head_mask, baskets.line_basket), Vocab(cat.upc, lines.product)],
            [
                Digits(qty_milli // 1000),
                Lit(".", weighed),
                Digits(qty_milli % 1000, 3, weighed),
            ],
            money(lines.amount),
            money(lines.discount),
        ],
        len(lines.product),
    )

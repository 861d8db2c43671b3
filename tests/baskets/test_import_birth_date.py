"""members.csv's birth date: stored only with the member's consent to a birthday reward.

Expected values are written out by hand from the files below.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from apps.baskets.importing import pos_import_dir
from apps.members.models import Member

pytestmark = pytest.mark.django_db

FIRST = """\ufeffCard_Number,First_Name,Birth_Date,BIRTHDAY_CONSENT
2001,Ann,1980-05-17,yes
2002,Bob,1975-01-02,no
2003,Cid,1990-03-04,
2004,Dee,1985-12-31,TRUE
2005,Eve,1985-02-30,yes
2006,Fay,1970-01-01,maybe
2007,Gus,17/05/1980,1
2008,Hal,,yes
2009,Ian,2999-01-01,yes
"""


def write(directory: Path, text: str) -> None:
    (directory / "members.csv").write_text(text, encoding="utf-8")


def birth_dates() -> dict[str, dt.date | None]:
    return dict(Member.objects.values_list("card_number", "birth_date"))


def members_file(result):
    return next(f for f in result.files if f.file_name == "members.csv")


def test_birth_date_kept_only_with_consent_and_bad_values_rejected_by_line(tmp_path):
    write(tmp_path, FIRST)

    result = members_file(pos_import_dir(directory=tmp_path))

    assert birth_dates() == {
        "2001": dt.date(1980, 5, 17),
        "2002": None,  # no consent
        "2003": None,  # consent not given: nothing recorded
        "2004": dt.date(1985, 12, 31),
        "2008": None,  # consent, but no date
    }
    assert [(r.line, r.reason) for r in result.first_rejects] == [
        (6, "bad birth_date '1985-02-30' (no such date)"),
        (7, "bad birthday_consent 'maybe' (expected yes or no)"),
        (8, "bad birth_date '17/05/1980' (expected YYYY-MM-DD)"),
        (10, "birth_date '2999-01-01' is in the future"),
    ]
    assert (result.rows_read, result.loaded, result.rejected) == (9, 5, 4)


def test_reimport_clears_without_consent_keeps_when_not_asked_and_changes_nothing_twice(
    tmp_path,
):
    write(tmp_path, FIRST)
    pos_import_dir(directory=tmp_path)
    write(
        tmp_path,
        "card_number,birth_date,birthday_consent\n"
        "2001,1980-05-17,0\n"  # consent withdrawn: cleared
        "2004,1960-06-06,\n"  # not asked: the date given earlier stays
        "2003,1990-03-04,1\n"  # consent now: stored
        "2008,2001-02-03,false\n",  # a date without consent is not stored
    )

    first = members_file(pos_import_dir(directory=tmp_path))
    second = members_file(pos_import_dir(directory=tmp_path))

    assert birth_dates() == {
        "2001": None,
        "2002": None,
        "2003": dt.date(1990, 3, 4),
        "2004": dt.date(1985, 12, 31),
        "2008": None,
    }
    # 2001 and 2003 changed; 2004 and 2008 were already as the file leaves them.
    assert (first.loaded, first.unchanged_or_already_loaded, first.rejected) == (2, 2, 0)
    assert (second.loaded, second.unchanged_or_already_loaded, second.rejected) == (0, 4, 0)


def test_files_without_the_consent_column_never_store_nor_clear_a_birth_date(tmp_path):
    write(tmp_path, FIRST)
    pos_import_dir(directory=tmp_path)
    write(tmp_path, "card_number,birth_date\n2004,2000-01-01\n2010,1999-09-09\n")
    pos_import_dir(directory=tmp_path)
    write(tmp_path, "card_number,first_name\n2001,Anne\n")
    pos_import_dir(directory=tmp_path)

    assert birth_dates()["2004"] == dt.date(1985, 12, 31)
    assert birth_dates()["2010"] is None
    assert Member.objects.get(card_number="2001").birth_date == dt.date(1980, 5, 17)
    assert Member.objects.get(card_number="2001").first_name == "Anne"


def test_consent_without_a_birth_date_column_keeps_the_date_on_file(tmp_path):
    write(tmp_path, FIRST)
    pos_import_dir(directory=tmp_path)
    write(tmp_path, "card_number,birthday_consent\n2001,yes\n2004,no\n")

    pos_import_dir(directory=tmp_path)

    assert birth_dates()["2001"] == dt.date(1980, 5, 17)
    assert birth_dates()["2004"] is None

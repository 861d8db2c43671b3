"""members.csv `language`: the language of the member's printed list (docs/import.md)."""

from __future__ import annotations

import pytest

from apps.members.models import Member
from tests.baskets.test_import_consent import import_members
from tests.factories import MemberFactory

pytestmark = pytest.mark.django_db


def languages() -> dict[str, str]:
    return dict(Member.objects.values_list("card_number", "language"))


def test_new_members_get_the_file_s_language_and_english_where_it_is_empty(tmp_path):
    text = (
        "card_number,first_name,language\n"
        "3001,Ann,zh-hans\n3002,Bob,\n3003,Cy,en\n3004,Di,zh_Hans\n3005,Ed,ZH-CN\n3006,Fay,EN\n"
    )
    result = import_members(tmp_path, text)

    assert (result.loaded, result.rejected) == (6, 0)
    assert languages() == {
        "3001": "zh-hans",
        "3002": "en",
        "3003": "en",
        "3004": "zh-hans",
        "3005": "zh-hans",
        "3006": "en",
    }


def test_a_file_without_the_column_gives_english(tmp_path):
    import_members(tmp_path, "card_number,first_name\n3101,Ann\n")
    assert languages() == {"3101": "en"}


def test_existing_members_change_only_where_the_file_gives_a_language(tmp_path):
    MemberFactory(card_number="3201", language="zh-hans")
    MemberFactory(card_number="3202", language="zh-hans")
    MemberFactory(card_number="3203", language="en")

    result = import_members(tmp_path, "card_number,language\n3201,\n3202,en\n3203,zh-hans\n")

    assert languages() == {"3201": "zh-hans", "3202": "en", "3203": "zh-hans"}
    assert result.loaded == 2  # 3201 is unchanged
    # A file without the column leaves every language as it is.
    import_members(tmp_path, "card_number,first_name\n3201,Ann\n3202,Bob\n3203,Cy\n")
    assert languages() == {"3201": "zh-hans", "3202": "en", "3203": "zh-hans"}


def test_a_bad_language_rejects_the_row_with_its_line_and_reason(tmp_path):
    text = "card_number,language\n3301,zh-hans\n3302,zh\n3303,fr\n3304,zh-Hant\n"

    result = import_members(tmp_path, text)

    assert (result.loaded, result.rejected) == (1, 3)
    assert [(r.line, r.reason) for r in result.first_rejects] == [
        (3, "bad language 'zh' (expected en or zh-hans)"),
        (4, "bad language 'fr' (expected en or zh-hans)"),
        (5, "bad language 'zh-Hant' (expected en or zh-hans)"),
    ]
    assert languages() == {"3301": "zh-hans"}


def test_a_member_made_by_sql_naming_no_language_is_english(db):
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(
            "INSERT INTO members_member (card_number, first_name, last_name, email, phone,"
            " postal_code, status, created_at, updated_at)"
            " VALUES ('3401', '', '', '', '', '', 'active', now(), now())"
        )
    assert languages() == {"3401": "en"}

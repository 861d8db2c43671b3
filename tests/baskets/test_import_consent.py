"""members.csv consents by channel: the chain's default, the history rows, the report."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.urls import reverse

from apps.baskets.importing import pos_import_dir, summary_line
from apps.jobs.services import job_create
from apps.members.models import ConsentChange, Member
from tests.baskets.test_import import PRODUCTS, write
from tests.factories import MemberFactory, UserFactory

pytestmark = pytest.mark.django_db

MEMBERS = """\
card_number,first_name,consent_list,consent_email,consent_sms
2001,Ann,yes,yes,
2002,Bob,,,
2003,Cy,no,y,no
"""


def consents(card: str) -> tuple[bool, bool, bool]:
    return Member.objects.values_list("consent_list", "consent_email", "consent_sms").get(
        card_number=card
    )


def history(card: str | None = None) -> list[tuple]:
    rows = ConsentChange.objects.order_by("member__card_number", "channel")
    if card is not None:
        rows = rows.filter(member__card_number=card)
    return list(rows.values_list("member__card_number", "channel", "given", "source"))


def import_members(directory: Path, text: str, **kwargs):
    write(directory, "members.csv", text)
    (result,) = pos_import_dir(directory=directory, **kwargs).files
    return result


def test_new_members_get_the_file_s_consents_and_no_consent_where_it_is_empty(tmp_path):
    result = import_members(tmp_path, MEMBERS)

    assert result.error is None and result.loaded == 3
    assert consents("2001") == (True, True, False)
    assert consents("2002") == (False, False, False)  # opt-in: empty is no
    assert consents("2003") == (False, True, False)
    # Only the consents given are history: a "no" for a new member changes nothing.
    assert history() == [
        ("2001", "email", True, "import"),
        ("2001", "list", True, "import"),
        ("2003", "email", True, "import"),
    ]
    assert (result.new_without_list_consent, result.consent_changes) == (2, 3)
    line = summary_line(result)
    assert "2 new members without list consent, 3 consent changes recorded" in line


def test_the_chain_may_default_to_consent(tmp_path, settings):
    settings.CRM_IMPORT_CONSENT_DEFAULT = True

    result = import_members(tmp_path, MEMBERS)

    assert consents("2002") == (True, True, True)
    assert consents("2001") == (True, True, True)  # its empty SMS takes the default too
    assert consents("2003") == (False, True, False)  # a "no" stays no
    assert len(history("2002")) == 3
    assert result.new_without_list_consent == 1  # Cy said no


def test_existing_members_change_only_where_the_file_says_and_each_change_is_history(
    tmp_path,
):
    MemberFactory(card_number="2001", consent_list=True, consent_email=False, consent_sms=True)
    MemberFactory(card_number="2002", consent_list=True, consent_email=True, consent_sms=False)
    text = "card_number,consent_list,consent_email,consent_sms\n2001,no,yes,\n2002,,,\n"

    result = import_members(tmp_path, text)

    assert consents("2001") == (False, True, True)  # empty SMS: left as it was
    assert consents("2002") == (True, True, False)  # nothing said: nothing changed
    assert history() == [("2001", "email", True, "import"), ("2001", "list", False, "import")]
    assert (result.loaded, result.consent_changes, result.new_without_list_consent) == (1, 2, 0)


def test_importing_the_same_file_again_changes_and_records_nothing(tmp_path):
    MemberFactory(card_number="2003", consent_list=True)
    import_members(tmp_path, MEMBERS)
    before = history()
    members = list(Member.objects.order_by("card_number").values())

    again = import_members(tmp_path, MEMBERS)

    assert (again.loaded, again.consent_changes, again.new_without_list_consent) == (0, 0, 0)
    assert history() == before
    assert list(Member.objects.order_by("card_number").values()) == members


def test_marketing_consent_is_the_list_s_older_name(tmp_path):
    import_members(tmp_path, "card_number,marketing_consent\n2001,yes\n2002,no\n")

    assert consents("2001") == (True, False, False)
    assert consents("2002") == (False, False, False)
    assert history() == [("2001", "list", True, "import")]


def test_both_names_of_the_list_consent_are_refused_with_the_reason(tmp_path):
    result = import_members(tmp_path, "card_number,consent_list,marketing_consent\n2001,yes,no\n")

    assert result.loaded == 0 and not Member.objects.exists()
    assert "both consent_list and marketing_consent" in result.error
    assert "not imported" in summary_line(result)


def test_a_bad_consent_rejects_the_row_naming_its_column(tmp_path):
    result = import_members(tmp_path, "card_number,consent_email\n2001,maybe\n2002,yes\n")

    assert (result.loaded, result.rejected) == (1, 1)
    assert "bad consent_email 'maybe'" in result.first_rejects[0].reason
    assert not Member.objects.filter(card_number="2001").exists()


def test_the_uploader_is_named_in_the_history(tmp_path):
    user = UserFactory(username="clerk")
    job = job_create(kind="pos_import", params={"directory": str(tmp_path)}, started_by=user)

    import_members(tmp_path, MEMBERS, job_id=job.pk)

    actors = set(ConsentChange.objects.values_list("actor_id", "actor_name"))
    assert actors == {(user.pk, "clerk")}


def test_a_command_line_import_names_no_one(tmp_path):
    import_members(tmp_path, MEMBERS)

    assert set(ConsentChange.objects.values_list("actor_id", "actor_name")) == {(None, "")}


def test_a_card_first_seen_in_baskets_consents_to_nothing(tmp_path, settings):
    settings.CRM_IMPORT_CONSENT_DEFAULT = True  # the default is for members.csv's rows only
    write(tmp_path, "products.csv", PRODUCTS)
    write(
        tmp_path,
        "baskets.csv",
        "basket_id,card_number,store,purchased_at,upc,quantity,amount,discount\n"
        "B9,7777,S01,2026-03-01T09:30:00,000000000001,1,3.49,0\n",
    )

    pos_import_dir(directory=tmp_path)

    assert consents("7777") == (False, False, False)
    assert not ConsentChange.objects.exists()


def test_the_import_page_says_how_many_came_in_without_consent(tmp_path, client, marketing_user):
    job = job_create(
        kind="pos_import", params={"directory": str(tmp_path)}, started_by=marketing_user
    )
    import_members(tmp_path, MEMBERS, job_id=job.pk)
    client.force_login(marketing_user)

    html = client.get(reverse("baskets:import_detail", args=[job.pk])).content.decode()

    assert "2 new members without list consent · 3 consent changes recorded" in html
    job.refresh_from_db()
    assert "2 new members without list consent" in job.message

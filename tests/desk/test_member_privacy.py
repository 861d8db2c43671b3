"""Issue 20 on the desk: consent by channel on the member page, the table's consent filters
and export, the audit of views of the full record, and the till screen's least privilege."""

from __future__ import annotations

import csv
import io

import pytest
from django.urls import reverse

from apps.audit.models import AuditEvent, AuditKind
from apps.members.consent import consent_set
from apps.members.models import ConsentChange, ConsentSource, Member
from tests.factories import MemberFactory

pytestmark = pytest.mark.django_db

LOOKUP = reverse("members:lookup")
LIST = reverse("members:list")


@pytest.fixture
def member():
    return MemberFactory(
        card_number="400000000017", first_name="Anna", last_name="Smith",
        email="anna.smith@example.org", phone="(515) 555-0142", postal_code="50309",
        consent_list=True, consent_email=False, consent_sms=False,
    )  # fmt: skip


def consent_url(member) -> str:
    return reverse("members:consent", args=[member.card_number])


# --- The member page's consent section ------------------------------------------------------


def test_the_page_shows_each_channel_with_its_last_change(client, marketing_user, member):
    consent_set(member, "email", True, source=ConsentSource.FORM)
    client.force_login(marketing_user)

    response = client.get(member.get_absolute_url())

    html = response.content.decode()
    assert 'id="consent"' in html
    channels = {c.channel: (c.given, c.last) for c in response.context["consent"].channels}
    assert channels["list"] == (True, None)  # given before history was kept
    assert channels["email"][0] is True and channels["email"][1].source == "form"
    assert channels["sms"] == (False, None)
    assert 'action="' + consent_url(member) + '"' in html


def test_history_is_newest_first_and_capped_with_a_count_of_the_rest(
    client, marketing_user, member
):
    for i in range(25):
        consent_set(member, "sms", i % 2 == 0, source=ConsentSource.STAFF, note=f"n{i}")
    client.force_login(marketing_user)

    section = client.get(member.get_absolute_url()).context["consent"]

    assert section.total == 25 and len(section.history) == 20 and section.more == 5
    assert [h.note for h in section.history[:3]] == ["n24", "n23", "n22"]


def test_staff_record_a_withdrawal_once(client, marketing_user, member):
    client.force_login(marketing_user)
    data = {"channel": "list", "given": "no", "source": "staff", "note": "Phoned in"}

    first = client.post(consent_url(member), data)
    second = client.post(consent_url(member), data)  # a double click

    assert first.status_code == 302 and first["Location"].endswith(
        member.get_absolute_url() + "#consent"
    )
    assert Member.objects.get(pk=member.pk).consent_list is False
    change = ConsentChange.objects.get()
    assert (change.given, change.source, change.actor_name, change.note) == (
        False, "staff", marketing_user.username, "Phoned in",
    )  # fmt: skip
    event = AuditEvent.objects.get(kind=AuditKind.CONSENT)
    assert (event.object_id, event.path) == (
        str(member.pk),
        f"/members/member-{member.pk}/consent/",
    )
    texts = [str(m) for m in second.wsgi_request._messages]  # the redirects were not followed
    assert texts == [
        "Printed or mailed list consent withdrawn.",
        "Printed or mailed list consent was already withdrawn: nothing changed.",
    ]


def test_a_bad_submission_changes_nothing_and_says_why(client, marketing_user, member):
    client.force_login(marketing_user)

    response = client.post(consent_url(member), {"channel": "fax", "given": "maybe"})

    assert response.status_code == 302
    assert not ConsentChange.objects.exists()
    (message,) = [str(m) for m in response.wsgi_request._messages]
    assert message.startswith("Consent not changed:") and "channel" in message


def test_only_marketing_posts_and_only_by_post(client, cashier_user, marketing_user, member):
    client.force_login(cashier_user)
    data = {"channel": "list", "given": "no", "source": "staff"}
    assert client.post(consent_url(member), data).status_code == 403
    client.force_login(marketing_user)
    assert client.get(consent_url(member)).status_code == 405
    assert not ConsentChange.objects.exists()


# --- The member table: a filter and a CSV column per channel ----------------------------------


def test_table_filters_by_each_channel(client, marketing_user):
    MemberFactory(card_number="1", consent_list=True, consent_email=True, consent_sms=False)
    MemberFactory(card_number="2", consent_list=True, consent_email=False, consent_sms=True)
    MemberFactory(card_number="3", consent_list=False, consent_email=False, consent_sms=False)
    client.force_login(marketing_user)

    def cards(**params) -> list[str]:
        table = client.get(LIST, params).context["table"]
        return [m.card_number for m in table.page.object_list.data]

    assert cards(consent_list="true") == ["1", "2"]
    assert cards(consent_email="true") == ["1"]
    assert cards(consent_sms="true") == ["2"]
    assert cards(consent_sms="false", consent_list="true") == ["1"]


def test_csv_export_has_a_column_per_channel(client, marketing_user):
    MemberFactory(card_number="1", consent_list=False, consent_email=True, consent_sms=True)
    client.force_login(marketing_user)

    response = client.get(LIST, {"export": "csv"})

    rows = list(csv.DictReader(io.StringIO(b"".join(response.streaming_content).decode())))
    assert [(r["consent_list"], r["consent_email"], r["consent_sms"]) for r in rows] == [
        ("no", "yes", "yes")
    ]


# --- Views of the full record are audited -----------------------------------------------------


def test_each_view_of_the_member_page_is_audited_by_member_id(client, marketing_user, member):
    client.force_login(marketing_user)

    client.get(member.get_absolute_url())
    client.get(member.get_absolute_url(), {"b-page": 1})

    events = list(AuditEvent.objects.filter(kind=AuditKind.MEMBER_VIEW).order_by("id"))
    assert len(events) == 2
    assert {(e.object_type, e.object_id, e.actor_id) for e in events} == {
        ("member", str(member.pk), marketing_user.pk)
    }
    # The path is kept without the card (an erasure replaces it): the id stands in.
    assert events[0].path == member.get_absolute_url().replace(
        member.card_number, f"member-{member.pk}"
    )
    assert member.card_number not in events[0].path


def test_a_page_that_is_not_shown_is_not_audited(client, marketing_user, cashier_user, member):
    client.force_login(cashier_user)
    assert client.get(member.get_absolute_url()).status_code == 403
    client.force_login(marketing_user)
    assert client.get(reverse("members:detail", args=["nope"])).status_code == 404
    assert not AuditEvent.objects.filter(kind=AuditKind.MEMBER_VIEW).exists()


# --- The till's screen shows what the till needs ----------------------------------------------


@pytest.mark.parametrize("typed", ["400000000017", "(515) 555-0142", "Smith, Anna"])
def test_the_cashier_screen_shows_no_email_postal_code_or_full_phone(
    client, cashier_user, member, typed
):
    client.force_login(cashier_user)

    html = client.get(LOOKUP, {"q": typed}).content.decode()

    assert "Anna" in html and member.card_number in html
    assert "anna.smith@example.org" not in html
    assert "50309" not in html
    # The phone is not on the page in any spelling, bar the query echoed in the search box.
    page = html.replace('value="(515) 555-0142"', "")
    for spelling in ("(515) 555-0142", "5155550142", "555-0142", "515"):
        assert spelling not in page, spelling


def test_a_phone_match_shows_only_the_last_four_digits(client, cashier_user, member):
    client.force_login(cashier_user)

    html = client.get(LOOKUP, {"q": "515 555 0142"}).content.decode()

    assert "Found by phone number" in html and "•••• 0142" in html


def test_several_matches_tell_members_apart_by_card_and_phone_tail(client, cashier_user, member):
    MemberFactory(
        card_number="400000000025", first_name="Bob", last_name="Smith", phone="515-555-0999",
        postal_code="50310", email="bob@example.org",
    )  # fmt: skip
    client.force_login(cashier_user)

    html = client.get(LOOKUP, {"q": "smith"}).content.decode()

    assert "•••• 0142" in html and "•••• 0999" in html
    assert "50309" not in html and "50310" not in html and "bob@example.org" not in html
    assert "555-0999" not in html

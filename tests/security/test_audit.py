"""The audit trail: each kind of event, written through the real pages and the POS API."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from django.db import DatabaseError, connection, transaction
from django.http import HttpResponse
from django.test import Client, RequestFactory
from django.urls import reverse
from django.utils import timezone

from apps.audit.middleware import CsvRowCounter, ExportAuditMiddleware
from apps.audit.models import AuditEvent, AuditKind
from apps.campaigns.models import Campaign, CampaignStatus
from tests.checkout.conftest import HEINZ, body, chain, post  # noqa: F401 - chain: a fixture
from tests.factories import CategoryFactory, MemberFactory

PASSWORD = "correct-horse-battery"  # tests.factories.UserFactory's


def events(kind: str) -> list[AuditEvent]:
    return list(AuditEvent.objects.filter(kind=kind).order_by("id"))


# Sign-ins ------------------------------------------------------------------------------


def test_sign_in_failed_sign_in_and_sign_out_are_recorded(marketing_user):
    client = Client(REMOTE_ADDR="10.1.2.3")
    login = reverse("login")
    client.post(login, {"username": "vp", "password": "wrong-one"})
    client.post(login, {"username": "nobody-here", "password": "x"})
    assert client.post(login, {"username": "vp", "password": PASSWORD}).status_code == 302
    assert client.post(reverse("logout")).status_code == 302

    failed = events(AuditKind.LOGIN_FAILED)
    assert [(e.actor_name, e.actor_id, e.ip_address, e.path) for e in failed] == [
        ("vp", None, "10.1.2.3", "/accounts/login/"),
        ("nobody-here", None, "10.1.2.3", "/accounts/login/"),
    ]
    # Neither the wrong password nor its mask is kept.
    assert all("wrong-one" not in json.dumps(e.detail) for e in failed)
    [signed_in] = events(AuditKind.LOGIN)
    assert (signed_in.actor_id, signed_in.actor_name, signed_in.ip_address) == (
        marketing_user.pk, "vp", "10.1.2.3",
    )  # fmt: skip
    [signed_out] = events(AuditKind.LOGOUT)
    assert (signed_out.actor_id, signed_out.path) == (marketing_user.pk, "/accounts/logout/")


def test_behind_a_proxy_the_address_is_the_proxys_last_hop(settings, marketing_user):
    settings.SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    client = Client(REMOTE_ADDR="10.0.0.1", HTTP_X_FORWARDED_FOR="6.6.6.6, 192.0.2.7")
    client.post(reverse("login"), {"username": "vp", "password": "wrong"})
    # The first hop is whatever the client wrote; the last one our proxy appended.
    assert events(AuditKind.LOGIN_FAILED)[0].ip_address == "192.0.2.7"


# Campaign changes ----------------------------------------------------------------------


def test_campaign_status_change_through_the_page_names_the_user(marketing_user):
    campaign = Campaign.objects.create(
        name="Ketchup switch", goal="convert", category=CategoryFactory(name="Ketchup"),
        target_cells=["national-3"], valid_from=timezone.localdate(),
        valid_until=timezone.localdate() + dt.timedelta(days=55), budget=1000,
        status=CampaignStatus.APPROVED,  # current dates: an ended campaign is not activated
    )  # fmt: skip
    client = Client()
    client.force_login(marketing_user)
    response = client.post(reverse("campaigns:activate", kwargs={"pk": campaign.pk}))
    assert response.status_code == 302

    changes = events(AuditKind.CAMPAIGN_CHANGE)
    seen = [(e.actor_name, e.object_id, e.detail["change"], e.detail["status"]) for e in changes]
    assert seen == [
        ("", str(campaign.pk), "created", "approved"),  # created in the test: no user
        ("vp", str(campaign.pk), "changed", "active"),
    ]  # fmt: skip
    assert changes[1].actor_id == marketing_user.pk
    # The link to django-simple-history's record of the change.
    latest = campaign.history.order_by("-history_id").first()
    assert changes[1].detail["history_id"] == latest.history_id


# Redemptions and reversals (bulk writes: recorded by triggers) -------------------------


def test_redemptions_and_reversal_through_the_pos_api(chain):  # noqa: F811
    assert post(chain["secret"], body()).status_code == 200
    redemptions = events(AuditKind.REDEMPTION)
    # 2 Heinz at 3.49 earn $0.75 off (min 2); own-brand 1.99 at 20% = 0.398 → 0.40.
    assert sorted((e.detail["campaign"], e.detail["discount"]) for e in redemptions) == sorted(
        [(chain["trial"].pk, "0.75"), (chain["switch"].pk, "0.40")]
    )
    for event in redemptions:
        assert event.actor_name == "till S01: Lane 1"
        assert event.detail["transaction_id"] == "T-1"
        assert event.detail["store"] == "S01"
        assert event.object_type == "redemption"

    back = {
        "transaction_id": "R-1",
        "store": "S01",
        "original_transaction_id": "T-1",
        "returned_at": "2026-03-06T11:00:00-06:00",
        "lines": [{"upc": HEINZ, "quantity": 1}],
    }
    response = Client().post(
        "/api/pos/return",
        data=json.dumps(back),
        content_type="application/json",
        headers={"Authorization": f"Bearer {chain['secret']}"},
    )
    assert response.status_code == 200, response.content
    [reversal] = events(AuditKind.REVERSAL)
    heinz = next(e for e in redemptions if e.detail["campaign"] == chain["trial"].pk)
    assert reversal.object_id == heinz.object_id
    assert reversal.actor_name == "till S01: Lane 1"
    assert (reversal.detail["transaction_id"], reversal.detail["return_transaction_id"]) == (
        "T-1", "R-1",
    )  # fmt: skip
    assert reversal.detail["discount"] == "0.75"

    # The replayed sale and return record nothing new.
    assert post(chain["secret"], body()).status_code == 200
    assert len(events(AuditKind.REDEMPTION)) == 2
    assert len(events(AuditKind.REVERSAL)) == 1


# Exports -------------------------------------------------------------------------------


def test_streamed_member_export_is_recorded_with_its_row_count(marketing_user):
    for card in ("400000000017", "400000000025", "400000000033"):
        MemberFactory(card_number=card)
    client = Client()
    client.force_login(marketing_user)
    response = client.get(reverse("members:list"), {"export": "csv"})
    assert response.status_code == 200
    [event] = events(AuditKind.EXPORT)
    # Recorded before the first byte is sent; the count once the stream has ended.
    assert event.row_count is None
    content = b"".join(response.streaming_content)  # the test client closes it at the end
    assert content.count(b"\n") == 4  # header + 3 members
    event.refresh_from_db()
    assert (event.actor_id, event.path, event.query, event.row_count) == (
        marketing_user.pk, "/members/", "export=csv", 3,
    )  # fmt: skip
    assert event.detail["filename"] == "members.csv"


def test_plain_attachment_is_counted_at_once(marketing_user):
    def view(request):
        response = HttpResponse(
            'id,note\r\n1,"two\r\nlines"\r\n2,"say ""hi"""\r\n', content_type="text/csv"
        )
        response["Content-Disposition"] = 'attachment; filename="notes.csv"'
        return response

    request = RequestFactory().get("/somewhere/", {"_export": "csv"})
    request.user = marketing_user
    ExportAuditMiddleware(view)(request)
    [event] = events(AuditKind.EXPORT)
    assert (event.row_count, event.query) == (2, "_export=csv")
    assert event.detail["filename"] == "notes.csv"


def test_inline_responses_are_not_exports(marketing_user):
    request = RequestFactory().get("/lists/x/pdf/")
    request.user = marketing_user
    response = HttpResponse(b"%PDF", content_type="application/pdf")
    response["Content-Disposition"] = 'inline; filename="x.pdf"'
    ExportAuditMiddleware(lambda r: response)(request)
    assert events(AuditKind.EXPORT) == []


@pytest.mark.parametrize(
    ("chunks", "rows"),
    [
        ([b"a,b\n"], 0),
        ([b"a,b\n1,2\n3,4"], 2),  # no newline after the last record
        ([b'a,b\n1,"x\n', b'y"\n2,""""\n'], 2),  # a quoted newline split across chunks
        ([b"a\r\n", b"1\r\n", b"2\r\n", b"3\r\n"], 3),
        ([], 0),
    ],
)
def test_csv_row_counter(chunks, rows):
    counter = CsvRowCounter()
    for chunk in chunks:
        counter.feed(chunk)
    assert counter.data_rows == rows


# The trail itself ----------------------------------------------------------------------


def test_events_cannot_be_changed_or_deleted(marketing_user):
    Client().post(reverse("login"), {"username": "vp", "password": "wrong"})
    event = events(AuditKind.LOGIN_FAILED)[0]
    for attempt in (
        lambda: AuditEvent.objects.filter(pk=event.pk).update(actor_name="someone-else"),
        lambda: AuditEvent.objects.filter(pk=event.pk).delete(),
        lambda: AuditEvent.objects.filter(pk=event.pk).update(row_count=5),  # not an export
    ):
        with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
            attempt()
    event.refresh_from_db()
    assert event.actor_name == "vp"


def test_an_exports_row_count_can_be_filled_in_once(marketing_user):
    with connection.cursor() as cursor:
        cursor.execute(
            "INSERT INTO audit_auditevent (kind, actor_name, path, query, object_type,"
            " object_id, detail) VALUES ('export', 'vp', '/x/', '', '', '', '{}') RETURNING id"
        )
        (pk,) = cursor.fetchone()
    assert AuditEvent.objects.filter(pk=pk).update(row_count=7) == 1
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
        AuditEvent.objects.filter(pk=pk).update(row_count=8)
    assert AuditEvent.objects.get(pk=pk).row_count == 7


def test_admin_shows_the_trail_read_only(admin_user_, marketing_user):
    Client().post(reverse("login"), {"username": "vp", "password": "wrong"})
    event = events(AuditKind.LOGIN_FAILED)[0]
    client = Client()
    client.force_login(admin_user_)
    listing = client.get(reverse("admin:audit_auditevent_changelist"))
    assert listing.status_code == 200
    assert b"Failed sign-in" in listing.content
    page = client.get(reverse("admin:audit_auditevent_change", args=[event.pk]))
    assert page.status_code == 200
    assert b'name="_save"' not in page.content  # no save button: nothing to change
    assert client.get(reverse("admin:audit_auditevent_add")).status_code == 403
    delete = reverse("admin:audit_auditevent_delete", args=[event.pk])
    assert client.post(delete, {"post": "yes"}).status_code == 403
    assert AuditEvent.objects.filter(pk=event.pk).exists()
    # Marketing users are not staff: the admin is not theirs to read.
    other = Client()
    other.force_login(marketing_user)
    assert other.get(reverse("admin:audit_auditevent_changelist")).status_code == 302

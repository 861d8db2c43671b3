"""Segment pages: the 9-cell matrix, a cell's members and CSV, the recompute form."""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from django.urls import reverse

from apps.catalog.models import BrandType
from apps.jobs.models import Job
from apps.segments.models import SegmentSnapshot
from apps.segments.services import snapshots_compute
from tests.factories import (
    BasketFactory,
    BasketLineFactory,
    CategoryFactory,
    MemberFactory,
    ProductFactory,
)

CHICAGO = ZoneInfo("America/Chicago")


@pytest.fixture
def snapshot(db):
    category = CategoryFactory(name="Coffee")
    national = ProductFactory(category=category, brand_type=BrandType.NATIONAL)
    store = ProductFactory(category=category, brand_type=BrandType.STORE)
    # Three national-loyal buyers (spend 3, 6, 9 -> low, medium, high) and one store buyer
    # with spend 12 (high: 4 buyers -> tiles of 2, 1, 1; order 3, 6, 9, 12).
    for card, product, amount in [
        ("C1", national, "3.00"),
        ("C2", national, "6.00"),
        ("C3", national, "9.00"),
        ("C4", store, "12.00"),
    ]:
        member = MemberFactory(card_number=card, first_name="Ann", last_name=card)
        basket = BasketFactory(member=member, purchased_at=dt.datetime(2026, 2, 1, tzinfo=CHICAGO))
        BasketLineFactory(basket=basket, product=product, amount=Decimal(amount))
    (pk,) = snapshots_compute(
        category_ids=[category.pk], window_start=dt.date(2026, 1, 1), window_end=dt.date(2026, 4, 1)
    )
    return SegmentSnapshot.objects.get(pk=pk)


def _cell_text(content: str, loyalty: str, tier: int, pk: int) -> str:
    href = reverse("segments:cell", args=[pk, loyalty, tier])
    start = content.index(f'href="{href}"')
    return content[start : content.index("</a>", start)]


def test_matrix_shows_buyers_and_spend_per_cell(client, marketing_user, snapshot):
    client.force_login(marketing_user)
    response = client.get(reverse("segments:detail", args=[snapshot.pk]))
    assert response.status_code == 200
    content = response.content.decode()
    # national: C1, C2 in low (tiles 2,1,1 over 3,6,9,12), C3 medium; store: C4 high.
    assert ">2<" in _cell_text(content, "national", 1, snapshot.pk)
    assert "$9.00" in _cell_text(content, "national", 1, snapshot.pk)
    assert ">1<" in _cell_text(content, "national", 2, snapshot.pk)
    assert ">1<" in _cell_text(content, "store", 3, snapshot.pk)
    assert ">0<" in _cell_text(content, "swinger", 2, snapshot.pk)


def test_cell_lists_its_members_and_downloads_csv(client, marketing_user, snapshot):
    client.force_login(marketing_user)
    url = reverse("segments:cell", args=[snapshot.pk, "national", 1])
    page = client.get(url).content.decode()
    # As a cell's text: "C3" alone also turns up inside a random CSRF token now and then.
    shown = set(re.findall(r">\s*(C\d)\s*<", page))
    assert shown == {"C1", "C2"}
    response = client.get(url + "?_export=csv")
    assert response["Content-Type"].startswith("text/csv")
    lines = response.content.decode().strip().splitlines()
    assert lines[0].split(",")[:3] == ["Card", "Name", "Category spend"]
    assert [line.split(",")[0] for line in lines[1:]] == ["C2", "C1"]  # spend descending


def test_unknown_cell_is_404(client, marketing_user, snapshot):
    client.force_login(marketing_user)
    assert client.get(f"/segments/{snapshot.pk}/cell/loyal/1/").status_code == 404
    assert client.get(f"/segments/{snapshot.pk}/cell/store/4/").status_code == 404


def test_recompute_form_queues_a_job(client, marketing_user, django_capture_on_commit_callbacks):
    CategoryFactory(name="Tea")
    client.force_login(marketing_user)
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        response = client.post(
            reverse("segments:list"),
            {
                "window_start": "2026-01-01",
                "window_end": "2026-04-01",
                "national_threshold": "0.8",
                "store_threshold": "0.2",
            },
        )
    job = Job.objects.get(kind="segments")
    assert response.status_code == 302 and response["Location"] == job.get_absolute_url()
    assert job.progress_total == 1 and job.started_by == marketing_user
    assert len(callbacks) == 1


def test_recompute_form_rejects_inverted_thresholds(client, marketing_user):
    client.force_login(marketing_user)
    response = client.post(
        reverse("segments:list"),
        {
            "window_start": "2026-01-01",
            "window_end": "2026-04-01",
            "national_threshold": "0.3",
            "store_threshold": "0.5",
        },
    )
    assert response.status_code == 200
    assert "Must be below the national-brand threshold." in response.content.decode()
    assert not Job.objects.exists()


def test_cashier_cannot_see_segments(client, cashier_user, snapshot):
    client.force_login(cashier_user)
    assert client.get(reverse("segments:detail", args=[snapshot.pk])).status_code == 403

"""The member-value page: fit parameters, Pareto figure, win-back list and CSV, fit form."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from django.urls import reverse

from apps.jobs.models import Job
from apps.segments.models import MemberScore, RepeatModelFit
from tests.factories import BasketFactory, MemberFactory

pytestmark = pytest.mark.django_db
CHICAGO = ZoneInfo("America/Chicago")


@pytest.fixture
def fit():
    fit = RepeatModelFit.objects.create(
        calibration_end=dt.date(2026, 6, 30),
        r=0.25,
        alpha=4.4,
        a=0.8,
        b=2.4,
        bgnbd_log_likelihood=-100.0,
        p=6.25,
        q=3.74,
        gamma=15.44,
        gamma_gamma_log_likelihood=-50.0,
        members=5,
        repeat_buyers=4,
    )
    # Spend 50, 20, 15, 10, 5 of 100: cumulative shares 0.50, 0.70, 0.85, 0.95, 1.00.
    rows = [("W1", 50, 0.50, True), ("W2", 20, 0.70, False), ("W3", 15, 0.85, True)]
    rows += [("W4", 10, 0.95, False), ("W5", 5, 1.00, True)]
    for card, spend, cumulative, churn in rows:
        MemberScore.objects.create(
            fit=fit,
            member=MemberFactory(card_number=card),
            frequency=4,
            recency_weeks=10,
            age_weeks=30,
            days_since_last=140,
            total_spend=Decimal(spend),
            average_repeat_spend=Decimal("10"),
            recency_score=1,
            frequency_score=3,
            monetary_score=3,
            p_alive=0.2 if churn else 0.9,
            expected_purchases_2w=0.1,
            expected_purchases_4w=0.2,
            expected_purchases_13w=0.5,
            expected_spend=Decimal("10"),
            clv=Decimal("12.5"),
            sales_share=spend / 100,
            cumulative_share=cumulative,
            churn_risk=churn,
        )
    return fit


def test_page_shows_fit_pareto_and_win_back_list(client, marketing_user, fit):
    client.force_login(marketing_user)
    response = client.get(reverse("segments:member_value"))
    content = response.content.decode()
    assert response.status_code == 200
    assert "r = 0.250, α = 4.400, a = 0.800, b = 2.400" in content
    assert response.context["top_share"] == pytest.approx(0.50)
    assert "Top 20% of members bring 50% of sales" in content
    table_rows = [row.record.member.card_number for row in response.context["table"].rows]
    assert table_rows == ["W1", "W3", "W5"]  # churners only, by spend descending


def test_win_back_csv(client, marketing_user, fit):
    client.force_login(marketing_user)
    response = client.get(reverse("segments:member_value") + "?_export=csv")
    lines = response.content.decode().strip().splitlines()
    assert lines[0].startswith("Card,Name,Spend to date")
    assert [line.split(",")[0] for line in lines[1:]] == ["W1", "W3", "W5"]
    assert lines[1].split(",")[2] == "50.00"


def test_page_without_a_fit_invites_one(client, marketing_user):
    client.force_login(marketing_user)
    content = client.get(reverse("segments:member_value")).content.decode()
    assert "No model has been fitted yet" in content


def test_fit_form_queues_a_job(client, marketing_user, django_capture_on_commit_callbacks):
    BasketFactory(member=None, purchased_at=dt.datetime(2026, 6, 30, 12, tzinfo=CHICAGO))
    client.force_login(marketing_user)
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        response = client.post(reverse("segments:member_value"), {"calibration_end": "2026-06-30"})
    job = Job.objects.get(kind="member_models")
    assert response["Location"] == job.get_absolute_url()
    assert job.params == {"calibration_end": "2026-06-30"}
    assert len(callbacks) == 1

"""The live fit: refused dates, held-back candidates, promoting and restoring (audited).

One small chain (tests/segments/conftest.py would be overkill): 120 members with their own
visit gaps, spend levels and stopping days, June to December 2025, on one store. Fitted on
the history up to Dec 9 (the last basket's local date) the models are sane and go live;
fitted on the history up to Jun 20 (82 members, 30 of them back) they are not.
"""

from __future__ import annotations

import datetime as dt
import io
import re
from decimal import Decimal
from zoneinfo import ZoneInfo

import numpy as np
import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.urls import reverse

from apps.audit.models import AuditEvent, AuditKind
from apps.baskets.models import Basket
from apps.jobs.models import Job, JobStatus
from apps.reports.models import ParetoPoint, ValueAggregate
from apps.segments import selectors
from apps.segments.fits import (
    FitRefused,
    repeat_model_fit,
    repeat_model_fit_make_live,
    repeat_model_fit_queue,
)
from apps.segments.models import MemberScore, RepeatModelFit
from apps.segments.tasks import repeat_model_fit_task
from tests.factories import MemberFactory, StoreFactory

pytestmark = pytest.mark.django_db
CHICAGO = ZoneInfo("America/Chicago")
LAST_DAY = dt.date(2025, 12, 9)
FUTURE = "History up to {day} is after the last data: the last basket is of 2025-12-09."


@pytest.fixture
def chain():
    """Baskets of 120 members; the last basket is an anonymous one at 23:30 on Dec 9 (local),
    which is Dec 10 in UTC: the last data day is the local one."""
    store = StoreFactory(code="S1")
    members = MemberFactory.create_batch(120)
    rng = np.random.default_rng(7)
    start = dt.datetime(2025, 6, 1, 10, tzinfo=CHICAGO)
    baskets = []
    for member in members:
        gap, stop, mean = int(rng.integers(3, 21)), int(rng.integers(20, 200)), rng.uniform(10, 80)
        for day in range(int(rng.integers(0, 30)), stop, gap):
            baskets.append((member, start + dt.timedelta(days=day), mean * rng.uniform(0.6, 1.4)))
    baskets.append((None, dt.datetime(2025, 12, 9, 23, 30, tzinfo=CHICAGO), 3.0))
    Basket.objects.bulk_create(
        Basket(
            basket_id=f"B{n}",
            member=member,
            store=store,
            purchased_at=when,
            total_amount=Decimal(f"{spend:.2f}"),
            source="import",
        )
        for n, (member, when, spend) in enumerate(baskets)
    )
    return members


@pytest.fixture
def live(chain) -> RepeatModelFit:
    fit = repeat_model_fit(calibration_end=LAST_DAY)
    assert fit.live_since is not None and fit.held_back == []
    return fit


def scores_of_every_fit() -> list[tuple]:
    return list(
        MemberScore.objects.order_by("pk").values_list(
            "pk", "fit_id", "member_id", "p_alive", "clv", "churn_risk", "cumulative_share"
        )
    )


def unchanged(before_live: int, before_scores: list[tuple], fits: int) -> None:
    assert selectors.repeat_model_fit_live().pk == before_live
    assert RepeatModelFit.objects.count() == fits
    assert scores_of_every_fit() == before_scores


# --- A date after the last data is refused everywhere, and changes nothing ------------------


def test_the_last_data_day_is_the_last_baskets_local_date(chain):
    assert selectors.basket_days() == (dt.date(2025, 6, 1), dt.date(2025, 12, 9))


@pytest.mark.parametrize("day", ["2025-12-10", "2031-01-01"])
def test_service_refuses_a_date_after_the_last_basket(live, day):
    before = scores_of_every_fit()
    with pytest.raises(FitRefused) as refused:
        repeat_model_fit(calibration_end=dt.date.fromisoformat(day))
    assert str(refused.value) == (
        FUTURE.format(day=day) + " The days after it would look like members who stopped"
        " shopping. Choose 2025-12-09 or earlier."
    )
    unchanged(live.pk, before, fits=1)


def test_queue_refuses_before_recording_a_job(live):
    before = scores_of_every_fit()
    with pytest.raises(FitRefused, match=FUTURE.format(day="2031-01-01")):
        repeat_model_fit_queue(calibration_end=dt.date(2031, 1, 1))
    assert not Job.objects.exists()
    unchanged(live.pk, before, fits=1)


def test_celery_task_cannot_bypass_the_refusal(live):
    """A job queued with a bad date by any other way fails with the reason; nothing else."""
    before = scores_of_every_fit()
    job = Job.objects.create(kind="member_models", params={"calibration_end": "2031-01-01"})
    with pytest.raises(FitRefused):
        repeat_model_fit_task(job.pk, "2031-01-01")
    job.refresh_from_db()
    assert job.status == JobStatus.FAILED
    assert job.error.startswith(FUTURE.format(day="2031-01-01"))
    unchanged(live.pk, before, fits=1)


def test_command_refuses_a_date_after_the_last_basket(live):
    before = scores_of_every_fit()
    with pytest.raises(CommandError, match=FUTURE.format(day="2031-01-01")):
        call_command("fit_repeat_model", "--calibration-end", "2031-01-01")
    unchanged(live.pk, before, fits=1)


def test_command_refuses_a_date_before_the_first_basket(live):
    with pytest.raises(CommandError) as refused:
        call_command("fit_repeat_model", "--calibration-end", "2025-05-31")
    assert str(refused.value) == (
        "History up to 2025-05-31 is before the first basket (2025-06-01): there is nothing"
        " to fit. Choose a date from 2025-06-01 to 2025-12-09."
    )


def test_form_refuses_a_future_date_and_queues_nothing(client, marketing_user, live):
    before = scores_of_every_fit()
    client.force_login(marketing_user)
    response = client.post(reverse("segments:member_value"), {"calibration_end": "2031-01-01"})
    assert response.status_code == 200
    content = response.content.decode()
    assert FUTURE.format(day="2031-01-01") in content
    assert not Job.objects.exists()
    unchanged(live.pk, before, fits=1)


def test_form_offers_the_last_data_day(client, marketing_user, chain):
    client.force_login(marketing_user)
    content = client.get(reverse("segments:member_value")).content.decode()
    assert 'value="2025-12-09" max="2025-12-09"' in content
    assert "The last basket is of 2025-12-09: a later date is refused." in content


def test_form_queues_the_last_data_day(
    client, marketing_user, chain, django_capture_on_commit_callbacks
):
    client.force_login(marketing_user)
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        response = client.post(reverse("segments:member_value"), {"calibration_end": "2025-12-09"})
    job = Job.objects.get(kind="member_models")
    assert response["Location"] == job.get_absolute_url()
    assert len(callbacks) == 1


# --- A fit that fails the checks is kept as a candidate, not made live -----------------------

# b runs up against the cap where the likelihood is flat: where exactly L-BFGS-B stops
# there (9,990 or 10,000) depends on the machine's floating point, not on the product.
HELD_BACK = [
    "only 82 members bought (at least 100 are needed)",
    re.compile(
        r"BG/NBD b = (9,9\d\d|10,000) is at the fitter's upper cap \(10,000\): "
        r"the history does not pin it down"
    ),
]


def is_held_back(reasons: list[str]) -> bool:
    """The reasons are HELD_BACK's, in order (a pattern matches a whole reason)."""
    return len(reasons) == len(HELD_BACK) and all(
        expected.fullmatch(reason) if isinstance(expected, re.Pattern) else expected == reason
        for expected, reason in zip(HELD_BACK, reasons, strict=True)
    )


def test_fit_failing_the_checks_is_stored_as_a_candidate_not_live(live, client, marketing_user):
    before = scores_of_every_fit()
    candidate = repeat_model_fit(calibration_end=dt.date(2025, 6, 20))
    assert candidate.live_since is None
    assert is_held_back(candidate.held_back)
    assert MemberScore.objects.filter(fit=candidate).count() == 82  # its scores are kept
    # The live fit and its scores are as they were; the dashboard still has its figures.
    assert selectors.repeat_model_fit_live().pk == live.pk
    assert [row for row in scores_of_every_fit() if row[1] == live.pk] == before
    assert set(ValueAggregate.objects.values_list("fit_id", flat=True)) == {live.pk}
    # The page leads with why, and offers to make it live anyway.
    client.force_login(marketing_user)
    response = client.get(reverse("segments:member_value"))
    content = response.content.decode()
    assert "The newest fit was not made live" in content
    assert "only 82 members bought (at least 100 are needed)" in content
    assert f"Make fit {candidate.pk} live anyway" in content
    assert response.context["fit"].pk == live.pk


def test_job_says_the_fit_was_held_back(live):
    job = Job.objects.create(kind="member_models", params={"calibration_end": "2025-06-20"})
    repeat_model_fit_task(job.pk, "2025-06-20")
    job.refresh_from_db()
    assert job.status == JobStatus.SUCCEEDED
    assert job.result["live"] is False and is_held_back(job.result["held_back"])
    assert job.message.startswith(
        "82 members scored; kept as a candidate, not made live: only 82 members bought"
    )
    assert selectors.repeat_model_fit_live().pk == live.pk


def test_command_reports_a_held_back_fit(live):
    out, err = io.StringIO(), io.StringIO()
    call_command("fit_repeat_model", "--calibration-end", "2025-06-20", stdout=out, stderr=err)
    candidate = RepeatModelFit.objects.get(calibration_end=dt.date(2025, 6, 20))
    assert "82 members (30 repeat buyers) — candidate, not live" in out.getvalue()
    assert f"Fit {candidate.pk} is kept as a candidate, not made live" in err.getvalue()
    assert selectors.repeat_model_fit_live().pk == live.pk


# --- Promoting and restoring: POST, audited, every page follows -----------------------------


def member_in_both():
    """A member who bought by Jun 20 (in both fits)."""
    early = MemberScore.objects.filter(fit__calibration_end=dt.date(2025, 6, 20))
    return early.order_by("member_id").first().member


def test_promote_then_restore_moves_every_page_and_is_audited(live, client, marketing_user):
    candidate = repeat_model_fit(calibration_end=dt.date(2025, 6, 20))
    member = member_in_both()
    client.force_login(marketing_user)
    page = reverse("members:detail", args=[member.card_number])
    assert "model of Dec 9, 2025" in client.get(page).content.decode()

    # Promote the held-back candidate.
    response = client.post(reverse("segments:fit_make_live", args=[candidate.pk]))
    assert response.status_code == 302 and response["Location"] == reverse("segments:member_value")
    assert selectors.repeat_model_fit_live().pk == candidate.pk
    assert selectors.member_score(member=member).fit_id == candidate.pk
    assert "model of Jun 20, 2025" in client.get(page).content.decode()
    assert set(ValueAggregate.objects.values_list("fit_id", flat=True)) == {candidate.pk}
    assert set(ParetoPoint.objects.values_list("fit_id", flat=True)) == {candidate.pk}
    dashboard = client.get(reverse("reports:loyalty"))
    assert dashboard.context["fit_id"] == candidate.pk
    assert dashboard.context["summary"].members == 82

    # Restore the fit that was live: its stored scores, no refit.
    scores_before = scores_of_every_fit()
    client.post(reverse("segments:fit_make_live", args=[live.pk]))
    assert selectors.repeat_model_fit_live().pk == live.pk
    assert RepeatModelFit.objects.count() == 2
    assert scores_of_every_fit() == scores_before
    assert selectors.member_score(member=member).fit_id == live.pk
    assert "model of Dec 9, 2025" in client.get(page).content.decode()
    assert client.get(reverse("reports:loyalty")).context["summary"].members == 120

    events = list(AuditEvent.objects.filter(kind=AuditKind.MODEL_FIT_LIVE).order_by("id"))
    assert [(e.actor_id, e.actor_name, e.object_type, e.object_id) for e in events] == [
        (marketing_user.pk, "vp", "repeat_model_fit", str(candidate.pk)),
        (marketing_user.pk, "vp", "repeat_model_fit", str(live.pk)),
    ]
    assert is_held_back(events[0].detail.pop("held_back"))
    assert events[0].detail == {
        "action": "promote",
        "previous_live": live.pk,
        "calibration_end": "2025-06-20",
    }
    assert events[1].detail == {
        "action": "restore",
        "previous_live": candidate.pk,
        "calibration_end": "2025-12-09",
        "held_back": [],
    }
    assert events[1].path == reverse("segments:fit_make_live", args=[live.pk])


def test_fit_list_offers_restore_and_make_live(live, client, marketing_user):
    candidate = repeat_model_fit(calibration_end=dt.date(2025, 6, 20))
    client.force_login(marketing_user)
    client.post(reverse("segments:fit_make_live", args=[candidate.pk]))
    response = client.get(reverse("segments:member_value"))
    fits = [(f.pk, f.is_live) for f in response.context["fits"]]
    assert fits == [(candidate.pk, True), (live.pk, False)]
    content = response.content.decode()
    restore = reverse("segments:fit_make_live", args=[live.pk])
    assert f'<form method="post" action="{restore}">' in content
    assert "Restore</button>" in content
    assert "csrfmiddlewaretoken" in content
    assert response.context["held_back"] is None  # the newest fit is live now


def test_making_the_live_fit_live_again_changes_and_records_nothing(live, client, marketing_user):
    client.force_login(marketing_user)
    since = live.live_since
    response = client.post(reverse("segments:fit_make_live", args=[live.pk]), follow=True)
    assert "is already the live fit" in response.content.decode()
    live.refresh_from_db()
    assert live.live_since == since
    assert not AuditEvent.objects.filter(kind=AuditKind.MODEL_FIT_LIVE).exists()


def test_make_live_is_post_only_marketing_only_and_404s_unknown_fits(
    live, client, marketing_user, cashier_user
):
    url = reverse("segments:fit_make_live", args=[live.pk])
    client.force_login(cashier_user)
    assert client.post(url).status_code == 403
    client.force_login(marketing_user)
    assert client.get(url).status_code == 405
    assert client.post(reverse("segments:fit_make_live", args=[live.pk + 999])).status_code == 404
    assert not AuditEvent.objects.filter(kind=AuditKind.MODEL_FIT_LIVE).exists()


def test_make_live_requires_the_csrf_token(live, marketing_user):
    from django.test import Client

    candidate = repeat_model_fit(calibration_end=dt.date(2025, 6, 20))
    client = Client(enforce_csrf_checks=True)
    client.force_login(marketing_user)
    response = client.post(reverse("segments:fit_make_live", args=[candidate.pk]))
    assert response.status_code == 403
    assert selectors.repeat_model_fit_live().pk == live.pk


def test_service_promotes_without_a_request(live, marketing_user):
    candidate = repeat_model_fit(calibration_end=dt.date(2025, 6, 20))
    change = repeat_model_fit_make_live(fit_id=candidate.pk, actor=marketing_user)
    assert (change.changed, change.action, change.previous_id) == (True, "promote", live.pk)
    event = AuditEvent.objects.get(kind=AuditKind.MODEL_FIT_LIVE)
    assert (event.path, event.ip_address) == ("", None)


def test_a_new_sane_fit_replaces_the_live_one(live):
    newer = repeat_model_fit(calibration_end=dt.date(2025, 12, 1))
    assert newer.held_back == []
    assert selectors.repeat_model_fit_live().pk == newer.pk
    live.refresh_from_db()
    assert live.live_since is not None  # "was live": it can be restored

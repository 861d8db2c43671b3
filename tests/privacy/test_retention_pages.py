"""The privacy home shows the policy, the last runs and recent erasures; the dashboard a line."""

from __future__ import annotations

import pytest
from django.urls import reverse

from apps.rights.retention import RetentionPolicy, retention_start
from tests.privacy.retention_data import TODAY, build_retention_chain


@pytest.fixture
def retention_ran(db, settings, django_capture_on_commit_callbacks):
    from crm_site.celery import app

    settings.CRM_RETENTION_BASKET_YEARS = 3
    settings.CRM_RETENTION_INACTIVE_YEARS = 4
    chain = build_retention_chain()
    app.conf.task_always_eager = True
    try:
        with django_capture_on_commit_callbacks(execute=True):
            job = retention_start(policy=RetentionPolicy(3, 3), today=TODAY)
    finally:
        app.conf.task_always_eager = False
    job.refresh_from_db()
    return chain, job


def test_home_shows_the_policy_the_last_run_and_erasures_without_names(
    client, privacy_user, retention_ran
):
    chain, job = retention_ran
    client.force_login(privacy_user)
    page = client.get(reverse("privacy:home")).content.decode()

    assert "Baskets and their lines older than 3 years are detached" in page
    assert "Members with no purchase or other activity for 4 years" in page
    assert "Runs every night at 00:30." in page
    assert "3 baskets and 6 lines detached, 1 inactive member erased." in page
    assert f"Retention job #{job.pk}" in page and "nightly run" in page
    assert "0 on request, 1 by retention, in all" in page
    # The erased member's name is gone from the database and never on this page.
    assert chain.old_only.last_name not in page and chain.old_only.card_number not in page
    assert f'action="{reverse("privacy:member_search")}"' in page


def test_home_before_any_run_says_so(client, privacy_user, settings):
    settings.CRM_RETENTION_BASKET_YEARS = 0
    client.force_login(privacy_user)
    page = client.get(reverse("privacy:home")).content.decode()
    assert "retention has not run yet" in page
    assert "basket retention is off" in page
    assert "No member has been erased." in page


def test_the_dashboard_says_the_policy_and_the_last_run(client, marketing_user, retention_ran):
    client.force_login(marketing_user)
    page = client.get(reverse("reports:loyalty")).content.decode()
    assert (
        "Retention: baskets tied to a member for 3 years; members inactive 4 years erased" in page
    )
    assert "(3 baskets detached, 1 member erased)" in page

"""K, the fewest members a published figure may rest on: settable, default 10, never below 5."""

from __future__ import annotations

import pytest
from django.conf import settings as django_settings
from django.core.exceptions import ImproperlyConfigured

from apps.portal.apps import check_min_members
from apps.portal.report import min_members


def test_default_is_10():
    assert django_settings.REPORT_MIN_MEMBERS == 10
    assert check_min_members() == []


@pytest.mark.parametrize("k", [5, 10, 25])
def test_any_k_of_at_least_5_is_accepted(settings, k):
    settings.REPORT_MIN_MEMBERS = k
    assert check_min_members() == []
    assert min_members() == k


@pytest.mark.parametrize("k", [4, 1, 0, -3, "10", None])
def test_k_below_5_stops_the_start_and_every_report(settings, k):
    settings.REPORT_MIN_MEMBERS = k
    (error,) = check_min_members()
    assert error.id == "portal.E001" and error.is_serious()
    with pytest.raises(ImproperlyConfigured):
        min_members()


def test_check_is_registered(settings):
    from django.core import checks

    settings.REPORT_MIN_MEMBERS = 3
    assert "portal.E001" in {m.id for m in checks.run_checks(tags=[checks.Tags.security])}

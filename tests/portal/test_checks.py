"""The release parameters: settable, with defaults, refused at start when unusable."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.conf import settings as django_settings
from django.core import checks
from django.core.exceptions import ImproperlyConfigured

from apps.portal.apps import check_min_members, check_privacy_settings
from apps.portal.privacy import privacy_settings


def test_defaults():
    assert django_settings.REPORT_MIN_MEMBERS == 10
    params = privacy_settings()
    assert (params.epsilon_per_figure, params.money_cap, params.max_categories) == (
        Decimal("0.1"), Decimal("50.00"), 6,
    )  # fmt: skip
    assert (params.agreement_budget, params.manufacturer_budget) == (Decimal(170), Decimal(340))
    assert (params.count_scale, params.money_scale_cents) == (10.0, 50000.0)
    assert check_min_members() == [] and check_privacy_settings() == []


@pytest.mark.parametrize("k", [5, 10, 25])
def test_any_threshold_of_at_least_5_is_accepted(settings, k):
    settings.REPORT_MIN_MEMBERS = k
    assert check_min_members() == []
    assert privacy_settings().threshold == k


@pytest.mark.parametrize("k", [4, 1, 0, -3, "10", None, True])
def test_a_threshold_below_5_stops_the_start_and_every_release(settings, k):
    settings.REPORT_MIN_MEMBERS = k
    (error,) = check_min_members()
    assert error.id == "portal.E001" and error.is_serious()
    with pytest.raises(ImproperlyConfigured):
        privacy_settings()


@pytest.mark.parametrize(
    "name, value",
    [
        ("PORTAL_DP_EPSILON_PER_FIGURE", "0"),
        ("PORTAL_DP_EPSILON_PER_FIGURE", "2"),  # noise under one member
        ("PORTAL_DP_EPSILON_PER_FIGURE", "lots"),
        ("PORTAL_DP_MONEY_CAP", "0.50"),
        ("PORTAL_DP_MAX_CATEGORIES", 0),
        ("PORTAL_DP_AGREEMENT_BUDGET", "-1"),
        ("PORTAL_DP_MANUFACTURER_BUDGET", "NaN"),
    ],
)
def test_an_unusable_privacy_setting_stops_the_start(settings, name, value):
    setattr(settings, name, value)
    (error,) = check_privacy_settings()
    assert error.id == "portal.E002" and name in error.msg
    assert "portal.E002" in {m.id for m in checks.run_checks(tags=[checks.Tags.security])}

"""The release layer: noise from OpenDP, the threshold after noise, the budgets, once only."""

from __future__ import annotations

import datetime as dt
import statistics
import threading
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import connection

from apps.portal import privacy, selectors, services
from apps.portal.models import PrivacyBudget, Release
from apps.portal.periods import Period
from apps.portal.report import Report, Withheld
from tests.portal.conftest import AFTER, MARCH


def release(world, period=MARCH, today=AFTER, user=None) -> Release:
    return services.release_month(
        agreement=world["agreement"],
        period=period,
        categories=[world["ketchup"], world["mustard"]],
        user=user,
        today=today,
    )


def spent() -> dict:
    return {b.agreement_id is None and "maker" or "agreement": b.spent
            for b in PrivacyBudget.objects.all()}  # fmt: skip


@pytest.fixture
def no_noise(monkeypatch):
    """OpenDP's sampler replaced by one that adds nothing (to check the layout by hand)."""

    def exact(values, *, sensitivity, scale):
        return list(values), sensitivity / scale

    monkeypatch.setattr(privacy, "_laplace", exact)


# OpenDP's noise ------------------------------------------------------------------------------


def test_counts_get_discrete_laplace_noise_of_scale_one_over_epsilon():
    params = privacy.privacy_settings()  # ε 0.1 a figure: scale 10 members, $500 for money
    noised = privacy.add_noise(
        {f"c{i}": 50 for i in range(4000)}, {"m": 0},
        count_sensitivity=36, money_sensitivity=18, params=params,
    )  # fmt: skip
    errors = [v - 50 for v in noised.counts.values()]
    assert all(isinstance(v, int) for v in noised.counts.values())
    # Discrete Laplace(10): mean |X| = 2α/(1−α²) with α = e^−0.1, i.e. 9.98; mean 0.
    assert 9.3 < statistics.mean(abs(e) for e in errors) < 10.7
    assert abs(statistics.mean(errors)) < 0.8
    # 90 % within ±23 members (privacy.interval), a bound the page quotes.
    assert privacy.interval(10.0) == 23
    assert 0.88 < sum(abs(e) <= 23 for e in errors) / len(errors) < 0.92
    # ε: (36 + 18) figures × 0.1, which OpenDP's privacy map confirms.
    assert noised.epsilon == Decimal("5.4000")


def test_the_noise_is_fresh_on_each_draw():
    params = privacy.privacy_settings()
    draws = [privacy.add_noise({"c": 5}, {}, count_sensitivity=1, money_sensitivity=0,
                               params=params).counts["c"] for _ in range(50)]  # fmt: skip
    assert len(set(draws)) > 5


# One release per month ------------------------------------------------------------------------


def test_a_release_is_stored_once_and_charged_once(world, marketing_user):
    first = release(world, user=marketing_user)
    assert first.epsilon == Decimal("5.4000")  # 54 figures a member can touch × 0.1
    assert spent() == {"maker": Decimal("5.4000"), "agreement": Decimal("5.4000")}
    again = release(world)
    assert again.pk == first.pk and Release.objects.count() == 1
    assert spent() == {"maker": Decimal("5.4000"), "agreement": Decimal("5.4000")}
    assert again.content == first.content
    # Another month is another release, charged again.
    release(world, period=Period.month(2026, 2))
    assert spent() == {"maker": Decimal("10.8000"), "agreement": Decimal("10.8000")}
    assert selectors.budget_drift() == []  # the kept totals match the releases


def test_a_month_not_ended_or_outside_the_term_is_refused(world):
    with pytest.raises(ValidationError, match="once it has ended, from Apr 1, 2026"):
        release(world, today=dt.date(2026, 3, 31))
    with pytest.raises(ValidationError, match="outside the agreement's term"):
        release(world, period=Period.month(2025, 12))
    assert Release.objects.count() == 0
    assert not PrivacyBudget.objects.filter(spent__gt=0).exists()


def test_a_spent_budget_refuses_a_new_release_and_keeps_the_old_ones(world, settings):
    settings.PORTAL_DP_AGREEMENT_BUDGET = "12"
    first, second = release(world), release(world, period=Period.month(2026, 2))
    assert spent()["agreement"] == Decimal("10.8000")
    with pytest.raises(services.BudgetSpent, match=r"privacy budget of this agreement is spent"):
        release(world, period=Period.month(2026, 1))  # needs 5.4, 1.2 left
    assert Release.objects.count() == 2
    assert spent() == {"maker": Decimal("10.8000"), "agreement": Decimal("10.8000")}
    assert release(world).pk == first.pk  # released months stay available, at no cost
    assert release(world, period=Period.month(2026, 2)).pk == second.pk
    # The manufacturer's budget refuses too, whichever agreement asks.
    PrivacyBudget.objects.filter(agreement=world["agreement"]).update(limit=Decimal("100"))
    PrivacyBudget.objects.filter(agreement__isnull=True).update(limit=Decimal("15"))
    with pytest.raises(services.BudgetSpent, match="privacy budget of your company is spent"):
        release(world, period=Period.month(2026, 1))


def test_the_threshold_applies_to_the_noisy_counts(world, no_noise):
    k, m = world["ketchup"].pk, world["mustard"].pk
    report = Report(release(world))
    # Without noise the noisy counts are the true ones: under 10 members is withheld.
    assert report.figure(f"sales/total/{k}/buyers") == 15
    assert report.figure(f"sales/total/{k}/sales") == Decimal("46.49")
    assert report.figure(f"sales/yours/{k}/buyers") == Withheld(10)  # 6 buyers
    assert report.figure(f"sales/yours/{k}/sales") == Withheld(10)  # the same members
    assert report.figure(f"sales/national/{m}/sales") == Decimal("20.00")  # 10 buyers
    sales = report.sales_section()
    ketchup = sales.rows[0]
    assert ketchup["store"] == Withheld(10) and ketchup["your_share"] == Withheld(10)
    # The withheld figures of the table, added up: yours 12.00 + 5.00, national 14.00 in
    # Ketchup, store 20.49 + 0; buyers of your brands 6 + 5 = 11 ≥ 10, so they show.
    other = sales.other
    assert other["label"] == "Withheld figures together"
    assert other["yours"] == Decimal("17.00") and other["your_buyers"] == 11
    assert other["national"] == Withheld(10)  # 4 members
    assert other["store"] == Withheld(10)  # 8 + 0 members


def test_noisy_figures_are_what_is_shown_and_negative_noise_shows_as_zero(world, monkeypatch):
    def shifted(values, *, sensitivity, scale):
        return [v + (20 if scale < 100 else -1_000_000) for v in values], sensitivity / scale

    monkeypatch.setattr(privacy, "_laplace", shifted)
    k = world["ketchup"].pk
    report = Report(release(world))
    assert report.figure(f"sales/yours/{k}/buyers") == 26  # 6 + 20: shown, above 10
    assert report.figure(f"sales/yours/{k}/sales") == 0  # 12.00 − 10,000.00, floored


@pytest.mark.django_db(transaction=True)
def test_concurrent_requests_release_a_month_once(world):
    results, errors = [], []
    barrier = threading.Barrier(4)

    def ask():
        try:
            barrier.wait(timeout=10)
            results.append(release(world).pk)
        except Exception as error:  # noqa: BLE001 - reported below
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=ask) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert errors == [] and len(results) == 4 and len(set(results)) == 1
    assert Release.objects.count() == 1
    assert spent() == {"maker": Decimal("5.4000"), "agreement": Decimal("5.4000")}


def test_one_quantity_is_one_figure_wherever_it_shows(world, no_noise):
    k = world["ketchup"].pk
    report = Report(release(world))
    cells = report.category_sections(k)["buyers_by_cell"]
    outside = next(r for r in cells.rows if r["key"] == "none")
    # m6 is the one buyer outside the snapshot: its cell, its row and its column are one
    # figure (withheld here, 1 member); the grid's total is the sales table's 6 buyers.
    assert outside["_keys"]["0"] == outside["_keys"]["total"] == cells.total["_keys"]["0"]
    assert cells.total["_keys"]["total"] == f"sales/yours/{k}/buyers"
    # Where nobody redeemed, nobody redeemed: the statements say so (0, not a noisy count).
    (ketchup, mustard) = report.redemption_category_section().rows
    assert (ketchup["redemptions"], ketchup["members"]) == (0, 0)


def test_the_cost_shown_before_a_release_is_what_it_charges(world):
    cost = services.release_cost(
        agreement=world["agreement"], categories=[world["ketchup"], world["mustard"]]
    )
    assert (cost.epsilon, cost.agreement_left, cost.manufacturer_left) == (
        Decimal("5.4000"), Decimal("170"), Decimal("340"),
    )  # fmt: skip
    assert PrivacyBudget.objects.count() == 0  # the preview writes nothing
    assert release(world).epsilon == cost.epsilon
    after = services.release_cost(
        agreement=world["agreement"], categories=[world["ketchup"], world["mustard"]]
    )
    assert (after.agreement_left, after.manufacturer_left) == (Decimal("164.6"), Decimal("334.6"))


def test_staff_see_and_set_the_budgets_in_the_admin(client, world, admin_user_):
    release(world)
    client.force_login(admin_user_)
    listing = client.get("/admin/portal/privacybudget/").content.decode()
    assert "ε 5.4000 of 170" in listing and "ε 5.4000 of 340" in listing
    budget = PrivacyBudget.objects.get(agreement=world["agreement"])
    page = client.get(f"/admin/portal/privacybudget/{budget.pk}/change/")
    assert page.status_code == 200
    client.post(f"/admin/portal/privacybudget/{budget.pk}/change/", {"limit": "200"})
    budget.refresh_from_db()
    assert (budget.limit, budget.spent) == (Decimal("200"), Decimal("5.4"))
    assert client.get("/admin/portal/release/").status_code == 200

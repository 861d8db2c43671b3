"""The one release layer: every figure a manufacturer sees is published here, once.

`release_month` computes the month's exact, bounded figures (`apps.portal.figures`), adds
OpenDP's noise (`apps.portal.privacy`), withholds noisy counts under the threshold, and
stores the result with its ε charged to the agreement's and the manufacturer's budgets, in
one transaction. Both budget rows are locked (`SELECT … FOR UPDATE`) before anything is
drawn, and the release is looked up again under the lock: of two concurrent requests for
the same month, the second waits and then returns the first one's release, so the month
never gets two different noisy answers (an average of two would leak) and is charged once.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F, Q
from django.utils.translation import gettext, gettext_lazy

from apps.agreements.models import ManufacturerAgreement
from apps.portal import figures, privacy
from apps.portal.dates import day_text
from apps.portal.models import PrivacyBudget, Release
from apps.portal.periods import Period


class BudgetSpent(ValidationError):
    """A new release would spend more ε than a budget has left."""


@dataclass(frozen=True)
class Cost:
    """What releasing a month would spend, and what the two budgets have left."""

    epsilon: Decimal
    agreement_left: Decimal
    manufacturer_left: Decimal

    @property
    def affordable(self) -> bool:
        return self.epsilon <= min(self.agreement_left, self.manufacturer_left)


def budgets_ensure(*, agreement: ManufacturerAgreement) -> tuple[PrivacyBudget, PrivacyBudget]:
    """Return the manufacturer's and the agreement's budgets, made with the defaults if new."""
    params = privacy.privacy_settings()
    rows = []
    for scope, limit in (({"agreement": None}, params.manufacturer_budget),
                         ({"agreement": agreement}, params.agreement_budget)):  # fmt: skip
        try:
            with transaction.atomic():
                budget, _ = PrivacyBudget.objects.get_or_create(
                    manufacturer_id=agreement.manufacturer_id, **scope, defaults={"limit": limit}
                )
        except IntegrityError:  # made by a concurrent request in between
            budget = PrivacyBudget.objects.get(manufacturer_id=agreement.manufacturer_id, **scope)
        rows.append(budget)
    return rows[0], rows[1]


def release_cost(*, agreement: ManufacturerAgreement, categories: list) -> Cost:
    """Return what a month's release of the agreement costs now (the preview of the button).

    Reads only (a page's GET): a budget not made yet has its default limit, nothing spent.
    """
    params = privacy.privacy_settings()
    plan = figures.Plan(
        categories=[(c.pk, c.name) for c in categories],
        weeks=[],
        max_categories=params.max_categories,
    )
    epsilon = privacy.release_epsilon(
        count_sensitivity=plan.count_sensitivity,
        money_sensitivity=plan.money_sensitivity,
        params=params,
    )
    rows = {
        b.agreement_id: b
        for b in PrivacyBudget.objects.filter(manufacturer_id=agreement.manufacturer_id).filter(
            Q(agreement__isnull=True) | Q(agreement=agreement)
        )
    }
    own, maker = rows.get(agreement.pk), rows.get(None)
    return Cost(
        epsilon,
        own.left if own else params.agreement_budget,
        maker.left if maker else params.manufacturer_budget,
    )


@transaction.atomic
def release_month(
    *, agreement: ManufacturerAgreement, period: Period, categories: list, user, today: dt.date
) -> Release:
    """Return the month's release, making it (and charging both budgets) if it is new.

    Refuses a month that has not ended, one outside the agreement's term, and a release the
    budgets cannot pay for (BudgetSpent): nothing is stored or charged then.
    """
    found = Release.objects.filter(agreement=agreement, period_start=period.start).first()
    if found is not None:
        return found
    if period.end >= today:
        raise ValidationError(
            gettext("%(month)s can be released once it has ended, from %(day)s.")
            % {"month": period.label, "day": day_text(period.end + dt.timedelta(days=1))}
        )
    if period.end < agreement.valid_from or period.start > agreement.valid_until:
        raise ValidationError(
            gettext("%(month)s is outside the agreement's term.") % {"month": period.label}
        )
    budgets_ensure(agreement=agreement)
    # Lock the maker's row first, then the agreement's: one order, so no deadlock.
    maker = PrivacyBudget.objects.select_for_update().get(
        manufacturer_id=agreement.manufacturer_id, agreement__isnull=True
    )
    own = PrivacyBudget.objects.select_for_update().get(agreement=agreement)
    found = Release.objects.filter(agreement=agreement, period_start=period.start).first()
    if found is not None:
        return found
    params = privacy.privacy_settings()
    plan = figures.agreement_plan(
        agreement=agreement,
        categories=categories,
        period=period,
        cap=params.money_cap,
        max_categories=params.max_categories,
    )
    cost = privacy.release_epsilon(
        count_sensitivity=plan.count_sensitivity,
        money_sensitivity=plan.money_sensitivity,
        params=params,
    )
    whose_budget = (
        (own, gettext_lazy("The privacy budget of this agreement is spent")),
        (maker, gettext_lazy("The privacy budget of your company is spent")),
    )
    for budget, spent in whose_budget:
        if budget.spent + cost > budget.limit:
            raise BudgetSpent(
                gettext(
                    "%(spent)s: releasing %(month)s needs ε %(cost)s, and ε %(left)s of "
                    "%(limit)s is left. Months already released stay available; ask the "
                    "chain to review the budget."
                )
                % {
                    "spent": spent,
                    "month": period.label,
                    "cost": cost,
                    "left": budget.left,
                    "limit": budget.limit,
                }  # fmt: skip
            )
    noised = privacy.add_noise(
        plan.counts,
        plan.money,
        count_sensitivity=plan.count_sensitivity,
        money_sensitivity=plan.money_sensitivity,
        params=params,
    )
    withheld = sorted(k for k, v in noised.counts.items() if v < params.threshold)
    withheld_set = set(withheld)
    withheld += sorted(k for k, basis in plan.basis.items() if basis in withheld_set)
    release = Release.objects.create(
        agreement=agreement,
        period_start=period.start,
        period_end=period.end,
        epsilon=noised.epsilon,
        released_by=user,
        params={
            "epsilon_per_figure": str(params.epsilon_per_figure),
            "money_cap": str(params.money_cap),
            "max_categories": params.max_categories,
            "threshold": params.threshold,
            "count_scale": params.count_scale,
            "money_scale_cents": params.money_scale_cents,
            "count_interval": privacy.interval(params.count_scale),
            "money_interval_cents": privacy.interval(params.money_scale_cents),
            "count_sensitivity": plan.count_sensitivity,
            "money_sensitivity": plan.money_sensitivity,
            "mechanism": "OpenDP make_laplace (discrete Laplace), pure ε-DP, basic composition",
        },
        content={
            "categories": [list(c) for c in plan.categories],
            "weeks": [w.isoformat() for w in plan.weeks],
            "notes": plan.notes,
            "exact": plan.exact,
            "counts": noised.counts,
            "money": noised.money,
            "withheld": withheld,
        },
    )
    PrivacyBudget.objects.filter(pk__in=[own.pk, maker.pk]).update(spent=F("spent") + cost)
    return release

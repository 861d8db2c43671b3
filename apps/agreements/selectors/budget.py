"""An agreement's budget: what its campaigns commit and what redemptions used of its cap."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from apps.agreements.models import ManufacturerAgreement
from apps.agreements.selectors.common import ZERO, _rows
from apps.core.clock import local_midnight

# Two figures, each with one definition and one label on every page (never a bare "left"):
# the campaign form checks what is not yet *committed* (the share of its campaigns' budgets:
# money promised, whether spent or not), a statement shows what is not yet *used* (live
# shares the tills charged, the cap the checkout enforces). A campaign's spend never exceeds
# its budget, so what is used never exceeds what is committed to the campaigns that used it.
BUDGET_LABELS = {
    "cap": _("Budget cap"),
    "committed": _("Committed to campaigns"),
    "uncommitted": _("Not yet committed"),
    "used": _("Used by redemptions"),
    "unused": _("Not yet used"),
}

# Committed: the agreement's campaigns' budgets (but the one being checked); used: the
# live shares of redemptions bought up to end_at (all of them without one), as cap_used.
BUDGET_SQL = """
SELECT (SELECT coalesce(sum(c.budget), 0) FROM campaigns_campaign c
        WHERE c.agreement_id = %(agreement_id)s
          AND (%(exclude_id)s::bigint IS NULL OR c.id <> %(exclude_id)s::bigint)) AS budgets,
       (SELECT coalesce(sum(r.manufacturer_share), 0)
        FROM checkout_redemption r
        WHERE r.agreement_id = %(agreement_id)s AND r.reversed_at IS NULL
          AND (%(end_at)s::timestamptz IS NULL OR r.purchased_at < %(end_at)s::timestamptz))
           AS used
"""

CENT = Decimal("0.01")


@dataclass(frozen=True)
class AgreementBudget:
    """An agreement's budget cap, what its campaigns commit and what redemptions used."""

    cap: Decimal
    share_pct: Decimal
    committed: Decimal
    used: Decimal
    used_until: dt.date | None = None  # the last day counted; None: every redemption so far

    @property
    def uncommitted(self) -> Decimal:
        """Return the cap not yet promised to campaigns (never below 0)."""
        return max(self.cap - self.committed, ZERO)

    @property
    def unused(self) -> Decimal:
        """Return the cap the tills have not charged yet (never below 0)."""
        return max(self.cap - self.used, ZERO)

    def share_of(self, budget: Decimal) -> Decimal:
        """Return the manufacturer's share of a campaign budget, to the cent."""
        return (budget * self.share_pct / 100).quantize(CENT)


def agreement_budget(
    *,
    agreement: ManufacturerAgreement,
    used_until: dt.date | None = None,
    exclude_campaign_id: int | None = None,
) -> AgreementBudget:
    """Return the agreement's cap, committed share (its campaigns' budgets) and used share.

    `used_until` counts redemptions bought up to that day (a statement's period end);
    `exclude_campaign_id` leaves out the campaign being checked, as the campaign form needs.
    Committed is the share of the campaigns' summed budgets, rounded to the cent once.
    """
    end_at = local_midnight(used_until + dt.timedelta(days=1)) if used_until else None
    params = {"agreement_id": agreement.pk, "exclude_id": exclude_campaign_id, "end_at": end_at}
    (row,) = _rows(BUDGET_SQL, params)
    budgets, used = row["budgets"], row["used"]
    return AgreementBudget(
        cap=agreement.budget_cap,
        share_pct=agreement.manufacturer_share_pct,
        committed=(budgets * agreement.manufacturer_share_pct / 100).quantize(CENT),
        used=used,
        used_until=used_until,
    )


def agreement_budget_errors(*, agreement: ManufacturerAgreement, campaign) -> list[str]:
    """Return why the campaign's share of its budget does not fit in what is not yet committed.

    The campaign form's check (apps.campaigns.validation.campaign_funding_errors calls it),
    worded with the labels every page uses for the two figures.
    """
    if campaign.budget is None:
        return []
    budget = agreement_budget(agreement=agreement, exclude_campaign_id=campaign.pk)
    needed = budget.share_of(campaign.budget)
    if budget.committed + needed <= budget.cap:
        return []
    # The labels are the ones every page shows (BUDGET_LABELS), in the sentence's own words.
    return [
        gettext(
            "The manufacturer's share of this budget (%(needed)s) is more than the "
            "agreement's budget not yet committed: %(uncommitted)s of its %(cap)s cap "
            "(%(committed)s committed to campaigns). Used by redemptions so far: %(used)s; "
            "not yet used: %(unused)s."
        )
        % {
            "needed": f"${needed:,.2f}",
            "uncommitted": f"${budget.uncommitted:,.2f}",
            "cap": f"${budget.cap:,.2f}",
            "committed": f"${budget.committed:,.2f}",
            "used": f"${budget.used:,.2f}",
            "unused": f"${budget.unused:,.2f}",
        }
    ]

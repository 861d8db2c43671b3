"""Through the real POS API: what the till charged the agreement is what the statement claims."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal as D

from apps.agreements import selectors, services
from tests.checkout.conftest import body, chain, post  # noqa: F401 - `chain` is a fixture
from tests.checkout.test_returns import give_back, ret


def march(chain, user):  # noqa: F811
    return services.statement_create(
        agreement=chain["agreement"], period_start=dt.date(2026, 3, 1),
        period_end=dt.date(2026, 3, 31), user=user,
    )  # fmt: skip


def period(statement) -> tuple:
    s = selectors.statement_claim(statement=statement).sections["period"]
    return s["redemptions"], s["discount"], s["share"], s["not_charged"], s["not_charged_discount"]


def test_a_till_redemption_is_claimed_at_its_share(chain, marketing_user):  # noqa: F811
    assert post(chain["secret"], body()).status_code == 200
    statement = march(chain, marketing_user)
    # $0.75 off two Heinz, Acme pays 50 %: 0.375 → 0.38 (half-up). The own-brand offer
    # has no agreement: not on Acme's statement.
    assert period(statement) == (1, D("0.75"), D("0.38"), 0, D("0"))
    statement = services.statement_send(statement_id=statement.pk, user=marketing_user)
    assert statement.amount_due == D("0.38")


def test_a_redemption_beyond_the_cap_is_not_charged(chain, marketing_user):  # noqa: F811
    chain["agreement"].budget_cap = D("0.00")
    chain["agreement"].save()
    answer = post(chain["secret"], body()).json()
    assert [r["manufacturer_share"] for r in answer["redemptions"]] == ["0.00", "0.00"]
    statement = march(chain, marketing_user)
    assert period(statement) == (1, D("0.75"), D("0"), 1, D("0.75"))
    assert selectors.statement_overview(statement=statement).amount_due == D("0")


def test_a_return_at_the_till_takes_the_redemption_off_the_draft(chain, marketing_user):  # noqa: F811
    assert post(chain["secret"], body()).status_code == 200
    assert give_back(chain["secret"], ret()).status_code == 200  # reverses the Heinz offer
    statement = march(chain, marketing_user)
    assert period(statement) == (0, D("0"), D("0"), 0, D("0"))
    overview = selectors.statement_overview(statement=statement)
    assert (overview.reversed_count, overview.reversed_discount) == (1, D("0.75"))
    assert (overview.cap_used, overview.cap_left) == (D("0"), D("100.00"))

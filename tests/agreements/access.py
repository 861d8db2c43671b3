"""Access-matrix rows of the settlement pages (tests/test_access_matrix.py merges them).

Marketing manages every statement. A manufacturer's users read the sent and paid statements
of their own manufacturer's agreements: the sample one is Acme's, so Bolt gets the 404 a
missing statement gets (an answer that tells nothing about which statements exist).
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.utils import timezone

from tests.access_rules import MARKETING, NOT_ALLOWED, page

READERS = (*MARKETING, "manufacturer_a", "manufacturer_b")
ACME_ONLY = {**page(*MARKETING, "manufacturer_a"), "manufacturer_b": 404}

EXPECTED = {
    "settlement:list": page(*READERS),  # each manufacturer sees its own statements only
    "settlement:create": page(*MARKETING),
    "settlement:detail": ACME_ONLY,
    "settlement:edit": page(*MARKETING),
    "settlement:csv": ACME_ONLY,
    "settlement:send": page(*MARKETING, ok=NOT_ALLOWED),  # POST only
    "settlement:paid": page(*MARKETING, ok=NOT_ALLOWED),
}

SAMPLE_KWARGS = {
    "settlement:detail": lambda o: {"pk": o["sent_statement"].pk},
    "settlement:csv": lambda o: {"pk": o["sent_statement"].pk},
    "settlement:edit": lambda o: {"pk": o["draft_statement"].pk},
    "settlement:send": lambda o: {"pk": o["draft_statement"].pk},
    "settlement:paid": lambda o: {"pk": o["sent_statement"].pk},
}


def add_sample_objects(objects: dict) -> None:
    from apps.agreements.models import SettlementStatement
    from tests.factories import AgreementFactory, ManufacturerFactory

    acme = ManufacturerFactory(code="ACME", name="Acme Foods")
    agreement = AgreementFactory(manufacturer=acme, name="Acme 2026")
    objects["sent_statement"] = SettlementStatement.objects.create(
        agreement=agreement,
        period_start=dt.date(2026, 2, 1),
        period_end=dt.date(2026, 2, 28),
        status="sent",
        sent_at=timezone.now(),
        amount_due=Decimal("12.50"),
        budget_cap=Decimal("10000"),
        cap_used=Decimal("12.50"),
        reversed_count=0,
        reversed_discount=Decimal("0"),
    )
    objects["draft_statement"] = SettlementStatement.objects.create(
        agreement=agreement, period_start=dt.date(2026, 3, 1), period_end=dt.date(2026, 3, 31)
    )

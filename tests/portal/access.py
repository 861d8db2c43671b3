"""Who may open the manufacturer portal's pages (merged into tests/test_access_matrix.py).

The sample agreement belongs to manufacturer_a (ACME): its user sees it, manufacturer_b's
user gets the 404 a missing page gets (nothing about what exists), marketing and admins see
what the maker sees. Releasing is a POST: a GET is 405 for everyone allowed in, and another
maker gets the 404.
"""

from __future__ import annotations

from django.utils import timezone

from apps.agreements.models import AgreementStatus
from apps.portal.periods import agreement_months
from apps.portal.services import release_month
from tests.access_rules import MARKETING, NOT_ALLOWED, page
from tests.factories import AgreementFactory, CategoryFactory, ManufacturerFactory

OWN_MAKER = {**page("manufacturer_a", *MARKETING), "manufacturer_b": 404}

EXPECTED = {
    "portal:index": page("manufacturer_a", "manufacturer_b", *MARKETING),
    "portal:manufacturer": OWN_MAKER,
    "portal:agreement": OWN_MAKER,
    "portal:agreement_export": OWN_MAKER,
    # Another maker's agreement is a 404 before the method is looked at.
    "portal:agreement_release": {
        **page("manufacturer_a", *MARKETING, ok=NOT_ALLOWED),
        "manufacturer_b": 404,
    },
    "portal:category": OWN_MAKER,
    "portal:category_export": OWN_MAKER,
}

SAMPLE_KWARGS = {
    "portal:manufacturer": lambda o: {"code": o["portal_agreement"].manufacturer.code},
    "portal:agreement": lambda o: {"pk": o["portal_agreement"].pk},
    "portal:agreement_export": lambda o: {"pk": o["portal_agreement"].pk},
    "portal:agreement_release": lambda o: {"pk": o["portal_agreement"].pk},
    "portal:category": lambda o: {
        "pk": o["portal_agreement"].pk,
        "category_id": o["portal_category"].pk,
    },
    "portal:category_export": lambda o: {
        "pk": o["portal_agreement"].pk,
        "category_id": o["portal_category"].pk,
    },
}


def add_sample_objects(objects: dict) -> None:
    acme = ManufacturerFactory(code="ACME", name="Acme Foods")  # manufacturer_a's maker
    category = CategoryFactory(name="Ketchup")
    today = timezone.localdate()
    agreement = AgreementFactory(
        manufacturer=acme, status=AgreementStatus.ACTIVE, reporting_included=True
    )
    agreement.categories.set([category])
    # The pages show the latest ended month: release it, as its button would.
    latest = agreement_months(agreement, today=today)[0]
    release_month(agreement=agreement, period=latest, categories=[category], user=None,
                  today=today)  # fmt: skip
    objects["portal_agreement"] = agreement
    objects["portal_category"] = category

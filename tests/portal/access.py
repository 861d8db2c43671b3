"""Who may open the manufacturer portal's pages (merged into tests/test_access_matrix.py).

The sample agreement belongs to manufacturer_a (ACME): its user sees it, manufacturer_b's
user is refused (403), marketing and admins see what the maker sees.
"""

from __future__ import annotations

from apps.agreements.models import AgreementStatus
from tests.access_rules import MARKETING, page
from tests.factories import AgreementFactory, CategoryFactory, ManufacturerFactory

OWN_MAKER = page("manufacturer_a", *MARKETING)

EXPECTED = {
    "portal:index": page("manufacturer_a", "manufacturer_b", *MARKETING),
    "portal:manufacturer": OWN_MAKER,
    "portal:agreement": OWN_MAKER,
    "portal:agreement_export": OWN_MAKER,
    "portal:category": OWN_MAKER,
    "portal:category_export": OWN_MAKER,
}

SAMPLE_KWARGS = {
    "portal:manufacturer": lambda o: {"code": o["portal_agreement"].manufacturer.code},
    "portal:agreement": lambda o: {"pk": o["portal_agreement"].pk},
    "portal:agreement_export": lambda o: {"pk": o["portal_agreement"].pk},
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
    agreement = AgreementFactory(
        manufacturer=acme, status=AgreementStatus.ACTIVE, reporting_included=True
    )
    agreement.categories.set([category])
    objects["portal_agreement"] = agreement
    objects["portal_category"] = category

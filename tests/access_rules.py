"""The vocabulary of the access matrix: personas and expected statuses.

Apps add their pages' rows in `tests/<app>/access.py` (EXPECTED, optional SAMPLE_KWARGS and
`add_sample_objects(objects)`); `tests/test_access_matrix.py` merges them.
"""

from __future__ import annotations

PERSONAS = (
    "anonymous",
    "cashier",
    "marketing",
    "manufacturer_a",
    "manufacturer_b",
    "privacy",
    "admin",
)

OK = 200
DENIED = 403
TO_LOGIN = "302 → login"  # a redirect to the sign-in page, with ?next=
REDIRECT = "302"  # any redirect
NOT_ALLOWED = 405
UNAUTHORIZED = 401  # API endpoints: no till token, whoever is signed in


def page(*allowed: str, ok: int | str = OK) -> dict[str, int | str]:
    """Expectations of a signed-in page: the personas allowed get `ok`, the others 403."""
    unknown = set(allowed) - set(PERSONAS)
    assert not unknown, unknown
    return {
        p: TO_LOGIN if p == "anonymous" else ok if p in allowed or p == "admin" else DENIED
        for p in PERSONAS
    }


def everyone(status: int | str) -> dict[str, int | str]:
    return dict.fromkeys(PERSONAS, status)


SIGNED_IN = ("cashier", "marketing", "manufacturer_a", "manufacturer_b", "privacy", "admin")
MARKETING = ("marketing",)  # admins are always allowed
TILL = ("cashier", "marketing")
PRIVACY = ("privacy",)  # data-rights pages: the privacy officer (and admins)

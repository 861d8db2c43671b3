"""Access-matrix rows of the checkout app's URLs (merged by tests/test_access_matrix.py)."""

from __future__ import annotations

from tests.access_rules import OK, UNAUTHORIZED, everyone

EXPECTED = {
    # The POS API authenticates tills by bearer token only; a staff session is not enough.
    "checkout:checkout": everyone(UNAUTHORIZED),
    "checkout:return": everyone(UNAUTHORIZED),
    # Public: the schema holds no secret; tools and till vendors read it without a token.
    "checkout:openapi": everyone(OK),
}

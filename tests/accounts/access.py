"""Access-matrix rows of the accounts pages: the language switch (POST, from every navbar) and
the scripts' message catalog."""

from __future__ import annotations

from tests.access_rules import NOT_ALLOWED, OK, everyone

EXPECTED = {
    # Open to everyone, the sign-in page's visitor too: a GET is refused, whoever asks.
    "set_language": everyone(NOT_ALLOWED),
    # The scripts' message catalog: every page loads it, the sign-in page's too.
    "javascript_catalog": everyone(OK),
}

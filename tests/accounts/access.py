"""Access-matrix rows of the accounts pages: the language switch (POST, from every navbar)."""

from __future__ import annotations

from tests.access_rules import NOT_ALLOWED, everyone

EXPECTED = {
    # Open to everyone, the sign-in page's visitor too: a GET is refused, whoever asks.
    "set_language": everyone(NOT_ALLOWED),
}

"""The words a list writes itself, in each member's language.

Most of a list is data as someone entered it: product names, an offer's text for shoppers,
tips and recipes. A few lines the list composes: the reward ("Thank you: $10 off your
shopping") and an offer's heading ("Ketchup: our own brand"). They are written when the list
is made, in its member's language (`Member.language`), so the list reads the same on paper,
in the PDF and on the cashier's screen afterwards. The SQL that writes them picks each
member's words from the JSON object `list_words()` returns, by language code, falling back
to English; placeholders stay in Python's `%(name)s` form and the SQL replaces them.
"""

from __future__ import annotations

import json

from django.conf import settings
from django.utils import translation
from django.utils.translation import gettext, ngettext


def _words() -> dict[str, str]:
    return {
        "reward": gettext("Thank you: %(amount)s off your shopping"),
        "coupons_one": ngettext(
            "In %(count)s coupon of %(step)s, one a visit.",
            "In %(count)s coupons of %(step)s, one a visit.",
            1,
        ),
        "coupons_other": ngettext(
            "In %(count)s coupon of %(step)s, one a visit.",
            "In %(count)s coupons of %(step)s, one a visit.",
            2,
        ),
        "offer": gettext("%(category)s: %(what)s"),
        "own_brand": gettext("our own brand"),
        "national_brands": gettext("national brands"),
    }


def list_words() -> str:
    """{language code: {word: text}} for every language of the product, as JSON for SQL."""
    words = {}
    for code, _name in settings.LANGUAGES:
        with translation.override(code):
            words[code] = _words()
    return json.dumps(words, ensure_ascii=False)

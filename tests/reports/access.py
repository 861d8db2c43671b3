"""Access rows of the report pages: marketing (and admins) only, like the data behind them."""

from tests.access_rules import MARKETING, NOT_ALLOWED, REDIRECT, page

EXPECTED = {
    "reports:index": page(*MARKETING, ok=REDIRECT),
    "reports:loyalty": page(*MARKETING),
    "reports:redemption": page(*MARKETING),
    "reports:refresh": page(*MARKETING, ok=NOT_ALLOWED),  # POST only
}

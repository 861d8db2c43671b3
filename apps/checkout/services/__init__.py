"""Writes of the checkout app: till tokens, and recording till sales and returns exactly once.

One module a step, in the order a sale takes them:
- claim.py — insert the transaction's row first: exactly once, or the stored answer again;
- shopper.py — who is at the till: the member and list a scan names;
- offers.py — which of the list's offers apply to which lines (slots, holdout, the rule);
- funding.py — campaign budgets, manufacturer shares and caps, and their running totals;
- sale.py — checkout_record: the steps above, the basket (apps.baskets.services), the
  redemptions, the answer;
- tenders.py — certificates and points paying part of a sale; a return's share of each;
- refunds.py / returns.py — return_record: what a return refunds and which offers it undoes;
- tokens.py — till tokens; amounts.py — rounding to the cent, quantities in answers.
"""

from __future__ import annotations

from apps.baskets.services import BasketIdTaken
from apps.checkout.services.claim import CheckoutConflict, body_hash
from apps.checkout.services.returns import ReturnInvalid, return_record
from apps.checkout.services.sale import checkout_record
from apps.checkout.services.tenders import TenderRefused
from apps.checkout.services.tokens import till_token_create

__all__ = [
    "BasketIdTaken",
    "CheckoutConflict",
    "ReturnInvalid",
    "TenderRefused",
    "body_hash",
    "checkout_record",
    "return_record",
    "till_token_create",
]

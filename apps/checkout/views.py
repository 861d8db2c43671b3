"""POS API: JSON over HTTP, authenticated by a per-till bearer token.

Every answer of these endpoints is JSON and described in the OpenAPI schema
(`GET /api/pos/openapi.json`, built in apps/checkout/openapi/).
"""

from __future__ import annotations

from collections.abc import Callable

from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import RequestDataTooBig
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.views.decorators.csrf import csrf_exempt

from apps.checkout.models import TillToken
from apps.checkout.openapi import schema_json
from apps.checkout.selectors import till_token_for_header
from apps.checkout.services import (
    BasketIdTaken,
    CheckoutConflict,
    ReturnInvalid,
    TenderRefused,
    checkout_record,
    return_record,
)
from apps.checkout.validation import MAX_BODY_BYTES, parse_checkout, parse_return

CONFLICT = "This transaction id was already used with a different body."
TOO_LARGE = f"The request body must be at most {MAX_BODY_BYTES} bytes."


def _error(status: int, message: str, headers: dict[str, str] | None = None) -> JsonResponse:
    return JsonResponse({"error": message}, status=status, headers=headers)


def _answer(answer: dict) -> JsonResponse:
    # Keys sorted: a replay (read back from jsonb, which reorders keys) is byte-identical.
    return JsonResponse(answer, json_dumps_params={"sort_keys": True})


def _till_post(
    request: HttpRequest, handle: Callable[[TillToken, bytes], JsonResponse]
) -> JsonResponse:
    """Check, in this order, the token (401), method (405), type (415) and size (413)."""
    till = till_token_for_header(authorization=request.headers.get("Authorization", ""))
    if till is None:
        return _error(
            401, "A valid till token is required.", {"WWW-Authenticate": 'Bearer realm="pos"'}
        )
    if request.method != "POST":
        return _error(405, "POST only.", {"Allow": "POST"})
    if request.content_type != "application/json":
        return _error(415, "The request body must be JSON (Content-Type: application/json).")
    # Checked before reading: a till never needs more, and Django's own, larger limit
    # (DATA_UPLOAD_MAX_MEMORY_SIZE) would answer with an HTML 400.
    try:
        too_large = int(request.headers.get("Content-Length") or 0) > MAX_BODY_BYTES
        body = b"" if too_large else request.body
    except (ValueError, RequestDataTooBig):
        too_large = True
    if too_large or len(body) > MAX_BODY_BYTES:
        return _error(413, TOO_LARGE)
    return handle(till, body)


def _checkout(till: TillToken, body: bytes) -> JsonResponse:
    parsed, raw, errors = parse_checkout(body, store_code=till.store.code)
    if errors:
        return JsonResponse({"errors": errors}, status=400)
    try:
        return _answer(checkout_record(till=till, request=parsed, raw=raw))
    except TenderRefused as exc:
        return JsonResponse({"errors": exc.errors}, status=400)
    except CheckoutConflict:
        return _error(409, CONFLICT)
    except BasketIdTaken as exc:
        return _error(409, exc.message)


def _return(till: TillToken, body: bytes) -> JsonResponse:
    parsed, raw, errors = parse_return(body, store_code=till.store.code)
    if errors:
        return JsonResponse({"errors": errors}, status=400)
    try:
        return _answer(return_record(till=till, request=parsed, raw=raw))
    except ReturnInvalid as exc:
        return JsonResponse({"errors": exc.errors}, status=400)
    except CheckoutConflict:
        return _error(409, CONFLICT)
    except BasketIdTaken as exc:
        return _error(409, exc.message)


# Tills authenticate with their bearer token, not a session: no sign-in redirect, no CSRF.
@login_not_required
@csrf_exempt
def checkout(request: HttpRequest) -> JsonResponse:
    """Record a till transaction exactly once and answer with its discounts."""
    return _till_post(request, _checkout)


@login_not_required
@csrf_exempt
def return_(request: HttpRequest) -> JsonResponse:
    """Record a return of goods of an earlier sale exactly once; reverse undone offers."""
    return _till_post(request, _return)


# Public: the schema holds no secret, and tools and till vendors read it without a token.
@login_not_required
@csrf_exempt
def openapi(request: HttpRequest) -> HttpResponse:
    """Serve the POS API's OpenAPI 3.1 description."""
    if request.method not in ("GET", "HEAD"):
        return _error(405, "GET only.", {"Allow": "GET, HEAD"})
    return HttpResponse(schema_json(), content_type="application/json")

"""POS API: JSON over HTTP, authenticated by a per-till bearer token."""

from __future__ import annotations

from django.contrib.auth.decorators import login_not_required
from django.http import HttpRequest, JsonResponse
from django.views.decorators.csrf import csrf_exempt

from apps.checkout.selectors import till_token_for_header
from apps.checkout.services import CheckoutConflict, ReturnInvalid, checkout_record, return_record
from apps.checkout.validation import parse_checkout, parse_return


def _unauthorized() -> JsonResponse:
    response = JsonResponse({"error": "A valid till token is required."}, status=401)
    response["WWW-Authenticate"] = 'Bearer realm="pos"'
    return response


# Tills authenticate with their bearer token, not a session: no sign-in redirect, no CSRF.
@login_not_required
@csrf_exempt
def checkout(request: HttpRequest) -> JsonResponse:
    """Record a till transaction exactly once and answer with its discounts."""
    till = till_token_for_header(authorization=request.headers.get("Authorization", ""))
    if till is None:
        return _unauthorized()
    if request.method != "POST":
        response = JsonResponse({"error": "POST only."}, status=405)
        response["Allow"] = "POST"
        return response
    parsed, raw, errors = parse_checkout(request.body, store_code=till.store.code)
    if errors:
        return JsonResponse({"errors": errors}, status=400)
    try:
        answer = checkout_record(till=till, request=parsed, raw=raw)
    except CheckoutConflict:
        return JsonResponse(
            {"error": "This transaction id was already used with a different body."},
            status=409,
        )
    # Keys sorted: a replay (read back from jsonb, which reorders keys) is byte-identical.
    return JsonResponse(answer, json_dumps_params={"sort_keys": True})


@login_not_required
@csrf_exempt
def return_(request: HttpRequest) -> JsonResponse:
    """Record a return of goods of an earlier sale exactly once; reverse undone offers."""
    till = till_token_for_header(authorization=request.headers.get("Authorization", ""))
    if till is None:
        return _unauthorized()
    if request.method != "POST":
        response = JsonResponse({"error": "POST only."}, status=405)
        response["Allow"] = "POST"
        return response
    parsed, raw, errors = parse_return(request.body, store_code=till.store.code)
    if errors:
        return JsonResponse({"errors": errors}, status=400)
    try:
        answer = return_record(till=till, request=parsed, raw=raw)
    except ReturnInvalid as exc:
        return JsonResponse({"errors": exc.errors}, status=400)
    except CheckoutConflict:
        return JsonResponse(
            {"error": "This transaction id was already used with a different body."},
            status=409,
        )
    return JsonResponse(answer, json_dumps_params={"sort_keys": True})

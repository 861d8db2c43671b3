"""Check POS API exchanges against the OpenAPI schema the app serves.

tests/checkout/conftest.py routes every answer of the Django test client (in every test of
tests/checkout, threads included) through `check_exchange`; the live-server tests pass their
HTTP exchanges here too. The schema is read as served, with decimals (`multipleOf: 0.01` on
floats would misjudge 1.15), and bodies are parsed the same way, as the server parses them.
"""

from __future__ import annotations

import json
import re
import threading
from dataclasses import dataclass, field
from decimal import Decimal
from functools import cache

from django.core.exceptions import RequestDataTooBig
from django.http import HttpRequest, HttpResponse
from jsonschema import ValidationError, validators
from openapi_core import Config, OpenAPI
from openapi_core.datatypes import RequestParameters
from openapi_schema_validator import OAS31Validator
from werkzeug.datastructures import Headers, ImmutableMultiDict

from apps.checkout.openapi import schema_json


def _not_json(name: str):
    raise ValueError(f"{name} is not JSON")


def _json_decimal(value: bytes, **parameters: str) -> object:
    try:
        return json.loads(value, parse_float=Decimal, parse_constant=_not_json)
    except RecursionError as exc:
        raise ValueError("nested too deeply") from exc


SPEC = json.loads(schema_json(), parse_float=Decimal)
OPENAPI = OpenAPI.from_dict(
    SPEC, config=Config(extra_media_type_deserializers={"application/json": _json_decimal})
)
# Statuses the server may give a request the schema rejects (it must never be 200).
REJECTIONS = {400, 401, 413, 415}
_lock = threading.Lock()  # openapi-core's lazy spec paths are not made for threads
checked = {"exchanges": 0}


class SchemaMismatch(AssertionError):
    """A request or answer does not match the schema."""


@dataclass
class Exchange:
    """A request and its answer as openapi-core reads them, from any HTTP client."""

    method: str
    path: str
    body: bytes
    content_type: str
    headers: dict[str, str]
    status_code: int
    data: bytes
    response_headers: dict[str, str]
    host_url: str = "http://testserver"
    parameters: RequestParameters = field(init=False)

    def __post_init__(self) -> None:
        self.method = self.method.lower()
        self.parameters = RequestParameters(
            header=Headers(self.headers.items()),
            query=ImmutableMultiDict(),
            cookie=ImmutableMultiDict(),
            path={},
        )

    @property
    def response(self) -> _Response:
        return _Response(self.data, self.status_code, self.response_headers)


@dataclass
class _Response:
    data: bytes
    status_code: int
    raw_headers: dict[str, str]

    @property
    def headers(self) -> Headers:
        return Headers(self.raw_headers.items())

    @property
    def content_type(self) -> str:
        return self.headers.get("Content-Type", "")


def check_django(request: HttpRequest, response: HttpResponse) -> None:
    """Check an exchange of Django's test client (other URLs than the API's pass)."""
    if request.path in SPEC["paths"]:
        check_exchange(exchange_of(request, response))


def exchange_of(request: HttpRequest, response: HttpResponse) -> Exchange:
    try:
        body = request.body
    except RequestDataTooBig:
        body = b"<too big to read>"
    return Exchange(
        method=request.method,
        path=request.path,
        body=body,
        content_type=request.META.get("CONTENT_TYPE", ""),
        headers=dict(request.headers),
        status_code=response.status_code,
        data=response.content,
        response_headers=dict(response.headers),
    )


def body_errors(schema_name: str, document: object) -> list[str]:
    """A JSON document's errors against one of the served schema's components.

    Plain JSON Schema (OAS 3.1's dialect), with the refs resolved in the served document:
    a hundred times faster than a whole exchange through openapi-core, for property tests.
    """
    validator = _component_validator(schema_name)
    return [error.message for error in validator.iter_errors(document)]


def _ecma_pattern(validator, pattern: str, instance, schema):
    """`pattern` as the schema's dialect (ECMA-262) reads it: `$` is the very end.

    Python's `re` lets `$` match before a final newline too, so jsonschema's own check
    passed "0\n" for a pattern ending in `$` that every ECMA client (and the parser's
    `re.fullmatch`) refuses: a disagreement of the test's tool, not of the schema.
    """
    if not validator.is_type(instance, "string"):
        return
    strict = pattern[:-1] + r"\Z" if pattern.endswith("$") else pattern
    if not re.search(strict, instance):
        yield ValidationError(f"{instance!r} does not match {pattern!r}")


EcmaValidator = validators.extend(OAS31Validator, {"pattern": _ecma_pattern})


@cache
def _component_validator(schema_name: str):
    return EcmaValidator({**SPEC, "$ref": f"#/components/schemas/{schema_name}"})


def request_errors(exchange: Exchange) -> list:
    """The schema's objections to the request (empty when it is valid)."""
    with _lock:
        return list(OPENAPI.unmarshal_request(exchange).errors)


def _explain(errors: list) -> str:
    lines = []
    for error in errors:
        lines.append(repr(error))
        cause = error.__cause__
        for schema_error in getattr(cause, "schema_errors", ()) or ():
            lines.append(f"  {list(schema_error.absolute_path)}: {schema_error.message}")
    return "\n".join(lines)


def check_exchange(exchange: Exchange) -> None:
    """Raise SchemaMismatch unless the answer is one the schema describes for the request.

    The request itself may be invalid (tests send bad input on purpose), but then the
    answer must be a refusal: the server must not accept what the schema rejects.
    """
    operations = SPEC["paths"].get(exchange.path)
    if operations is None:
        return  # not a POS API URL
    checked["exchanges"] += 1
    if exchange.method not in operations:
        _check_other_method(exchange, operations)
        return
    refused = request_errors(exchange)
    if refused and exchange.status_code not in REJECTIONS:
        raise SchemaMismatch(
            f"{exchange.status_code} for a request the schema rejects:\n{_explain(refused)}"
        )
    with _lock:
        result = OPENAPI.unmarshal_response(exchange, exchange.response)
    if result.errors:
        raise SchemaMismatch(
            f"{exchange.method.upper()} {exchange.path} → {exchange.status_code}, "
            f"an answer the schema does not describe:\n{_explain(result.errors)}\n"
            f"{exchange.data[:2000]!r}"
        )


def _check_other_method(exchange: Exchange, operations: dict) -> None:
    """An undocumented method: 405 with Allow (or 401 first on till endpoints), JSON."""
    protected = any(op.get("security", SPEC["security"]) for op in operations.values())
    allowed = {405, 401} if protected else {405}
    if exchange.status_code not in allowed:
        raise SchemaMismatch(f"{exchange.method.upper()} {exchange.path}: {exchange.status_code}")
    name = "MethodNotAllowed" if exchange.status_code == 405 else "Unauthorized"
    documented = SPEC["components"]["responses"][name]
    for header, spec in documented.get("headers", {}).items():
        if spec.get("required") and header not in exchange.response.headers:
            raise SchemaMismatch(f"{exchange.status_code} without its {header} header")
    if exchange.status_code == 405:
        allow = {m.strip().upper() for m in exchange.response.headers["Allow"].split(",")}
        if not {m.upper() for m in operations} <= allow or exchange.method.upper() in allow:
            raise SchemaMismatch(f"405 with Allow: {exchange.response.headers['Allow']}")
    if exchange.response.content_type != "application/json":
        raise SchemaMismatch(f"{exchange.status_code} is {exchange.response.content_type}")
    schema = SPEC["components"]["schemas"]["Error"]
    errors = list(OAS31Validator(schema).iter_errors(json.loads(exchange.data)))
    if errors:
        raise SchemaMismatch(f"{exchange.status_code} body: {[e.message for e in errors]}")

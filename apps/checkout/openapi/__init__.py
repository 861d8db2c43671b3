"""The POS API's OpenAPI 3.1 description, served at GET /api/pos/openapi.json.

Built from Python dicts rather than kept as a YAML file, so that every limit and pattern
comes from the constants validation.py checks with: the schema cannot promise a limit the
server does not hold. tests/checkout check every answer the tests see against it.
components.py holds the schemas and shared answers, document.py the operations and the
document itself.
"""

from __future__ import annotations

from apps.checkout.openapi.document import SCHEMA, schema_json

__all__ = ["SCHEMA", "schema_json"]

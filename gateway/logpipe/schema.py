"""The exchange record's JSON Schema, read from the published AsyncAPI contract (the single source)."""

from __future__ import annotations

from functools import cache
from typing import Any

import yaml

from ndxp_sim.contracts import CONTRACTS_DIR

CONTRACT = CONTRACTS_DIR / "exchange.asyncapi.yaml"


@cache
def asyncapi_document() -> dict[str, Any]:
    document: dict[str, Any] = yaml.safe_load(CONTRACT.read_text(encoding="utf-8"))
    return document


def record_schema() -> dict[str, Any]:
    """The message payload schema, self-contained: its local `$ref`s resolve inside the returned dict."""
    schemas = asyncapi_document()["components"]["schemas"]
    payload = _resolve(schemas["ExchangeRecord"], schemas)
    return {"$schema": "http://json-schema.org/draft-07/schema#", **payload}


def _resolve(node: Any, schemas: dict[str, Any]) -> Any:
    if isinstance(node, dict):
        ref = node.get("$ref")
        if isinstance(ref, str) and ref.startswith("#/components/schemas/"):
            return _resolve(schemas[ref.rsplit("/", 1)[1]], schemas)
        return {key: _resolve(value, schemas) for key, value in node.items()}
    if isinstance(node, list):
        return [_resolve(item, schemas) for item in node]
    return node

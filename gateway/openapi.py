"""The gateway-facing OpenAPI document of one service, generated from its adapter's declarations."""

from __future__ import annotations

from typing import Any

from ndxp_sim.adapters._base import Adapter, Operation

_ERROR_SCHEMA = {
    "type": "object",
    "required": ["type", "message", "detail"],
    "properties": {
        "type": {"type": "string", "description": "Client.* / Server.Gateway.* / Server.Backend.*"},
        "message": {"type": "string"},
        "detail": {"type": "string", "description": "exchange id, also in the exchange record"},
    },
}
_ERRORS = {
    "401": "missing, invalid or expired token",
    "403": "this consumer may not call this operation",
    "413": "request body too large",
    "422": "invalid request (the message names the field)",
    "429": "quota used up (see Retry-After)",
    "502": "the backend failed or answered badly",
    "503": "the backend is unreachable",
    "504": "the backend timed out",
}


def _operation(op: Operation, schemas: dict[str, Any]) -> dict[str, Any]:
    spec: dict[str, Any] = {
        "operationId": op.name,
        "summary": op.summary,
        "responses": {
            "200": {"description": "the backend's answer", "content": {"application/json": {"schema": {}}}},
            **{
                code: {
                    "description": text,
                    "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}},
                }
                for code, text in _ERRORS.items()
            },
        },
    }
    if op.request is None:
        return spec
    schema = op.request.model_json_schema(ref_template="#/components/schemas/{model}")
    schemas.update(schema.pop("$defs", {}))
    if op.method == "GET":
        required = set(schema.get("required", ()))
        spec["parameters"] = [
            {"name": name, "in": "query", "required": name in required, "schema": prop}
            for name, prop in schema.get("properties", {}).items()
        ]
    else:
        schemas[op.request.__name__] = schema
        content: dict[str, Any] = {"schema": {"$ref": f"#/components/schemas/{op.request.__name__}"}}
        if op.sample:
            content["example"] = dict(op.sample)
        spec["requestBody"] = {"required": True, "content": {"application/json": content}}
    return spec


def service_openapi(adapter: type[Adapter]) -> dict[str, Any]:
    info = adapter.info()
    schemas: dict[str, Any] = {"Error": _ERROR_SCHEMA}
    paths = {
        f"/{info.context}/{info.version}/{op.name}": {op.method.lower(): _operation(op, schemas)}
        for op in adapter.operations
    }
    return {
        "openapi": "3.1.0",
        "info": {
            "title": f"{info.number}. {info.name_vi}",
            "description": f"{info.name_en} ({info.owner}). Served through the ndxp-sim gateway.",
            "version": info.version,
        },
        "paths": paths,
        "components": {
            "schemas": schemas,
            "securitySchemes": {
                "lgsp": {
                    "type": "oauth2",
                    "flows": {"clientCredentials": {"tokenUrl": "/token", "scopes": {}}},
                }
            },
        },
        "security": [{"lgsp": []}],
    }

"""The gateway-facing OpenAPI document of one service: models from its adapter, examples from its cases."""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any

from pydantic import BaseModel

from ndxp_sim.adapters._base import Adapter, Operation, SoapAdapter
from ndxp_sim.adapters.oidc import FORM, OidcOperation
from ndxp_sim.contracts.cases import Case, case_services, load_cases
from ndxp_sim.gateway.oidc_front import oauth_code

JSON = "application/json"
EXCHANGE_ID = "0193a4c2-7f10-7d3e-9b61-5c2f0e8a1d47"  # what `detail` looks like: the exchange id

ERROR_SCHEMA: dict[str, Any] = {
    "type": "object",
    "description": "Every error the gateway answers; `type` is also in the X-NDXP-Error header.",
    "required": ["type", "message", "detail"],
    "additionalProperties": False,
    "properties": {
        "type": {
            "type": "string",
            "pattern": r"^(Client|Server)\.[A-Za-z.]+$",
            "description": "Client.* (the caller can fix it) / Server.Gateway.* / Server.Backend.*",
        },
        "message": {"type": "string", "description": "what went wrong; a field error names the field"},
        "detail": {"type": "string", "description": "exchange id, also in the exchange record"},
    },
}


OAUTH_ERROR_SCHEMA: dict[str, Any] = {
    "type": "object",
    "description": (
        "An OAuth 2.0 error (RFC 6749 §5.2, RFC 6750 §3.1), as sign-in (OIDC) services answer. "
        "The provider's own refusals carry `error` and `error_description`; the gateway's add its "
        "error `type` (also in the X-NDXP-Error header) and the exchange id in `detail`."
    ),
    "required": ["error", "error_description"],
    "additionalProperties": False,
    "properties": {
        "error": {
            "type": "string",
            "pattern": "^[a-z_]+$",
            "description": "invalid_grant, invalid_client, …",
        },
        "error_description": {"type": "string", "description": "what went wrong, naming the parameter"},
        "type": ERROR_SCHEMA["properties"]["type"],
        "detail": ERROR_SCHEMA["properties"]["detail"],
    },
}
_PROVIDER_REFUSALS = {
    "400": ("invalid_grant", "code_verifier: không khớp code_challenge"),
    "401": ("invalid_client", "client_id/client_secret: xác thực ứng dụng thất bại"),
}


class _Error:
    """One error status the gateway can answer for an operation: when, which types, a typical message."""

    def __init__(self, description: str, types: tuple[str, ...], message: str) -> None:
        self.description, self.types, self.message = description, types, message


_ERRORS: dict[str, _Error] = {
    "401": _Error("missing, invalid or expired token", ("Client.Unauthorized",), "token expired"),
    "403": _Error(
        "this consumer may not call this operation",
        ("Client.AccessDenied",),
        "consumer 000.00.00.H92 may not call csdl_dan_cu.TraCuuThongTinCongDan",
    ),
    "404": _Error(
        "the backend has no record for the request", ("Client.NotFound",), "no record matches the request"
    ),
    "409": _Error(
        "the request conflicts with an earlier one (same key, other content) or with the record's state",
        ("Client.Conflict",),
        "the request conflicts with the backend's state: maHoSo … was already submitted with other content",
    ),
    "413": _Error("request body too large", ("Client.PayloadTooLarge",), "request body over 1048576 bytes"),
    "422": _Error(
        "invalid request: the message names the field", ("Client.InvalidRequest",), "field: Field required"
    ),
    "429": _Error(
        "quota used up; Retry-After says when to try again",
        ("Client.QuotaExceeded",),
        "quota of 60 requests per minute (Bronze) used up",
    ),
    "500": _Error(
        "the gateway itself failed", ("Server.Gateway.Internal",), "the gateway failed to serve the request"
    ),
    "502": _Error(
        "the backend failed or answered badly (its own text is never echoed)",
        ("Server.Backend.Error", "Server.Backend.BadResponse"),
        "the backend failed (HTTP 500)",
    ),
    "503": _Error(
        "the backend is unreachable or says it is unavailable",
        ("Server.Backend.Unavailable",),
        "the backend is unavailable (HTTP 503)",
    ),
    "504": _Error("the backend timed out", ("Server.Backend.Timeout",), "the backend did not answer in time"),
}
_SOAP_FAULT = "Server.Backend.Fault"


def error_statuses(adapter: type[Adapter], op: Operation) -> list[str]:
    """The error statuses the gateway can answer for this operation, from how the proxy and adapters work."""
    statuses = ["401", "403", "404", "422", "429", "500", "502", "503", "504"]
    if op.method != "GET":
        statuses.append("413")  # only a request with a body can be too large
    if adapter.protocol == "rest" and op.backend_method != "GET":
        statuses.append("409")  # a REST backend refuses a write that conflicts (SOAP has no such answer)
    return sorted(statuses)


def _cases(adapter: type[Adapter], op: Operation) -> list[Case]:
    """The operation's cases sent with its own method, the diagnostic one first."""
    if adapter.key not in case_services():
        return []
    mine = [
        case for case in load_cases(adapter.key) if case.operation == op.name and case.method == op.method
    ]
    return sorted(mine, key=lambda case: (not case.diagnostic, case.status >= 400))


def _summary(case: Case) -> str:
    outcome = f"{case.status} {case.error_type}" if case.error_type else str(case.status)
    return f"{case.description} → {outcome}" if case.description else outcome


def _error_examples(code: str, error: _Error, cases: Iterable[Case], protocol: str) -> dict[str, Any]:
    examples: dict[str, dict[str, Any]] = {
        case.name: {
            "summary": _summary(case),
            "value": {
                "type": case.error_type,
                "message": case.fields.get("message", error.message),
                "detail": EXCHANGE_ID,
            },
        }
        for case in cases
        if str(case.status) == code
    }
    types = error.types + ((_SOAP_FAULT,) if code == "502" and protocol == "soap" else ())
    for error_type in types:
        if not any(example["value"]["type"] == error_type for example in examples.values()):
            value = {"type": error_type, "message": error.message, "detail": EXCHANGE_ID}
            examples[error_type] = {"summary": error.description, "value": value}
    return examples


def _model_schema(model: type[BaseModel], schemas: dict[str, Any]) -> dict[str, Any]:
    """A $ref to the model, its schema and its sub-models added to components (one name, one schema)."""
    schema = model.model_json_schema(ref_template="#/components/schemas/{model}")
    own = re.sub(r"[^a-zA-Z0-9.\-_]", "_", model.__name__)  # Btp[BienNhan] → Btp_BienNhan_, as in $defs
    for name, sub in {**schema.pop("$defs", {}), own: schema}.items():
        if schemas.setdefault(name, sub) != sub:
            raise ValueError(f"two different models are named {name}: rename one in adapters/")
    return {"$ref": f"#/components/schemas/{own}"}


def _oidc_operation(adapter: type[Adapter], op: OidcOperation, schemas: dict[str, Any]) -> dict[str, Any]:
    """A sign-in endpoint: form or query in; JSON, or for the browser an HTML page or a redirect, out;
    errors in OAuth 2.0 terms (gateway/oidc_front.py)."""
    schemas.setdefault("OAuthError", OAUTH_ERROR_SCHEMA)
    if op.browser:
        html = {"text/html": {"schema": {"type": "string"}}}
        location = {"Location": {"description": "the client's registered URI", "schema": {"type": "string"}}}
        responses: dict[str, Any] = {
            "200": {"description": "an HTML page (the sign-in page, signed out)", "content": html},
            "302": {
                "description": "back to the client: code and state, or error and state",
                "headers": location,
            },
        }
    else:
        success = {"schema": _model_schema(op.response, schemas) if op.response else {}}
        responses = {"200": {"description": "the provider's answer", "content": {JSON: success}}}
    caller = op.caller
    for code in sorted({"400", *error_statuses(adapter, op)}):
        examples: dict[str, Any] = {}
        if code in _PROVIDER_REFUSALS:
            error, description = _PROVIDER_REFUSALS[code]
            value = {"error": error, "error_description": description}
            examples[error] = {"summary": "refused by the provider", "value": value}
        for error_type in _ERRORS[code].types if code in _ERRORS else ():
            value = {
                "error": oauth_code(error_type, caller),
                "error_description": _ERRORS[code].message,
                "type": error_type,
                "detail": EXCHANGE_ID,
            }
            examples[error_type] = {"summary": _ERRORS[code].description, "value": value}
        content: dict[str, Any] = {
            JSON: {"schema": {"$ref": "#/components/schemas/OAuthError"}, "examples": examples}
        }
        description = _ERRORS[code].description if code in _ERRORS else "refused by the provider (OAuth 2.0)"
        if op.browser and code == "400":  # what may not go back to the client: the provider's error page
            description = "refused: the provider's error page (never a redirect), or the gateway's error"
            content["text/html"] = {"schema": {"type": "string"}}
        responses[code] = {"description": description, "content": content}
    spec: dict[str, Any] = {"operationId": op.name, "summary": op.summary, "responses": responses}
    if op.request is not None:
        schema = op.request.model_json_schema(ref_template="#/components/schemas/{model}")
        if op.method == "GET":
            required = set(schema.get("required", ()))
            spec["parameters"] = [
                {"name": name, "in": "query", "required": name in required, "schema": prop}
                for name, prop in schema.get("properties", {}).items()
            ]
        else:
            spec["requestBody"] = {"required": True, "content": {FORM: {"schema": schema}}}
    return spec


def _operation(adapter: type[Adapter], op: Operation, schemas: dict[str, Any]) -> dict[str, Any]:
    if isinstance(op, OidcOperation):
        return _oidc_operation(adapter, op, schemas)
    cases = _cases(adapter, op)
    success: dict[str, Any] = {"schema": _model_schema(op.response, schemas) if op.response else {}}
    responses: dict[str, Any] = {"200": {"description": "the backend's answer", "content": {JSON: success}}}
    for code in error_statuses(adapter, op):
        error = _ERRORS[code]
        content = {
            "schema": {"$ref": "#/components/schemas/Error"},
            "examples": _error_examples(code, error, cases, adapter.protocol),
        }
        responses[code] = {"description": error.description, "content": {JSON: content}}
        if code == "429":
            retry = {"description": "seconds to wait", "schema": {"type": "integer"}}
            responses[code]["headers"] = {"Retry-After": retry}
    spec: dict[str, Any] = {"operationId": op.name, "summary": op.summary, "responses": responses}
    if op.request is None:
        return spec
    sendable = [case for case in cases if not case.headers]  # a scenario header is not part of a request
    if op.method == "GET":
        schema = op.request.model_json_schema(ref_template="#/components/schemas/{model}")
        schemas.update(schema.pop("$defs", {}))
        required = set(schema.get("required", ()))
        spec["parameters"] = []
        for name, prop in schema.get("properties", {}).items():
            parameter: dict[str, Any] = {"name": name, "in": "query", "required": name in required}
            parameter["schema"] = prop
            examples = {
                case.name: {"summary": _summary(case), "value": case.query[name]}
                for case in sendable
                if name in case.query
            }
            if examples:
                parameter["examples"] = examples
            spec["parameters"].append(parameter)
    else:
        body: dict[str, Any] = {"schema": _model_schema(op.request, schemas)}
        if cases:
            body["examples"] = {case.name: {"summary": _summary(case), "value": case.body} for case in cases}
        spec["requestBody"] = {"required": True, "content": {JSON: body}}
    return spec


def service_openapi(adapter: type[Adapter]) -> dict[str, Any]:
    info = adapter.info()
    schemas: dict[str, Any] = {"Error": ERROR_SCHEMA}
    paths = {
        f"/{info.context}/{info.version}/{op.name}": {op.method.lower(): _operation(adapter, op, schemas)}
        for op in adapter.operations
    }
    return {
        "openapi": "3.1.0",
        "info": {
            "title": f"{info.number}. {info.name_vi}",
            "description": (
                f"{info.name_en} ({info.owner}). Served through the ndxp-sim gateway. "
                "Any operation answers 405 Client.MethodNotAllowed to another HTTP method."
            ),
            "version": info.version,
        },
        "paths": paths,
        "components": {
            "schemas": dict(sorted(schemas.items())),
            "securitySchemes": {
                "lgsp": {
                    "type": "oauth2",
                    "flows": {"clientCredentials": {"tokenUrl": "/token", "scopes": {}}},
                }
            },
        },
        "security": [{"lgsp": []}],
    }


def _renamed_refs(node: Any, names: dict[str, str]) -> Any:
    if isinstance(node, dict):
        return {
            key: names.get(value, value) if key == "$ref" else _renamed_refs(value, names)
            for key, value in node.items()
        }
    if isinstance(node, list):
        return [_renamed_refs(item, names) for item in node]
    return node


def with_services(gateway: dict[str, Any], adapters: Iterable[type[Adapter]]) -> dict[str, Any]:
    """The gateway's own document with every service operation added, so /docs shows them side by side.

    Each service's schemas get its key as prefix (`csdl_dan_cu.ThongTinCongDan`): two services may use
    one model name for different things. Error and the token scheme are shared.
    """
    merged = {**gateway, "paths": dict(gateway.get("paths", {})), "tags": list(gateway.get("tags", []))}
    components = merged.setdefault("components", {})
    schemas = components.setdefault("schemas", {})
    schemes = components.setdefault("securitySchemes", {})
    for adapter in adapters:
        info, spec = adapter.info(), service_openapi(adapter)
        tag = f"{info.number}. {info.key}"
        merged["tags"].append({"name": tag, "description": f"{info.name_vi} — {info.name_en}"})
        names = {
            f"#/components/schemas/{name}": f"#/components/schemas/{adapter.key}.{name}"
            for name in spec["components"]["schemas"]
            if name != "Error"
        }
        for name, schema in spec["components"]["schemas"].items():
            schemas[name if name == "Error" else f"{adapter.key}.{name}"] = _renamed_refs(schema, names)
        schemes.update(spec["components"]["securitySchemes"])
        for path, methods in spec["paths"].items():
            merged["paths"][path] = {
                method: {**_renamed_refs(operation, names), "tags": [tag], "security": spec["security"]}
                for method, operation in methods.items()
            }
        if issubclass(adapter, SoapAdapter):
            merged["paths"][f"/{info.context}/{info.version}/soap"] = _soap_front(tag, spec["security"])
    return merged


def _soap_front(tag: str, security: list[dict[str, list[str]]]) -> dict[str, Any]:
    """The SOAP face of a SOAP service (gateway/soap_front.py), as far as OpenAPI can say it."""
    xml = {"text/xml": {"schema": {"type": "string"}}}
    return {
        "get": {
            "summary": "The service's WSDL (query: ?wsdl), naming this gateway as the endpoint",
            "tags": [tag],
            "parameters": [{"name": "wsdl", "in": "query", "required": True, "allowEmptyValue": True}],
            "responses": {"200": {"description": "WSDL 1.1, schemas inlined", "content": xml}},
        },
        "post": {
            "summary": "A SOAP 1.1 envelope; the Body element names the operation",
            "tags": [tag],
            "security": security,
            "requestBody": {"required": True, "content": xml},
            "responses": {
                "200": {"description": "the backend's answer envelope", "content": xml},
                "default": {"description": "a SOAP 1.1 fault: faultcode soap:<error type>", "content": xml},
            },
        },
    }

"""The mocks' error bodies (REST JSON and SOAP faults) and a raw ASGI sender for the middleware."""

from __future__ import annotations

import json
from typing import Any

from fastapi.responses import Response
from starlette.types import Send

from ndxp_sim.mock_services import soap_server

SOAP_CONTENT_TYPE = soap_server.CONTENT_TYPE

JSON_CONTENT_TYPE = "application/json"

# MaLoi codes of the SOAP faults (documented in BACKENDS.md).
SOAP_MALFORMED = "CD-400"
SOAP_NOT_FOUND = "CD-404"
SOAP_UNKNOWN_OPERATION = "CD-405"
SOAP_INVALID_FIELD = "CD-422"
SOAP_SERVER_ERROR = "CD-500"

Rendered = tuple[int, bytes, str]  # status, body, content type


def dumps(payload: Any) -> bytes:
    return json.dumps(payload, ensure_ascii=False, separators=(",", ":")).encode()


def rest_error(status: int, code: str, message: str, detail: Any = None) -> Rendered:
    payload: dict[str, Any] = {"error": code, "message": message}
    if detail is not None:
        payload["detail"] = detail
    return status, dumps(payload), JSON_CONTENT_TYPE


def backend_error(status: int, reason: str) -> Rendered:
    """The same generic body for every service, as a proxy in front of a failing backend would answer."""
    message = f"simulated backend failure ({reason})"
    return status, dumps({"error": "backend_error", "status": status, "message": message}), JSON_CONTENT_TYPE


def soap_fault(ns: str, code: str, ma_loi: str, message: str, field: str | None = None) -> Rendered:
    """A SOAP 1.1 fault: always HTTP 500, detail carries MaLoi, MoTa and the offending field."""
    detail = {"MaLoi": ma_loi, "MoTa": message, "TruongLoi": field}
    return 500, soap_server.fault(ns, code, message, detail), SOAP_CONTENT_TYPE


def soap_not_found(ns: str) -> Rendered:
    return soap_fault(ns, "Client", SOAP_NOT_FOUND, "Không tìm thấy thông tin công dân")


def soap_server_fault(ns: str) -> Rendered:
    return soap_fault(ns, "Server", SOAP_SERVER_ERROR, "Lỗi hệ thống, vui lòng thử lại sau")


def to_response(rendered: Rendered) -> Response:
    status, body, content_type = rendered
    return Response(body, status_code=status, media_type=content_type)


def json_response(payload: Any, status: int = 200) -> Response:
    return Response(dumps(payload), status_code=status, media_type=JSON_CONTENT_TYPE)


async def send(send: Send, status: int, body: bytes, content_type: str) -> None:
    headers = [(b"content-type", content_type.encode()), (b"content-length", str(len(body)).encode())]
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": body})

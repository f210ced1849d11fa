"""The gateway's error tree and the one JSON shape every error takes.

GatewayError
├── ClientError (4xx: the caller can fix it)
│   ├── UnauthorizedError          401 Client.Unauthorized
│   ├── ForbiddenError             403 Client.AccessDenied
│   ├── NotFoundError              404 Client.NotFound
│   ├── UnknownServiceError        404 Client.UnknownService
│   ├── MethodNotAllowedError      405 Client.MethodNotAllowed
│   ├── RequestTimeoutError        408 Client.RequestTimeout (headers or body too slow)
│   ├── ConflictError              409 Client.Conflict
│   ├── PayloadTooLargeError       413 Client.PayloadTooLarge
│   ├── InvalidRequestError        422 Client.InvalidRequest
│   ├── QuotaExceededError         429 Client.QuotaExceeded (Retry-After)
│   └── HeaderTooLargeError        431 Client.HeaderTooLarge
├── GatewayInternalError           500 Server.Gateway.Internal
├── ServiceOverloadedError         503 Server.Gateway.Overloaded (connection cap)
├── StoreUnavailableError          503 Server.Gateway.StoreUnavailable (ops API only)
└── BackendError (the backend failed; upstream internals are never echoed)
    ├── BackendStatusError         502 Server.Backend.Error
    ├── BackendBadResponseError    502 Server.Backend.BadResponse
    ├── BackendFaultError          502 Server.Backend.Fault (SOAP fault)
    ├── BackendUnavailableError    503 Server.Backend.Unavailable
    └── BackendTimeoutError        504 Server.Backend.Timeout
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any, ClassVar

import orjson

ERROR_HEADER = "x-ndxp-error"


class GatewayError(Exception):
    """Base of every error the gateway answers with."""

    status_code: ClassVar[int] = 500
    type: ClassVar[str] = "Server.Gateway.Internal"
    retriable: ClassVar[bool] = False

    def __init__(
        self, message: str, *, headers: dict[str, str] | None = None, backend_status: int | None = None
    ) -> None:
        super().__init__(message)
        self.message = message
        self.headers = headers or {}
        self.backend_status = backend_status  # what the backend answered, when it answered at all

    def body(self, detail: str) -> bytes:
        return orjson.dumps({"type": self.type, "message": self.message, "detail": detail})


class ClientError(GatewayError):
    status_code = 400
    type = "Client.BadRequest"


class UnauthorizedError(ClientError):
    status_code = 401
    type = "Client.Unauthorized"

    def __init__(self, message: str) -> None:
        super().__init__(message, headers={"www-authenticate": 'Bearer realm="ndxp-sim"'})


class ForbiddenError(ClientError):
    status_code = 403
    type = "Client.AccessDenied"


class NotFoundError(ClientError):
    status_code = 404
    type = "Client.NotFound"


class UnknownServiceError(ClientError):
    status_code = 404
    type = "Client.UnknownService"


class MethodNotAllowedError(ClientError):
    status_code = 405
    type = "Client.MethodNotAllowed"


class RequestTimeoutError(ClientError):
    status_code = 408
    type = "Client.RequestTimeout"


class ConflictError(ClientError):
    status_code = 409
    type = "Client.Conflict"


class PayloadTooLargeError(ClientError):
    status_code = 413
    type = "Client.PayloadTooLarge"

    def __init__(self, message: str) -> None:
        # The rest of the body is not read: the connection cannot carry another request after it.
        super().__init__(message, headers={"connection": "close"})


class InvalidRequestError(ClientError):
    status_code = 422
    type = "Client.InvalidRequest"


class QuotaExceededError(ClientError):
    status_code = 429
    type = "Client.QuotaExceeded"
    retriable = True

    def __init__(self, message: str, retry_after_s: int) -> None:
        super().__init__(message, headers={"retry-after": str(retry_after_s)})


class HeaderTooLargeError(ClientError):
    status_code = 431
    type = "Client.HeaderTooLarge"


class GatewayInternalError(GatewayError):
    pass


class ServiceOverloadedError(GatewayError):
    status_code = 503
    type = "Server.Gateway.Overloaded"
    retriable = True


class StoreUnavailableError(GatewayError):
    status_code = 503
    type = "Server.Gateway.StoreUnavailable"
    retriable = True


class BackendError(GatewayError):
    status_code = 502
    type = "Server.Backend.Error"


class BackendStatusError(BackendError):
    pass


class BackendBadResponseError(BackendError):
    type = "Server.Backend.BadResponse"


class BackendFaultError(BackendError):
    type = "Server.Backend.Fault"


class BackendUnavailableError(BackendError):
    status_code = 503
    type = "Server.Backend.Unavailable"
    retriable = True


class BackendTimeoutError(BackendError):
    status_code = 504
    type = "Server.Backend.Timeout"
    # Not retried: the timeout already spent the caller's whole budget, and the backend may still be working.
    retriable = False


def describe_validation(errors: Iterable[Mapping[str, Any]], *, where: str = "body", limit: int = 5) -> str:
    """Pydantic validation errors as `field.path: message; …`, naming `where` for top-level errors."""
    parts = []
    for error in list(errors)[:limit]:
        field = ".".join(str(part) for part in error["loc"]) or where
        parts.append(f"{field}: {error['msg']}")
    return "; ".join(parts) or f"{where}: invalid"

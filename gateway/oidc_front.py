"""The OpenID Connect face of sign-in services: who calls, OAuth 2.0 errors, records without credentials.

A sign-in service (`protocol: oidc`) is served at `/{context}/{version}/{endpoint}` like any service, but its
callers carry no gateway token: the citizen's browser reaches the sign-in page, and the portal's OIDC client
authenticates with its client credentials (RFC 6749 §2.3.1) and then the provider's access token. The
consumer is the client the request names (its client_id is the consumer id): the gateway checks that it
may call the operation and counts its quota; the provider checks the credentials. Query, form body,
redirects and challenges pass unchanged, and on the browser's pages the provider's own session cookie (no
other cookie of the browser's: the console's session shares the gateway's address); the exchange record
keeps them with every credential blanked (it keeps no cookie).
"""

from __future__ import annotations

import base64
import binascii
from collections.abc import Callable
from functools import lru_cache
from urllib.parse import parse_qsl, unquote_plus, urlsplit

import orjson
from joserfc.errors import JoseError
from joserfc.jws import extract_compact
from starlette.requests import cookie_parser  # how the provider (a Starlette app) will read the header

from ndxp_sim.adapters.oidc import FORM, OidcOperation
from ndxp_sim.core.errors import GatewayError, UnauthorizedError

JSON = b"application/json"
# Parameters that carry a credential or a one-time handle, blanked in the record whatever its body policy.
CREDENTIALS = frozenset(
    {"code", "code_verifier", "client_secret", "access_token", "refresh_token", "id_token", "id_token_hint"}
    | {"request_id"}  # the sign-in page's handle: whoever holds it may finish the sign-in
)
BLANKED = "***"
PASSED_REQUEST_HEADERS = ("authorization", "content-type", "accept", "accept-language")
_MAX_CLIENT_ID = 128

# The gateway's refusals in OAuth 2.0 terms (RFC 6749 §4.1.2.1, §5.2; RFC 6750 §3.1), by error type.
OAUTH_ERRORS = {
    "Client.Unauthorized": "invalid_client",
    "Client.AccessDenied": "unauthorized_client",
    "Client.QuotaExceeded": "temporarily_unavailable",
    "Server.Backend.Unavailable": "temporarily_unavailable",
    "Server.Backend.Timeout": "temporarily_unavailable",
}
ErrorRenderer = Callable[[GatewayError, str], tuple[bytes, bytes]]


def oauth_code(error_type: str, caller: str) -> str:
    """The OAuth error code of a gateway refusal; a bearer caller's bad token is `invalid_token`."""
    if error_type == "Client.Unauthorized" and caller == "bearer":
        return "invalid_token"
    if error_type.startswith("Server."):
        return OAUTH_ERRORS.get(error_type, "server_error")
    return OAUTH_ERRORS.get(error_type, "invalid_request")


@lru_cache(maxsize=64)
def error_answer(caller: str) -> ErrorRenderer:
    """The proxy's error renderer for a sign-in endpoint: OAuth's `error` and `error_description`, and
    the gateway's error `type` and exchange id (`detail`) as every gateway error has."""

    def render(error: GatewayError, exchange_id: str) -> tuple[bytes, bytes]:
        body = {
            "error": oauth_code(error.type, caller),
            "error_description": error.message,
            "type": error.type,
            "detail": exchange_id,
        }
        return orjson.dumps(body), JSON

    return render


def client_named(operation: OidcOperation, query: str, body: bytes, headers: dict[str, str]) -> str | None:
    """The client_id the request names, not yet proven (the provider checks the credentials): HTTP Basic
    user, form or query `client_id`, the audience of an `id_token_hint`, or the `client_id` claim of a
    Bearer access token. UnauthorizedError when the operation needs one and there is none."""
    found: str | None = None
    authorization = headers.get("authorization", "")
    scheme, _, credentials = authorization.partition(" ")
    if operation.caller == "bearer":
        if scheme.lower() == "bearer":
            found = _claim(credentials.strip(), "client_id")
        if not found:
            raise UnauthorizedError("Authorization: a Bearer access token of this provider is required")
    else:
        params = dict(parse_qsl(query, keep_blank_values=True))
        if operation.method != "GET" and is_form(headers):
            params = dict(parse_qsl(body.decode("utf-8", "replace"), keep_blank_values=True)) | params
        if scheme.lower() == "basic":
            found = _basic_user(credentials.strip())
        found = found or params.get("client_id") or _claim(params.get("id_token_hint", ""), "aud")
        if not found and operation.caller == "client":
            raise UnauthorizedError("client_id: the request names no client (Basic, form or query)")
    if found is not None and not 0 < len(found) <= _MAX_CLIENT_ID:
        raise UnauthorizedError("client_id: not a registered client")
    return found or None


def forwarded(
    headers: dict[str, str], reached: str, public_url: str | None, service: str, cookie: str | None = None
) -> dict[str, str]:
    """What the provider needs of the request: its credentials and content type, the provider's own
    session `cookie` when named and sent (no other cookie of the browser's), and the gateway's address
    (X-Forwarded-*), which makes the issuer and the endpoints the gateway's own: `public_url` when
    configured, else the address the request `reached` (scheme://host); `service` is the path of the
    service under it (/{context}/{version})."""
    passed = {name: headers[name] for name in PASSED_REQUEST_HEADERS if name in headers}
    if cookie and (value := cookie_parser(headers.get("cookie", "")).get(cookie)) is not None:
        passed["cookie"] = f"{cookie}={value}"
    base = urlsplit(public_url or reached)
    prefix = base.path.rstrip("/") + service
    return passed | {
        "x-forwarded-host": base.netloc,
        "x-forwarded-proto": base.scheme,
        "x-forwarded-prefix": prefix,
    }


def is_form(headers: dict[str, str]) -> bool:
    return headers.get("content-type", "").split(";", 1)[0].strip().lower() == FORM


def _basic_user(credentials: str) -> str | None:
    try:
        decoded = base64.b64decode(credentials, validate=True).decode()
    except (binascii.Error, UnicodeDecodeError):
        return None
    return unquote_plus(decoded.partition(":")[0]) or None


def _claim(token: str, name: str) -> str | None:
    """A claim of a JWS-compact token, read without verifying: it only names who to admit and record;
    the provider verifies the token itself and refuses a forged one."""
    if not token or token.count(".") != 2:
        return None
    try:
        claims = orjson.loads(extract_compact(token.encode()).payload)
    except (JoseError, ValueError, orjson.JSONDecodeError):
        return None
    value = claims.get(name) if isinstance(claims, dict) else None
    if isinstance(value, list) and len(value) == 1:
        value = value[0]
    return value if isinstance(value, str) else None


def blanked(text: str) -> str:
    """A query or form body with the values of CREDENTIALS replaced by `***` (names and order kept)."""
    if not text:
        return text
    parts = text.split("&")
    for index, part in enumerate(parts):
        name, sep, _ = part.partition("=")
        if sep and unquote_plus(name) in CREDENTIALS:
            parts[index] = f"{name}={BLANKED}"
    return "&".join(parts)

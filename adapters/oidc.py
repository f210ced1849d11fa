"""Shared machinery of sign-in (OpenID Connect) services: endpoints passed on to the provider as they are."""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar, Literal
from urllib.parse import urlencode

from ndxp_sim.adapters._base import Adapter, Call, Operation, Reply, raise_for_backend_status

# Who calls an endpoint, which says how the gateway knows the consumer (gateway/oidc_front.py):
# public: anybody (metadata, sign-out), the client when it names one; client: the client_id the request
# must name; bearer: the client the provider's access token was issued to.
Caller = Literal["public", "client", "bearer"]
FORM = "application/x-www-form-urlencoded"
# The provider's own refusals are the protocol's answers (OAuth 2.0 error bodies, error pages): passed on.
_PROTOCOL_REFUSALS = frozenset({400, 401, 403})
# Answer headers a sign-in provider's caller needs: redirects, challenges, and "do not cache" on tokens.
PASSED_HEADERS = ("location", "www-authenticate", "cache-control", "pragma")


@dataclass(frozen=True, slots=True)
class OidcOperation(Operation):
    """One provider endpoint; `browser`: reached by the citizen's browser (HTML pages, redirects). The
    provider's path is the operation's name unless `backend_path` says otherwise."""

    caller: Caller = "client"
    browser: bool = False

    def __post_init__(self) -> None:
        if not self.backend_path:
            object.__setattr__(self, "backend_path", f"/{self.name}")  # frozen: set once, here


class OidcAdapter(Adapter):
    """An OpenID provider behind `/{context}/{version}/`: requests go on with their query, form body and
    client credentials; answers come back with their status, redirect and challenge headers."""

    protocol = "oidc"
    operations: ClassVar[tuple[OidcOperation, ...]] = ()
    # The cookie in which the provider keeps a browser's sign-in (single sign-on): the one cookie passed to
    # and from its browser endpoints. Others stay at the gateway: the console's session shares the origin.
    session_cookie: ClassVar[str | None] = None

    async def pass_request(
        self, operation: Operation, query: str, body: bytes, headers: dict[str, str]
    ) -> Reply:
        """The caller's request, as it came, to the provider's endpoint named like the operation; `headers`
        are those the gateway passes on (credentials, content type, forwarding)."""
        url = self.base_url + operation.backend_path + (f"?{query}" if query else "")
        content = body if operation.method != "GET" else None

        async def once() -> Reply:
            response = await self._send(operation.method, url, headers, content)
            if not (200 <= response.status < 400 or response.status in _PROTOCOL_REFUSALS):
                raise_for_backend_status(response.status, response.body)
            answer = response.headers
            passed = tuple((name, v) for name in PASSED_HEADERS if (v := answer.get(name)) is not None)
            cookie = answer.get("set-cookie")
            if cookie is not None and self._own_session_cookie(operation, cookie):
                passed += (("set-cookie", cookie),)
            return Reply(response.status, response.body, response.status, response.content_type, passed)

        return await self._with_retries(operation, once)

    def _own_session_cookie(self, operation: Operation, set_cookie: str) -> bool:
        """Whether a Set-Cookie of the provider's may reach the browser: its session cookie, on a page."""
        browser = isinstance(operation, OidcOperation) and operation.browser
        return browser and bool(self.session_cookie) and set_cookie.startswith(f"{self.session_cookie}=")

    async def _call_once(self, call: Call) -> Reply:
        """A call made of validated fields (the self-test): query for GET, form body otherwise."""
        fields = urlencode({name: str(value) for name, value in call.params.items()})
        if call.operation.method == "GET":
            return await self.pass_request(call.operation, fields, b"", call.headers)
        headers = {**call.headers, "content-type": FORM}
        return await self.pass_request(call.operation, "", fields.encode(), headers)

"""Operator sign-in for the console: a session cookie holding an operator token, and CSRF tokens.

The session cookie holds the same signed, expiring token the operator API takes as a Bearer token,
so there is no server-side session table and every gateway worker accepts it. CSRF tokens are an
HMAC of the session token (or, before sign-in, of a random pre-session cookie): a form posted from
another site cannot know them, and SameSite=Strict keeps the browser from sending the cookies anyway.
Signing out ends the session token in this worker process at once (a copied cookie no longer opens the
console there); other workers accept it until it expires (`token_ttl_s`), as they share no state.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
import time

from fastapi import Request, Response

from ndxp_sim.core.errors import ForbiddenError, GatewayError, UnauthorizedError
from ndxp_sim.core.settings import Settings
from ndxp_sim.gateway.auth import Caller, TokenService

OPERATOR_ROLE = "operator"
SESSION_COOKIE = "ndxp_console"
PRE_SESSION_COOKIE = "ndxp_console_pre"
COOKIE_PATH = "/console"
_MAX_SIGNED_OUT = 10_000  # sessions remembered as ended; older ones are forgotten first


class SignInRequiredError(Exception):
    """No valid operator session: pages send the browser to sign-in, data endpoints answer 401."""


class CsrfError(ForbiddenError):
    """A state-changing form without the token of this session."""


class Sessions:
    """Signs operators in and out and checks the cookie and CSRF token of every console request."""

    def __init__(self, settings: Settings, tokens: TokenService) -> None:
        self._tokens = tokens
        self._ttl_s = settings.token_ttl_s
        secret = settings.jwt_secret.get_secret_value().encode()
        self._csrf_key = hashlib.sha256(b"ndxp-console-csrf\0" + secret).digest()
        self._signed_out: dict[bytes, float] = {}  # digest of an ended session token -> when it expires

    async def sign_in(self, client_id: str, client_secret: str) -> str:
        """A session token for an operator; UnauthorizedError for wrong credentials, ForbiddenError
        for a consumer that is not an operator."""
        if not client_id or not client_secret:
            raise UnauthorizedError("client_id and client_secret are required")
        consumer = await self._tokens.authenticate(client_id, client_secret)  # PBKDF2 on its own pool
        if OPERATOR_ROLE not in consumer.roles:
            raise ForbiddenError("the console is for operators only")
        return str(self._tokens.issue(consumer)["access_token"])

    def operator(self, request: Request) -> Caller:
        """The signed-in operator, or SignInRequiredError."""
        token = request.cookies.get(SESSION_COOKIE)
        if not token or _digest(token) in self._signed_out:
            raise SignInRequiredError
        try:
            caller = self._tokens.verify(f"Bearer {token}")
        except GatewayError:
            raise SignInRequiredError from None
        if OPERATOR_ROLE not in caller.consumer.roles:
            raise SignInRequiredError
        return caller

    def csrf_token(self, request: Request) -> str:
        """The token forms of this session (or pre-session) must carry; '' when there is neither."""
        session = request.cookies.get(SESSION_COOKIE)
        binding = f"s:{session}" if session else f"p:{request.cookies.get(PRE_SESSION_COOKIE, '')}"
        if binding in ("s:", "p:"):
            return ""
        return hmac.new(self._csrf_key, binding.encode(), hashlib.sha256).hexdigest()

    def check_csrf(self, request: Request, submitted: str | None) -> None:
        expected = self.csrf_token(request)
        if not expected or not submitted or not hmac.compare_digest(expected, submitted):
            raise CsrfError("missing or wrong CSRF token")

    def pre_session(self, request: Request) -> tuple[str, str | None]:
        """(CSRF token for the sign-in form, pre-session nonce to set as a cookie or None if the
        browser already has a console cookie)."""
        if request.cookies.get(SESSION_COOKIE) or request.cookies.get(PRE_SESSION_COOKIE):
            return self.csrf_token(request), None
        nonce = secrets.token_urlsafe(24)
        return hmac.new(self._csrf_key, f"p:{nonce}".encode(), hashlib.sha256).hexdigest(), nonce

    def set_pre_session(self, request: Request, response: Response, nonce: str) -> None:
        self._set(request, response, PRE_SESSION_COOKIE, nonce, max_age=None)

    def start(self, request: Request, response: Response, token: str) -> None:
        self._set(request, response, SESSION_COOKIE, token, max_age=self._ttl_s)
        response.delete_cookie(PRE_SESSION_COOKIE, path=COOKIE_PATH)

    def end(self, request: Request, response: Response) -> None:
        """Sign out: the cookie is deleted and its token refused from now on in this process."""
        token = request.cookies.get(SESSION_COOKIE)
        if token:
            now = time.monotonic()
            self._signed_out = {k: until for k, until in self._signed_out.items() if until > now}
            while len(self._signed_out) >= _MAX_SIGNED_OUT:
                del self._signed_out[next(iter(self._signed_out))]
            self._signed_out[_digest(token)] = now + self._ttl_s
        response.delete_cookie(SESSION_COOKIE, path=COOKIE_PATH)

    @staticmethod
    def _set(request: Request, response: Response, name: str, value: str, max_age: int | None) -> None:
        response.set_cookie(
            name,
            value,
            max_age=max_age,
            path=COOKIE_PATH,
            httponly=True,
            secure=request.url.scheme == "https",
            samesite="strict",
        )


def _digest(token: str) -> bytes:
    return hashlib.sha256(token.encode()).digest()

"""Consumer secrets, JWT access tokens (HS256), LGSP `lgspaccesstoken` credentials, and their checks."""

from __future__ import annotations

import asyncio
import base64
import functools
import hashlib
import hmac
import secrets
import time
from collections.abc import Mapping
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

import orjson
from joserfc import jwt
from joserfc.errors import ClaimError, ExpiredTokenError, JoseError
from joserfc.jwk import OctKey

from ndxp_sim.core.errors import QuotaExceededError, UnauthorizedError
from ndxp_sim.core.settings import ConsumerSettings, Settings
from ndxp_sim.gateway.token_throttle import FAILURES_PER_CLIENT, FixedWindows

_ALGORITHM = "HS256"
_PBKDF2_ITERATIONS = 100_000
_CACHE_MAX = 10_000
_CLOCK_LEEWAY_S = 30  # between replicas that issue and verify each other's tokens
_HASHING_THREADS = 2
_HASHING_QUEUE_MAX = 32  # PBKDF2 checks waiting or running (~50 ms each); more are told to retry
LGSP_TOKEN_HEADER = "lgspaccesstoken"
_LGSP_TOKEN_MAX_CHARS = 4096  # base64 of a JSON object with a handful of short keys


def hash_secret(secret: str, *, iterations: int = _PBKDF2_ITERATIONS) -> str:
    """A salted PBKDF2-SHA256 hash in the form pbkdf2_sha256$iterations$salt$hash."""
    salt = secrets.token_hex(8)
    digest = hashlib.pbkdf2_hmac("sha256", secret.encode(), salt.encode(), iterations)
    return f"pbkdf2_sha256${iterations}${salt}${digest.hex()}"


@functools.cache
def _dummy_hash() -> str:
    return hash_secret(secrets.token_hex(16))


def _check_secret(secret: str, stored: str | None) -> bool:
    """`verify_secret`, against a dummy hash for unknown ids: the same work, so time tells nothing."""
    return verify_secret(secret, stored if stored is not None else _dummy_hash())


def verify_secret(secret: str, stored: str) -> bool:
    try:
        scheme, iterations, salt, expected = stored.split("$")
    except ValueError:
        return False
    if scheme != "pbkdf2_sha256":
        return False
    digest = hashlib.pbkdf2_hmac("sha256", secret.encode(), salt.encode(), int(iterations))
    return hmac.compare_digest(digest.hex(), expected)


@dataclass(frozen=True, slots=True)
class Caller:
    """Who is calling, as proven by a verified token."""

    consumer: ConsumerSettings
    token_expires_at: float


@dataclass(frozen=True, slots=True)
class LgspAccessToken:
    """What a `lgspaccesstoken` header carries (the other fields, AppName…, are the caller's own)."""

    access_key: str
    secret_key: str
    partner_code: str | None


def parse_lgsp_token(value: str) -> LgspAccessToken:
    """The fields of a `lgspaccesstoken` header (base64 of a JSON object), or UnauthorizedError."""
    malformed = UnauthorizedError("malformed lgspaccesstoken (base64 JSON with AccessKey and SecretKey)")
    if len(value) > _LGSP_TOKEN_MAX_CHARS:
        raise malformed
    try:
        fields = orjson.loads(base64.b64decode(value.strip(), validate=True))
    except (ValueError, orjson.JSONDecodeError):
        raise malformed from None
    if not isinstance(fields, dict):
        raise malformed
    access_key, secret_key = fields.get("AccessKey"), fields.get("SecretKey")
    partner_code = fields.get("PartnerCode")
    if not (isinstance(access_key, str) and access_key and isinstance(secret_key, str) and secret_key):
        raise malformed
    return LgspAccessToken(access_key, secret_key, partner_code if isinstance(partner_code, str) else None)


class TokenService:
    """Issues tokens for consumers and verifies bearer tokens, caching verified ones until expiry."""

    def __init__(self, settings: Settings) -> None:
        self._settings = settings
        self._key = OctKey.import_key(settings.jwt_secret.get_secret_value().encode())
        self._verified: dict[str, Caller] = {}
        self._lgsp_verified: dict[bytes, ConsumerSettings] = {}
        # Sent on calls too, not only to /token: wrong secrets per AccessKey are throttled here.
        self._lgsp_failures = FixedWindows(FAILURES_PER_CLIENT, time.monotonic)
        # PBKDF2 has its own small pool: a flood of wrong secrets queues here, not in the pool every
        # other blocking call of the process shares.
        self._hashing: ThreadPoolExecutor | None = None  # started on first use, again after close()
        self._hashing_in_flight = 0

    async def authenticate(self, client_id: str, client_secret: str) -> ConsumerSettings:
        """The consumer whose id and secret these are, or UnauthorizedError; as slow for unknown ids."""
        consumer = self._settings.consumer(client_id)
        stored = consumer.secret_hash if consumer is not None else None
        if not await self._secret_matches(client_secret, stored) or consumer is None:
            raise UnauthorizedError("invalid client credentials")
        return consumer

    async def authenticate_lgsp(self, header: str) -> ConsumerSettings:
        """The consumer whose `lgspaccesstoken` this is, or UnauthorizedError. A header that checked out
        once is remembered (by its digest), so one sent on every call costs one PBKDF2 check, not many."""
        digest = hashlib.sha256(header.encode()).digest()
        known = self._lgsp_verified.get(digest)
        if known is not None:
            return known
        token = parse_lgsp_token(header)
        wait = self._lgsp_failures.full(token.access_key)
        if wait is not None:
            raise QuotaExceededError("too many failed lgspaccesstoken checks for this AccessKey", wait)
        consumer = self._settings.consumer_by_access_key(token.access_key)
        access = consumer.lgsp_access if consumer is not None else None
        matches = await self._secret_matches(token.secret_key, access.secret_hash if access else None)
        if consumer is None or access is None or not matches:
            self._lgsp_failures.add(token.access_key)
            raise UnauthorizedError("invalid lgspaccesstoken")
        if access.partner_code is not None and token.partner_code != access.partner_code:
            self._lgsp_failures.add(token.access_key)
            raise UnauthorizedError("lgspaccesstoken: PartnerCode does not match this AccessKey")
        if len(self._lgsp_verified) >= _CACHE_MAX:
            self._lgsp_verified.clear()
        self._lgsp_verified[digest] = consumer
        return consumer

    async def identify(self, headers: Mapping[str, str]) -> Caller:
        """The caller of a service call: a bearer token, a `lgspaccesstoken`, or both (then both must be
        valid and name the same consumer, as a provincial LGSP's clients send them together)."""
        authorization, lgsp = headers.get("authorization"), headers.get(LGSP_TOKEN_HEADER)
        if lgsp is None:
            if not authorization:
                raise UnauthorizedError("missing bearer token (or lgspaccesstoken)")
            return self.verify(authorization)
        caller = self.verify(authorization) if authorization else None
        consumer = await self.authenticate_lgsp(lgsp)
        if caller is None:
            return Caller(consumer=consumer, token_expires_at=float("inf"))
        if caller.consumer.id != consumer.id:
            raise UnauthorizedError("the bearer token and the lgspaccesstoken name different consumers")
        return caller

    async def _secret_matches(self, secret: str, stored: str | None) -> bool:
        """PBKDF2 in the hashing pool; against a dummy hash when `stored` is None (same time either way)."""
        if self._hashing_in_flight >= _HASHING_QUEUE_MAX:
            raise QuotaExceededError("the token service is busy", 1)
        self._hashing_in_flight += 1
        try:
            if self._hashing is None:
                self._hashing = ThreadPoolExecutor(max_workers=_HASHING_THREADS, thread_name_prefix="pbkdf2")
            loop = asyncio.get_running_loop()
            return await loop.run_in_executor(self._hashing, _check_secret, secret, stored)
        finally:
            self._hashing_in_flight -= 1

    def close(self) -> None:
        if self._hashing is not None:
            self._hashing.shutdown(wait=False, cancel_futures=True)
            self._hashing = None

    def issue(self, consumer: ConsumerSettings) -> dict[str, object]:
        now = int(time.time())
        ttl = self._settings.token_ttl_s
        claims = {
            "iss": self._settings.token_issuer,
            "aud": self._settings.token_issuer,  # tokens are for this gateway (every replica) only
            "nbf": now,
            "sub": consumer.id,
            "iat": now,
            "exp": now + ttl,
            "jti": secrets.token_hex(8),
            "scope": " ".join(consumer.roles),
        }
        token = jwt.encode({"alg": _ALGORITHM, "typ": "JWT"}, claims, self._key, algorithms=[_ALGORITHM])
        return {"access_token": token, "token_type": "Bearer", "expires_in": ttl, "scope": claims["scope"]}

    def verify(self, authorization: str | None) -> Caller:
        """The caller behind an `Authorization: Bearer …` header, or UnauthorizedError."""
        if not authorization or not authorization[:7].lower() == "bearer ":
            raise UnauthorizedError("missing bearer token")
        token = authorization[7:].strip()
        now = time.time()
        caller = self._verified.get(token)
        if caller is not None:
            if caller.token_expires_at > now:
                return caller
            del self._verified[token]
            raise UnauthorizedError("token expired")
        caller = self._decode(token, now)
        if len(self._verified) >= _CACHE_MAX:
            self._verified.clear()  # cheap bound; verified tokens are re-verified on next use
        self._verified[token] = caller
        return caller

    def _decode(self, token: str, now: float) -> Caller:
        try:
            decoded = jwt.decode(token, self._key, algorithms=[_ALGORITHM])
        except (JoseError, ValueError, TypeError):
            raise UnauthorizedError("invalid token") from None
        claims = decoded.claims
        try:
            self._claims(int(now)).validate(claims)
        except ExpiredTokenError:
            raise UnauthorizedError("token expired") from None
        except ClaimError as error:
            raise UnauthorizedError(f"invalid token ({error.claim}: {error.description})") from None
        consumer = self._settings.consumer(str(claims.get("sub")))
        if consumer is None:
            raise UnauthorizedError("token names an unknown consumer")
        return Caller(consumer=consumer, token_expires_at=float(claims["exp"]))

    def _claims(self, now: int) -> jwt.JWTClaimsRegistry:
        """What a token of this gateway must claim: its issuer and audience, a subject, an expiry, and
        validity now (nbf and iat not in the future, up to _CLOCK_LEEWAY_S of clock skew)."""
        issuer = self._settings.token_issuer
        return jwt.JWTClaimsRegistry(
            now=now,
            leeway=_CLOCK_LEEWAY_S,
            iss={"essential": True, "value": issuer},
            aud={"essential": True, "value": issuer},
            sub={"essential": True},
            exp={"essential": True},
            nbf={"essential": True},
        )


def parse_basic(authorization: str | None) -> tuple[str, str] | None:
    """(client_id, client_secret) from an `Authorization: Basic …` header, if there is one."""
    if not authorization or authorization[:6].lower() != "basic ":
        return None
    try:
        decoded = base64.b64decode(authorization[6:].strip(), validate=True).decode()
    except (ValueError, UnicodeDecodeError):
        raise UnauthorizedError("malformed Basic credentials") from None
    client_id, sep, client_secret = decoded.partition(":")
    if not sep:
        raise UnauthorizedError("malformed Basic credentials")
    return client_id, client_secret

"""#23 VNeID sign-in (SSO): an OpenID Connect provider; code + PKCE, refresh tokens, levels mức 1 and 2."""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
import time
import uuid
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cached_property
from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qsl, urlencode, urlsplit

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, JSONResponse, RedirectResponse, Response
from jinja2 import Environment
from joserfc import jwt
from joserfc.errors import JoseError
from joserfc.jwk import KeySet, RSAKey

from ndxp_sim.core import identities
from ndxp_sim.mock_services.context import MockContext
from ndxp_sim.mock_services.people import dmy

if TYPE_CHECKING:
    from ndxp_sim.core.model import Citizen
    from ndxp_sim.core.settings import OidcClientSettings, Settings
    from ndxp_sim.mock_services.population import Population

SERVICE = "vneid_sso"
# acr values as the DVCQG/VNeID sign-in names them (acr_values=LoA1): level of assurance mức 1 / mức 2.
LEVELS = {"LoA1": 1, "LoA2": 2}
CODE_TTL_S = 60.0  # an authorization code is good for one exchange within a minute (RFC 6749 §4.1.2)
PENDING_TTL_S = 600.0  # a sign-in page left open this long has to start again
TOKEN_TTL_S = 900
# A refresh token keeps a portal's session for a working day; each use gives a new one (rotation), and a
# used one presented again ends the whole sign-in, as a stolen copy may be in play (RFC 9700 §4.14.2).
REFRESH_TTL_S = 8 * 3600
# The browser's sign-in at the provider (single sign-on): a later authorization request from any client is
# answered with a code at once, unless it asks for a sign-in (prompt=login) or a higher level.
SESSION_COOKIE = "ndxp_vneid_sso"  # the one cookie the gateway passes to and from this provider
SESSION_TTL_S = 8 * 3600
MAX_STATE = 10_000  # pending sign-ins and issued codes held at most (the oldest go first)
SIGNING_ALG = "RS256"
# Fixed test citizens with a VNeID account, and its level; the wife only has a level-1 (app-only) account.
FIXED_ACCOUNTS = {identities.CITIZEN_EXISTS: 2, identities.COUPLE_HUSBAND: 2, identities.COUPLE_WIFE: 1}
GENERATED_ACCOUNTS = 4  # living adults of the synthetic population also listed on the sign-in page
_TECH_ID_NAMESPACE = uuid.UUID("6f1c3f5e-2d7a-4c1b-9a8e-0c2b7d5e4f31")  # fixed: TechIDs stay the same
_NO_STORE = {"cache-control": "no-store", "pragma": "no-cache"}
_HTML = Environment(autoescape=True)


def _now() -> float:
    """The provider's clock (tests move it to expire codes)."""
    return time.time()


class OAuthError(Exception):
    """An OAuth 2.0 refusal: `error` code, `error_description` naming the field, HTTP status."""

    def __init__(self, error: str, description: str, status: int = 400) -> None:
        super().__init__(description)
        self.error, self.description, self.status = error, description, status

    def body(self) -> dict[str, str]:
        return {"error": self.error, "error_description": self.description}


@dataclass(frozen=True, slots=True)
class Account:
    """A citizen's VNeID account: level 1 (registered in the app) or 2 (verified in person, chip card)."""

    citizen: Citizen
    level: int

    @property
    def tech_id(self) -> str:
        return str(uuid.uuid5(_TECH_ID_NAMESPACE, self.citizen.so_dinh_danh))

    @property
    def acr(self) -> str:
        return f"LoA{self.level}"


@dataclass(slots=True)
class AuthRequest:
    """A checked authorization request waiting at the sign-in page."""

    client_id: str
    redirect_uri: str
    scope: str
    code_challenge: str
    min_level: int
    state: str | None
    nonce: str | None
    expires_at: float


@dataclass(slots=True)
class Grant:
    """An issued authorization code; kept after use so a replay revokes what it gave (RFC 6749 §4.1.2)."""

    request: AuthRequest
    account: Account
    auth_time: int
    expires_at: float
    used: bool = False
    token_ids: list[str] = field(default_factory=list)  # jti of every access token given under it
    refresh_tokens: list[str] = field(default_factory=list)  # every refresh token given under it


@dataclass(slots=True)
class Session:
    """A browser signed in at the provider: who, since when."""

    account: Account
    auth_time: int
    expires_at: float


@dataclass(slots=True)
class Refresh:
    """An issued refresh token: the sign-in it continues, the scope it may ask for, whether it was used."""

    grant: Grant
    scope: str
    expires_at: float
    used: bool = False


def _accounts(population: Population) -> dict[str, Account]:
    """The accounts the sign-in page lists: the fixed citizens, then a few living adults, deterministic."""
    accounts = {
        number: Account(citizen, level)
        for number, level in FIXED_ACCOUNTS.items()
        if (citizen := population.citizen(number)) is not None
    }
    adults = sorted(
        (c for c in population.citizens.values() if not c.da_mat and c.ngay_sinh.year <= 2006),
        key=lambda c: c.so_dinh_danh,
    )
    for citizen in [c for c in adults if c.so_dinh_danh not in accounts][:GENERATED_ACCOUNTS]:
        level = 2 if int(citizen.so_dinh_danh[-1]) % 2 == 0 else 1  # a fixed rule, so tests can rely on it
        accounts[citizen.so_dinh_danh] = Account(citizen, level)
    return accounts


def _bounded(held: dict[str, Any], now: float) -> None:
    """Drops what expired, then the oldest, so caller-made state stays within MAX_STATE."""
    for key in [key for key, value in held.items() if value.expires_at < now - TOKEN_TTL_S]:
        del held[key]
    while len(held) >= MAX_STATE:
        del held[next(iter(held))]


def _single(pairs: list[tuple[str, str]], where: str) -> dict[str, str]:
    """Parameters by name; a repeated one is refused (RFC 6749 §3.1)."""
    params: dict[str, str] = {}
    for name, value in pairs:
        if name in params:
            raise OAuthError("invalid_request", f"{name}: tham số bị lặp lại trong {where}")
        params[name] = value
    return params


def _s256(verifier: str) -> str:
    digest = hashlib.sha256(verifier.encode("ascii")).digest()
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode()


def issuer_of(request: Request) -> str:
    """The issuer as the caller reached the provider: through the gateway (which says where, in
    X-Forwarded-*), else directly. Discovery, tokens and pages all name this one."""
    host = request.headers.get("x-forwarded-host")
    prefix = request.headers.get("x-forwarded-prefix")
    if host and prefix:
        proto = request.headers.get("x-forwarded-proto", "http")
        return f"{proto}://{host}{prefix.rstrip('/')}"
    return f"{str(request.base_url).rstrip('/')}/{SERVICE}"


class Provider:
    """The OpenID provider's state: signing key, registered clients, accounts, pending sign-ins, codes."""

    def __init__(self, settings: Settings, population: Population) -> None:
        self.clients: dict[str, OidcClientSettings] = {
            consumer.id: consumer.oidc for consumer in settings.consumers if consumer.oidc is not None
        }
        self.accounts = _accounts(population)
        self.pending: dict[str, AuthRequest] = {}
        self.grants: dict[str, Grant] = {}
        self.refreshes: dict[str, Refresh] = {}
        self.sessions: dict[str, Session] = {}
        self.revoked: dict[str, float] = {}  # jti of access tokens revoked (replay, sign-out) -> forget after

    @cached_property
    def key(self) -> RSAKey:
        """A fresh signing key per start, made on first use and named fake: it signs nothing real."""
        kid = f"fake-vneid-sso-{secrets.token_hex(4)}"
        return RSAKey.generate_key(2048, parameters={"kid": kid, "use": "sig", "alg": SIGNING_ALG})

    def jwks(self) -> dict[str, Any]:
        return dict(KeySet([self.key]).as_dict(private=False))

    def discovery(self, issuer: str) -> dict[str, Any]:
        return {
            "issuer": issuer,
            "authorization_endpoint": f"{issuer}/authorize",
            "token_endpoint": f"{issuer}/token",
            "userinfo_endpoint": f"{issuer}/userinfo",
            "jwks_uri": f"{issuer}/jwks",
            "end_session_endpoint": f"{issuer}/logout",
            "scopes_supported": ["openid"],
            "response_types_supported": ["code"],
            "response_modes_supported": ["query"],
            "grant_types_supported": ["authorization_code", "refresh_token"],
            "prompt_values_supported": ["none", "login", "select_account"],
            "subject_types_supported": ["public"],
            "id_token_signing_alg_values_supported": [SIGNING_ALG],
            "token_endpoint_auth_methods_supported": ["client_secret_basic", "client_secret_post"],
            "code_challenge_methods_supported": ["S256"],
            "acr_values_supported": list(LEVELS),
            "claims_supported": [
                "sub",
                "iss",
                "aud",
                "exp",
                "iat",
                "auth_time",
                "nonce",
                "acr",
                "LoaiTaiKhoan",
                "SoDinhDanh",
                "SoCMND",
                "HoVaTen",
                "GioiTinh",
                "NgayThangNamSinh",
                "SoDienThoai",
                "ThuDienTu",
                "TechID",
                "loAs",
                "IAL",
            ],
            "ui_locales_supported": ["vi"],
        }

    # authorization endpoint

    def client_and_redirect(self, params: Mapping[str, str]) -> tuple[str, str]:
        """The client and redirect URI, checked before anything may be sent back to that URI."""
        client_id = params.get("client_id", "")
        client = self.clients.get(client_id)
        if client is None:
            raise OAuthError("invalid_client", "client_id: ứng dụng chưa đăng ký với VNeID", 400)
        redirect_uri = params.get("redirect_uri", "")
        if redirect_uri not in client.redirect_uris:
            raise OAuthError("invalid_request", "redirect_uri: không khớp địa chỉ đã đăng ký của ứng dụng")
        return client_id, redirect_uri

    def authorize(
        self, params: Mapping[str, str], client_id: str, redirect_uri: str, session_id: str | None = None
    ) -> tuple[AuthRequest, str | None, str | None]:
        """(the request, the pending sign-in's id for the page or None, a code at once or None) once the
        request holds up: a code when the browser's session (`session_id`) has a high enough level and the
        request does not ask for a sign-in; OAuthError to send back to the client."""
        if params.get("response_type") != "code":
            raise OAuthError("unsupported_response_type", "response_type: chỉ hỗ trợ code")
        if "openid" not in params.get("scope", "").split():
            raise OAuthError("invalid_scope", "scope: phải có openid")
        prompt = set(params.get("prompt", "").split())
        if "none" in prompt and len(prompt) > 1:
            raise OAuthError("invalid_request", "prompt: none không đi cùng giá trị khác")
        challenge = params.get("code_challenge", "")
        if not challenge:
            raise OAuthError("invalid_request", "code_challenge: bắt buộc (PKCE, S256)")
        if params.get("code_challenge_method") != "S256":
            raise OAuthError("invalid_request", "code_challenge_method: chỉ chấp nhận S256")
        if not 43 <= len(challenge) <= 128:
            raise OAuthError("invalid_request", "code_challenge: độ dài không hợp lệ")
        levels = params.get("acr_values", "LoA1").split() or ["LoA1"]
        unknown = [value for value in levels if value not in LEVELS]
        if unknown:
            supported = ", ".join(LEVELS)
            raise OAuthError("invalid_request", f"acr_values: mức {unknown[0]!r} không hỗ trợ ({supported})")
        now = _now()
        request = AuthRequest(
            client_id=client_id,
            redirect_uri=redirect_uri,
            scope=params["scope"],
            code_challenge=challenge,
            min_level=min(LEVELS[value] for value in levels),
            state=params.get("state"),
            nonce=params.get("nonce"),
            expires_at=now + PENDING_TTL_S,
        )
        session = self.session(session_id)
        if session is not None and session.account.level < request.min_level:
            session = None  # signed in at too low a level: a sign-in at the level asked for is needed
        if "none" in prompt and session is None:
            raise OAuthError("login_required", "prompt=none: người dùng phải đăng nhập VNeID")
        if session is not None and not prompt & {"login", "select_account"}:
            return request, None, self._code(request, session.account, session.auth_time)
        _bounded(self.pending, now)
        request_id = secrets.token_urlsafe(24)
        self.pending[request_id] = request
        return request, request_id, None

    def session(self, session_id: str | None) -> Session | None:
        """The browser's live session at the provider, if its cookie names one."""
        held = self.sessions.get(session_id) if session_id else None
        if held is None or held.expires_at < _now():
            return None
        return held

    def _code(self, request: AuthRequest, account: Account, auth_time: int) -> str:
        now = _now()
        _bounded(self.grants, now)
        code = secrets.token_urlsafe(32)
        self.grants[code] = Grant(request, account, auth_time, now + CODE_TTL_S)
        return code

    def waiting(self, request_id: str, client_id: str) -> AuthRequest:
        """The pending sign-in the page's form names, for the client the form names (the gateway admitted
        and recorded the request under that client: it must be the one the sign-in is for)."""
        pending = self.pending.get(request_id)
        if pending is None or pending.expires_at < _now():
            raise OAuthError("invalid_request", "request_id: phiên đăng nhập không tồn tại hoặc đã hết hạn")
        if pending.client_id != client_id:
            raise OAuthError("invalid_request", "client_id: không khớp phiên đăng nhập")
        return pending

    def sign_in(self, request_id: str, client_id: str, account_id: str) -> tuple[AuthRequest, str, str]:
        """(the request, the code for the chosen account, the browser's new session id);
        OAuthError("access_denied") when the account's level is too low."""
        pending = self.waiting(request_id, client_id)
        account = self.accounts.get(account_id)
        if account is None:
            raise OAuthError("invalid_request", "SoDinhDanh: không có tài khoản định danh điện tử")
        if account.level < pending.min_level:
            raise OAuthError(
                "access_denied",
                f"Tài khoản định danh điện tử mức {account.level} không đạt mức {pending.min_level} "
                "mà dịch vụ yêu cầu",
            )
        del self.pending[request_id]
        now = _now()
        _bounded(self.sessions, now)
        session_id = secrets.token_urlsafe(32)
        self.sessions[session_id] = Session(account, int(now), now + SESSION_TTL_S)
        return pending, self._code(pending, account, int(now)), session_id

    def deny(self, request_id: str, client_id: str) -> AuthRequest:
        pending = self.waiting(request_id, client_id)
        del self.pending[request_id]
        return pending

    # token endpoint

    def authenticate(self, authorization: str | None, form: Mapping[str, str]) -> str:
        """The client proven by client_secret_basic or client_secret_post (exactly one), else 401."""
        basic = authorization is not None and authorization[:6].lower() == "basic "
        if basic and "client_secret" in form:
            raise OAuthError("invalid_request", "chỉ dùng một cách xác thực ứng dụng (Basic hoặc form)")
        if basic:
            assert authorization is not None
            try:
                decoded = base64.b64decode(authorization[6:].strip(), validate=True).decode()
            except ValueError:
                raise OAuthError("invalid_client", "Authorization: không phải Basic hợp lệ", 401) from None
            raw_id, _, raw_secret = decoded.partition(":")
            client_id, secret = _form_decoded(raw_id), _form_decoded(raw_secret)  # RFC 6749 §2.3.1
            if form.get("client_id", client_id) != client_id:
                raise OAuthError("invalid_request", "client_id: không khớp với xác thực Basic")
        else:
            client_id, secret = form.get("client_id", ""), form.get("client_secret", "")
        client = self.clients.get(client_id)
        expected = client.client_secret.get_secret_value() if client else secrets.token_hex(16)
        if not (secret and hmac.compare_digest(secret.encode(), expected.encode()) and client):
            raise OAuthError("invalid_client", "client_id/client_secret: xác thực ứng dụng thất bại", 401)
        return client_id

    def token(self, client_id: str, form: Mapping[str, str], issuer: str) -> dict[str, Any]:
        """Tokens for an authorization code or a refresh token (RFC 6749 §4.1.3, §6)."""
        grant_type = form.get("grant_type")
        if grant_type == "authorization_code":
            return self.exchange_code(client_id, form, issuer)
        if grant_type == "refresh_token":
            return self.refresh(client_id, form, issuer)
        supported = "grant_type: chỉ hỗ trợ authorization_code và refresh_token"
        raise OAuthError("unsupported_grant_type", supported)

    def exchange_code(self, client_id: str, form: Mapping[str, str], issuer: str) -> dict[str, Any]:
        code = form.get("code", "")
        grant = self.grants.get(code)
        if grant is None or grant.request.client_id != client_id:
            raise OAuthError("invalid_grant", "code: mã ủy quyền không hợp lệ")
        if grant.used:
            self._end(grant)  # a replayed code may be stolen: what it gave is revoked
            raise OAuthError(
                "invalid_grant", "code: mã ủy quyền đã được sử dụng; các token đã cấp bị thu hồi"
            )
        if grant.expires_at < _now():
            raise OAuthError("invalid_grant", "code: mã ủy quyền đã hết hạn")
        if form.get("redirect_uri") != grant.request.redirect_uri:
            raise OAuthError("invalid_grant", "redirect_uri: không khớp với yêu cầu ủy quyền")
        verifier = form.get("code_verifier", "")
        if not verifier:
            raise OAuthError("invalid_request", "code_verifier: bắt buộc (PKCE)")
        if not hmac.compare_digest(_s256(verifier), grant.request.code_challenge):
            raise OAuthError("invalid_grant", "code_verifier: không khớp code_challenge")
        grant.used = True
        return self._tokens(grant, issuer, grant.request.scope)

    def refresh(self, client_id: str, form: Mapping[str, str], issuer: str) -> dict[str, Any]:
        """New tokens for a refresh token, which is spent: the answer carries the next one."""
        presented = form.get("refresh_token", "")
        if not presented:
            raise OAuthError("invalid_request", "refresh_token: bắt buộc với grant_type=refresh_token")
        held = self.refreshes.get(presented)
        if held is None or held.grant.request.client_id != client_id:
            raise OAuthError("invalid_grant", "refresh_token: không hợp lệ hoặc đã bị thu hồi")
        if held.used:
            self._end(held.grant)
            raise OAuthError("invalid_grant", "refresh_token: đã được sử dụng; phiên đăng nhập đã bị thu hồi")
        if held.expires_at < _now():
            raise OAuthError("invalid_grant", "refresh_token: đã hết hạn")
        scope = form.get("scope") or held.scope
        widened = sorted(set(scope.split()) - set(held.scope.split()))
        if widened:
            wider = " ".join(widened)
            raise OAuthError("invalid_scope", f"scope: không được rộng hơn phạm vi đã cấp ({wider})")
        held.used = True
        return self._tokens(held.grant, issuer, scope)

    def _tokens(self, grant: Grant, issuer: str, scope: str) -> dict[str, Any]:
        now = int(_now())
        account, request = grant.account, grant.request
        jti = secrets.token_urlsafe(16)
        grant.token_ids.append(jti)
        access = {
            "iss": issuer,
            "sub": account.tech_id,
            "aud": f"{issuer}/userinfo",
            "client_id": request.client_id,
            "scope": scope,
            "acr": account.acr,
            "jti": jti,
            "iat": now,
            "exp": now + TOKEN_TTL_S,
        }
        identity = {
            "iss": issuer,
            "sub": account.tech_id,
            "aud": request.client_id,
            "iat": now,
            "exp": now + TOKEN_TTL_S,
            "auth_time": grant.auth_time,
            "acr": account.acr,
            "amr": ["pwd"],
            # The sign-in's nonce, in the first ID token only: a refreshed one answers no new request
            # (OpenID Connect Core §12.2), and auth_time stays the sign-in's.
            **({"nonce": request.nonce} if request.nonce is not None and not grant.refresh_tokens else {}),
        }
        _bounded(self.refreshes, now)
        refresh_token = secrets.token_urlsafe(32)
        self.refreshes[refresh_token] = Refresh(grant, scope, now + REFRESH_TTL_S)
        grant.refresh_tokens.append(refresh_token)
        return {
            "access_token": self._sign(access, "at+jwt"),
            "token_type": "Bearer",
            "expires_in": TOKEN_TTL_S,
            "refresh_token": refresh_token,
            "scope": scope,
            "id_token": self._sign(identity, "JWT"),
        }

    def _end(self, grant: Grant) -> None:
        """Ends a sign-in: its access tokens revoked, its refresh tokens forgotten."""
        for refresh_token in grant.refresh_tokens:
            self.refreshes.pop(refresh_token, None)
        self._revoke(grant.token_ids)

    def _revoke(self, token_ids: list[str]) -> None:
        """Revoked until they would have expired anyway; then forgotten, so the set stays bounded."""
        now = _now()
        for jti in [jti for jti, until in self.revoked.items() if until < now]:
            del self.revoked[jti]
        self.revoked.update(dict.fromkeys(token_ids, now + TOKEN_TTL_S))

    def _sign(self, claims: dict[str, Any], typ: str) -> str:
        return jwt.encode({"alg": SIGNING_ALG, "kid": self.key.kid, "typ": typ}, claims, self.key)

    def _verified(self, token: str, issuer: str, *, check_exp: bool = True) -> dict[str, Any]:
        try:
            claims = dict(jwt.decode(token, self.key, algorithms=[SIGNING_ALG]).claims)
            registry = jwt.JWTClaimsRegistry(
                iss={"essential": True, "value": issuer}, exp={"essential": check_exp}
            )
            # An id_token_hint may have expired (OpenID Connect RP-Initiated Logout §2): not checked then.
            registry.validate(claims if check_exp else {k: v for k, v in claims.items() if k != "exp"})
        except (JoseError, ValueError) as error:
            raise OAuthError(
                "invalid_token", f"token: không hợp lệ ({error.__class__.__name__})", 401
            ) from None
        return claims

    # userinfo and sign-out

    def userinfo(self, authorization: str | None, issuer: str) -> dict[str, Any]:
        if authorization is None or authorization[:7].lower() != "bearer ":
            raise OAuthError("invalid_token", "Authorization: thiếu Bearer access token", 401)
        claims = self._verified(authorization[7:].strip(), issuer)
        if claims.get("jti") in self.revoked or "client_id" not in claims:
            raise OAuthError("invalid_token", "token: đã bị thu hồi", 401)
        account = next((a for a in self.accounts.values() if a.tech_id == claims.get("sub")), None)
        if account is None:
            raise OAuthError("invalid_token", "token: tài khoản không còn", 401)
        return _claims(account)

    def end_session(
        self, params: Mapping[str, str], issuer: str, session_id: str | None = None
    ) -> str | None:
        """Signs the subject out of the client (its tokens revoked) and the browser out of the provider
        (its session, `session_id`, ended); where to send the browser."""
        hint = params.get("id_token_hint")
        try:
            hinted = self._verified(hint, issuer, check_exp=False) if hint else None
        except OAuthError as error:  # shown on a page, where it is the request that is wrong
            raise OAuthError("invalid_request", f"id_token_hint: {error.description}") from None
        client_id = params.get("client_id") or (str(hinted["aud"]) if hinted else "")
        if hinted is not None and params.get("client_id") not in (None, hinted["aud"]):
            raise OAuthError("invalid_request", "client_id: không khớp id_token_hint")
        target = params.get("post_logout_redirect_uri")
        client = self.clients.get(client_id)
        if target is not None and (client is None or target not in client.post_logout_redirect_uris):
            raise OAuthError("invalid_request", "post_logout_redirect_uri: chưa đăng ký cho ứng dụng")
        if session_id:
            self.sessions.pop(session_id, None)
        if hinted is not None:
            # Codes are forgotten minutes after use; a sign-in lives on in its refresh tokens: look at both.
            grants = [*self.grants.values(), *(held.grant for held in self.refreshes.values())]
            for grant in {id(grant): grant for grant in grants}.values():
                if grant.request.client_id == client_id and grant.account.tech_id == hinted["sub"]:
                    self._end(grant)
        if target is None:
            return None
        state = params.get("state")
        return _with_query(target, {"state": state} if state else {})


def _form_decoded(value: str) -> str:
    return dict(parse_qsl(f"v={value}", keep_blank_values=True)).get("v", "")


def _with_query(uri: str, params: Mapping[str, str]) -> str:
    if not params:
        return uri
    return f"{uri}{'&' if '?' in uri else '?'}{urlencode(params)}"


def _claims(account: Account) -> dict[str, Any]:
    """Userinfo as DVCQG/VNeID portals read it (PascalCase); LoaiTaiKhoan 1 = citizen (DiaChi, MaSoDoanhNghiep
    and TenDoanhNghiep belong to enterprise accounts, which this provider does not have)."""
    person = account.citizen
    return {
        "sub": account.tech_id,
        "LoaiTaiKhoan": 1,
        "SoDinhDanh": person.so_dinh_danh,
        "SoCMND": person.so_cmnd,
        "HoVaTen": person.ho_va_ten,
        "GioiTinh": person.gioi_tinh,
        "NgayThangNamSinh": dmy(person.ngay_sinh),
        "SoDienThoai": person.so_dien_thoai,
        "ThuDienTu": person.email,
        "TechID": account.tech_id,
        "loAs": account.acr,
        "IAL": account.level,
    }


# pages

_PAGE = _HTML.from_string(
    """<!doctype html>
<html lang="vi"><head><meta charset="utf-8"><title>{{ title }}</title></head>
<body>
<h1>{{ title }}</h1>
<p>Cổng xác thực VNeID mô phỏng (ndxp-sim): tài khoản thử nghiệm, không phải dữ liệu thật.</p>
{% if error %}<p role="alert"><strong>{{ error }}</strong>: {{ description }}</p>{% endif %}
{% if accounts %}
<p>Ứng dụng <code>{{ client_id }}</code> yêu cầu đăng nhập, mức độ tối thiểu: mức {{ min_level }}.</p>
<form method="post" action="{{ action }}">
<input type="hidden" name="request_id" value="{{ request_id }}">
<input type="hidden" name="client_id" value="{{ client_id }}">
<table>
<tr><th></th><th>Số định danh</th><th>Họ và tên</th><th>Mức tài khoản</th></tr>
{% for account in accounts %}
<tr><td><input type="radio" name="SoDinhDanh" value="{{ account.citizen.so_dinh_danh }}"
 id="a{{ loop.index }}"{% if account.level < min_level %} disabled{% endif %}></td>
<td><label for="a{{ loop.index }}">{{ account.citizen.so_dinh_danh }}</label></td>
<td>{{ account.citizen.ho_va_ten }}</td><td data-level="{{ account.level }}">Mức {{ account.level }}</td></tr>
{% endfor %}
</table>
<button type="submit" name="action" value="login">Đăng nhập</button>
<button type="submit" name="action" value="deny">Từ chối</button>
</form>
{% endif %}
</body></html>
"""
)


def _page(title: str, status: int = 200, **values: Any) -> HTMLResponse:
    headers = {**_NO_STORE, "x-frame-options": "DENY", "content-security-policy": "default-src 'none'"}
    return HTMLResponse(_PAGE.render(title=title, **values), status, headers=headers)


def _refused_page(error: OAuthError) -> HTMLResponse:
    """For a request that cannot be sent back to the client (unknown client, unregistered URI)."""
    title = "Yêu cầu đăng nhập không hợp lệ"
    return _page(title, error.status, error=error.error, description=error.description)


def _json(body: dict[str, Any], status: int = 200, headers: Mapping[str, str] | None = None) -> JSONResponse:
    return JSONResponse(body, status, headers={**_NO_STORE, **(headers or {})})


def _oauth_json(error: OAuthError, scheme: str) -> JSONResponse:
    challenge = f'{scheme} realm="VNeID", error="{error.error}"' if error.status == 401 else None
    return _json(error.body(), error.status, {"www-authenticate": challenge} if challenge else None)


def _session_cookie(response: Response, issuer: str, session_id: str | None) -> None:
    """Sets the browser's session cookie, or clears it (None): the provider's own endpoints only (the
    issuer's path, at the gateway's address), HttpOnly, and Lax: sent on the top-level navigation that a
    portal's redirect to `authorize` is."""
    at = urlsplit(issuer)
    path, secure = at.path or "/", at.scheme == "https"
    if session_id is None:
        response.delete_cookie(SESSION_COOKIE, path=path, secure=secure, httponly=True, samesite="lax")
    else:
        response.set_cookie(
            SESSION_COOKIE,
            session_id,
            int(SESSION_TTL_S),
            path=path,
            secure=secure,
            httponly=True,
            samesite="lax",
        )


def _back_to_client(redirect_uri: str, params: dict[str, str | None]) -> RedirectResponse:
    query = {name: value for name, value in params.items() if value is not None}
    return RedirectResponse(_with_query(redirect_uri, query), 302, headers=_NO_STORE)


async def _form(request: Request) -> dict[str, str]:
    body = (await request.body()).decode("utf-8", "replace")
    return _single(parse_qsl(body, keep_blank_values=True), "form")


def create_router(ctx: MockContext) -> APIRouter:
    router = APIRouter()
    provider = Provider(ctx.settings, ctx.population)

    def sign_in_page(
        request: Request, request_id: str, pending: AuthRequest, error: OAuthError | None = None
    ) -> HTMLResponse:
        return _page(
            "Đăng nhập bằng tài khoản định danh điện tử VNeID",
            200 if error is None else error.status,
            error=error.error if error else None,
            description=error.description if error else None,
            accounts=list(provider.accounts.values()),
            action=f"{issuer_of(request)}/login",
            request_id=request_id,
            client_id=pending.client_id,
            min_level=pending.min_level,
        )

    @router.get("/.well-known/openid-configuration")
    async def discovery(request: Request) -> Response:
        return _json(provider.discovery(issuer_of(request)))

    @router.get("/jwks")
    async def jwks() -> Response:
        return JSONResponse(provider.jwks())

    @router.get("/authorize")
    async def authorize(request: Request) -> Response:
        try:
            params = _single(request.query_params.multi_items(), "query")
            client_id, redirect_uri = provider.client_and_redirect(params)
        except OAuthError as error:
            return _refused_page(error)  # never redirect to a URI the client did not register
        try:
            asked, request_id, code = provider.authorize(
                params, client_id, redirect_uri, request.cookies.get(SESSION_COOKIE)
            )
        except OAuthError as error:
            refusal: dict[str, str | None] = {**error.body(), "state": params.get("state")}
            return _back_to_client(redirect_uri, refusal)
        if code is not None:  # signed in already (single sign-on): straight back with a code
            return _back_to_client(redirect_uri, {"code": code, "state": asked.state})
        assert request_id is not None
        return sign_in_page(request, request_id, asked)

    @router.post("/login")
    async def login(request: Request) -> Response:
        try:
            form = await _form(request)
        except OAuthError as error:
            return _refused_page(error)
        request_id, client_id = form.get("request_id", ""), form.get("client_id", "")
        try:
            pending_request = provider.waiting(request_id, client_id)
        except OAuthError as error:
            return _refused_page(error)
        if form.get("action") == "deny":
            denied = provider.deny(request_id, client_id)
            return _back_to_client(denied.redirect_uri, {"error": "access_denied", "state": denied.state})
        try:
            pending, code, session_id = provider.sign_in(request_id, client_id, form.get("SoDinhDanh", ""))
        except OAuthError as error:  # the account cannot sign in here: the page again, with why
            return sign_in_page(request, request_id, pending_request, error)
        back = _back_to_client(pending.redirect_uri, {"code": code, "state": pending.state})
        _session_cookie(back, issuer_of(request), session_id)
        return back

    @router.post("/token")
    async def token(request: Request) -> Response:
        authorization = request.headers.get("authorization")
        try:
            form = await _form(request)
            client_id = provider.authenticate(authorization, form)
            return _json(provider.token(client_id, form, issuer_of(request)))
        except OAuthError as error:
            return _oauth_json(error, "Basic")

    @router.get("/userinfo")
    async def userinfo(request: Request) -> Response:
        try:
            return _json(provider.userinfo(request.headers.get("authorization"), issuer_of(request)))
        except OAuthError as error:
            return _oauth_json(error, "Bearer")

    @router.get("/logout")
    async def logout(request: Request) -> Response:
        try:
            params = _single(request.query_params.multi_items(), "query")
            issuer = issuer_of(request)
            target = provider.end_session(params, issuer, request.cookies.get(SESSION_COOKIE))
        except OAuthError as error:
            return _refused_page(error)
        out: Response
        if target is not None:
            out = RedirectResponse(target, 302, headers=_NO_STORE)
        else:
            out = _page("Bạn đã đăng xuất khỏi VNeID")
        if SESSION_COOKIE in request.cookies:
            _session_cookie(out, issuer, None)
        return out

    return router

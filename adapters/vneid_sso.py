"""#23 VNeID sign-in (SSO): the provider's OpenID Connect endpoints under `apiVNeID/1.0/...`."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from ndxp_sim.adapters.oidc import OidcAdapter, OidcOperation

# Requests: they document the parameters; the provider checks them, for its refusals are part of the
# protocol (a redirect back with `error`, or an error page), which a gateway 422 would break.


class AuthorizeQuery(BaseModel):
    response_type: Literal["code"]
    client_id: str = Field(..., description="the consumer id, e.g. 000.00.00.H91")
    redirect_uri: str = Field(..., description="exactly one of the consumer's oidc.redirect_uris")
    scope: str = Field(..., description="space-separated; must hold openid")
    code_challenge: str = Field(..., min_length=43, max_length=128, description="BASE64URL(SHA256(verifier))")
    code_challenge_method: Literal["S256"]
    state: str | None = Field(None, description="recommended; sent back as it came")
    nonce: str | None = Field(None, description="put in the ID token as it came")
    acr_values: str | None = Field(
        None, description="LoA1 (mức 1, the default) and/or LoA2 (mức 2): the lowest listed is required"
    )
    prompt: str | None = Field(
        None,
        description="none: a code at once if the browser is signed in at the provider, else login_required; "
        "login or select_account: the sign-in page even so",
    )


class LoginForm(BaseModel):
    request_id: str = Field(..., description="the sign-in page's hidden field")
    client_id: str
    SoDinhDanh: str = Field(..., description="the test citizen chosen on the page")
    action: Literal["login", "deny"] = "login"


class TokenForm(BaseModel):
    grant_type: Literal["authorization_code", "refresh_token"]
    code: str | None = Field(None, description="authorization_code: the code the redirect carried")
    redirect_uri: str | None = Field(None, description="authorization_code: as in the authorization request")
    code_verifier: str | None = Field(
        None, min_length=43, max_length=128, description="authorization_code: the PKCE verifier"
    )
    refresh_token: str | None = Field(
        None, description="refresh_token: the last one given; spent by this call (rotation)"
    )
    scope: str | None = Field(None, description="refresh_token: optional, at most the scope first granted")
    client_id: str | None = Field(None, description="client_secret_post (else HTTP Basic)")
    client_secret: str | None = Field(None, description="client_secret_post (else HTTP Basic)")


class LogoutQuery(BaseModel):
    id_token_hint: str | None = Field(None, description="an ID token this provider issued (may be expired)")
    client_id: str | None = None
    post_logout_redirect_uri: str | None = Field(
        None, description="one of the client's oidc.post_logout_redirect_uris, else an error page"
    )
    state: str | None = None


class Discovery(BaseModel):
    """OpenID Provider Metadata (OpenID Connect Discovery 1.0 §3); the endpoints are the gateway's."""

    model_config = ConfigDict(extra="allow")
    issuer: str = Field(..., description="the gateway's address of the service, as the caller reached it")
    authorization_endpoint: str
    token_endpoint: str
    userinfo_endpoint: str
    jwks_uri: str
    end_session_endpoint: str
    code_challenge_methods_supported: list[str]
    acr_values_supported: list[str] = Field(..., description="LoA1 = mức 1, LoA2 = mức 2")
    token_endpoint_auth_methods_supported: list[str]


class Jwks(BaseModel):
    """The provider's public signing keys (RFC 7517); a fake key made when the provider starts."""

    keys: list[dict[str, str]]


class TokenAnswer(BaseModel):
    """Tokens for a code or a refresh token (RFC 6749 §5.1, §6; OpenID Connect Core §3.1.3.3, §12.2)."""

    access_token: str
    token_type: str = Field(..., pattern="^Bearer$")
    expires_in: int
    refresh_token: str = Field(
        ..., description="good for 8 hours and for one use: a used one presented again ends the sign-in"
    )
    scope: str
    id_token: str


class UserInfo(BaseModel):
    """The signed-in citizen, in the claims DVCQG/VNeID portals read."""

    model_config = ConfigDict(extra="allow")
    sub: str
    LoaiTaiKhoan: int = Field(..., description="1 = citizen")
    SoDinhDanh: str
    HoVaTen: str
    NgayThangNamSinh: str = Field(..., pattern=r"^[0-9]{2}/[0-9]{2}/[0-9]{4}$")
    TechID: str
    loAs: str = Field(..., description="level of assurance of the account: LoA1 (mức 1) or LoA2 (mức 2)")
    IAL: int = Field(..., ge=1, le=2)


class VneidSsoAdapter(OidcAdapter):
    """The VNeID OpenID provider; issuer `{gateway}/apiVNeID/1.0`."""

    key = "vneid_sso"
    session_cookie = "ndxp_vneid_sso"  # mock_services/vneid_sso.py SESSION_COOKIE
    operations = (
        OidcOperation(
            ".well-known/openid-configuration",
            response=Discovery,
            caller="public",
            summary="Discovery: the provider's metadata, naming the gateway's endpoints",
        ),
        OidcOperation("jwks", response=Jwks, caller="public", summary="The ID token signing keys (JWKS)"),
        OidcOperation(
            "authorize",
            request=AuthorizeQuery,
            browser=True,
            summary="Authorization endpoint (code + PKCE S256, acr_values LoA1/LoA2): the sign-in page",
        ),
        OidcOperation(
            "login",
            method="POST",
            backend_method="POST",
            request=LoginForm,
            browser=True,
            idempotent=False,
            summary="The sign-in page's form: the chosen test citizen; redirects back with the code",
        ),
        OidcOperation(
            "token",
            method="POST",
            backend_method="POST",
            request=TokenForm,
            response=TokenAnswer,
            idempotent=False,
            summary="Token endpoint: client_secret_basic or client_secret_post; code + code_verifier, or a "
            "refresh token",
        ),
        OidcOperation(
            "userinfo",
            response=UserInfo,
            caller="bearer",
            summary="The signed-in citizen's claims, for the provider's access token",
        ),
        OidcOperation(
            "logout",
            request=LogoutQuery,
            caller="public",  # names its client (client_id, id_token_hint) or none
            browser=True,
            summary="RP-initiated logout: id_token_hint, post_logout_redirect_uri (registered only), state",
        ),
    )

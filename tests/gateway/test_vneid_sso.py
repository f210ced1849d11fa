"""A TTHC portal signs a citizen in with the simulated VNeID (vneid_sso) through the gateway, as it would for
real: a real OIDC client library (authlib) on the back channel, the browser's steps driven with httpx."""

from __future__ import annotations

import base64
import re
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import AsyncExitStack
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qs, urlencode, urlsplit

import httpx
import orjson
import pytest
from authlib.common.security import generate_token
from authlib.integrations.httpx_client import AsyncOAuth2Client
from authlib.integrations.starlette_client import OAuth, StarletteOAuth2App
from authlib.oauth2.rfc7636 import create_s256_code_challenge

from ndxp_sim.adapters.upstream import HttpxUpstream
from ndxp_sim.adapters.vneid_sso import VneidSsoAdapter
from ndxp_sim.core import identities
from ndxp_sim.core.settings import ConsumerSettings
from ndxp_sim.gateway.auth import hash_secret
from ndxp_sim.gateway.logpipe.masking import Masker
from ndxp_sim.gateway.logpipe.record import to_record
from ndxp_sim.mock_services import vneid_sso
from ndxp_sim.mock_services.app import create_mock_app
from tests.conftest import GatewayHarness, MakeGateway, MakeSettings

ISSUER = "http://gateway/apiVNeID/1.0"
CLIENT_ID = "000.00.00.H91"
SECRET = "fake-oidc-secret-h91"  # its registration in core/config/default.yaml
REDIRECT = "http://127.0.0.1:8000/ssovneid/callback"
AFTER_LOGOUT = "http://127.0.0.1:8000/"
OTHER_CLIENT = "000.00.00.H93"
OTHER_SECRET = "fake-oidc-secret-h93-for-tests"


@dataclass
class Sso:
    gateway: GatewayHarness
    sent_to_provider: list[httpx.Request] = field(default_factory=list)  # as the gateway sent them

    @property
    def browser(self) -> httpx.AsyncClient:
        """The citizen's browser: it reaches the gateway too, and follows no redirect by itself."""
        return self.gateway.client

    def portal(self, auth_method: str = "client_secret_basic", secret: str = SECRET) -> StarletteOAuth2App:
        """The portal's OIDC client, configured from the discovery document the gateway serves."""
        oauth = OAuth()
        client = oauth.register(
            "vneid",
            client_id=CLIENT_ID,
            client_secret=secret,
            server_metadata_url=f"{ISSUER}/.well-known/openid-configuration",
            code_challenge_method="S256",
            client_kwargs={
                "scope": "openid",
                "token_endpoint_auth_method": auth_method,
                "transport": httpx.ASGITransport(app=self.gateway.app),
            },
        )
        assert isinstance(client, StarletteOAuth2App)
        return client

    async def sign_in(self, url: str, citizen: str = identities.CITIZEN_EXISTS) -> httpx.Response:
        """The browser opens the sign-in page and picks `citizen`; the provider's answer to the form."""
        page = await self.browser.get(url)
        assert page.status_code == 200, page.text
        return await self.choose(page, citizen)

    async def choose(self, page: httpx.Response, citizen: str, action: str = "login") -> httpx.Response:
        form_action = re.search(r'<form method="post" action="([^"]+)"', page.text)
        request_id = re.search(r'name="request_id" value="([^"]+)"', page.text)
        assert form_action and request_id, page.text
        fields = {
            "request_id": request_id[1],
            "client_id": CLIENT_ID,
            "SoDinhDanh": citizen,
            "action": action,
        }
        return await self.browser.post(form_action[1], data=fields)

    async def code_for(self, verifier: str, **extra: str) -> str:
        """A fresh authorization code for CITIZEN_EXISTS, as the redirect back to the portal carries it."""
        params = authorize_params(verifier, state="st-1", **extra)
        back = await self.sign_in(f"{ISSUER}/authorize?{urlencode(params)}")
        assert back.status_code == 302, back.text
        return parse_qs(urlsplit(back.headers["location"]).query)["code"][0]

    async def token(self, code: str, verifier: str, secret: str = SECRET) -> httpx.Response:
        form = {"grant_type": "authorization_code", "code": code, "redirect_uri": REDIRECT}
        return await self.gateway.client.post(
            f"{ISSUER}/token", data=form | {"code_verifier": verifier}, auth=(CLIENT_ID, secret)
        )

    async def refresh(
        self, refresh_token: str, client: tuple[str, str] = (CLIENT_ID, SECRET), **extra: str
    ) -> httpx.Response:
        form = {"grant_type": "refresh_token", "refresh_token": refresh_token, **extra}
        return await self.gateway.client.post(f"{ISSUER}/token", data=form, auth=client)

    async def signed_in(self) -> dict[str, Any]:
        """The token answer of a fresh sign-in of CITIZEN_EXISTS."""
        verifier = generate_token(48)
        issued = await self.token(await self.code_for(verifier), verifier)
        assert issued.status_code == 200, issued.text
        return dict(issued.json())

    async def userinfo_status(self, access_token: str) -> int:
        bearer = {"authorization": f"Bearer {access_token}"}
        return (await self.gateway.client.get(f"{ISSUER}/userinfo", headers=bearer)).status_code

    def record(self, response: httpx.Response) -> dict[str, Any]:
        exchange = self.gateway.exchange(response.headers["x-ndxp-exchange-id"])
        return to_record(exchange, "masked", 1 << 16, Masker(b"k" * 32))


MakeSso = Callable[..., Awaitable[Sso]]


def authorize_params(verifier: str | None = None, **extra: str) -> dict[str, str]:
    """The test portal's authorization request: code flow, PKCE S256 over `verifier` (a fresh one if None);
    `extra` adds or overrides parameters."""
    return {
        "response_type": "code",
        "client_id": CLIENT_ID,
        "redirect_uri": REDIRECT,
        "scope": "openid",
        "code_challenge": create_s256_code_challenge(verifier or generate_token(48)),
        "code_challenge_method": "S256",
        **extra,
    }


@pytest.fixture
async def make_sso(make_gateway: MakeGateway, make_settings: MakeSettings) -> AsyncIterator[MakeSso]:
    """`await make_sso(**settings overrides)`: the gateway before the real mocks, with a second portal
    allowed the service and registered at the provider with URIs of its own."""
    other = ConsumerSettings(
        id=OTHER_CLIENT,
        secret_hash=hash_secret(generate_token(16)),
        allowed={"vneid_sso": ["*"]},
        oidc={"client_secret": OTHER_SECRET, "redirect_uris": ["http://127.0.0.1:8001/cb"]},
    )
    async with AsyncExitStack() as running:

        async def make(**overrides: Any) -> Sso:
            settings = make_settings(consumers=[*make_settings().consumers, other], **overrides)
            mock_app = create_mock_app(settings)
            await running.enter_async_context(mock_app.router.lifespan_context(mock_app))
            sent: list[httpx.Request] = []

            async def note(request: httpx.Request) -> None:
                sent.append(request)

            backend = httpx.AsyncClient(
                transport=httpx.ASGITransport(app=mock_app), event_hooks={"request": [note]}
            )
            return Sso(make_gateway(settings, HttpxUpstream(backend)), sent)

        yield make


@pytest.fixture
async def sso(make_sso: MakeSso) -> Sso:
    return await make_sso()


def _query(location: str) -> dict[str, list[str]]:
    return parse_qs(urlsplit(location).query)


async def test_a_portal_signs_a_citizen_in_with_a_real_oidc_client(sso: Sso) -> None:
    portal = sso.portal()
    metadata = await portal.load_server_metadata()
    assert metadata["issuer"] == ISSUER
    assert metadata["token_endpoint"] == f"{ISSUER}/token"
    assert metadata["code_challenge_methods_supported"] == ["S256"]
    assert metadata["grant_types_supported"] == ["authorization_code", "refresh_token"]

    nonce = generate_token(20)
    start = await portal.create_authorization_url(REDIRECT, nonce=nonce, acr_values="LoA2")
    assert "code_challenge=" in start["url"] and "code_challenge_method=S256" in start["url"]

    back = await sso.sign_in(start["url"])
    assert back.status_code == 302
    assert back.headers["location"].startswith(REDIRECT + "?")
    returned = _query(back.headers["location"])
    assert returned["state"] == [start["state"]]

    token = await portal.fetch_access_token(
        redirect_uri=REDIRECT, code=returned["code"][0], code_verifier=start["code_verifier"]
    )
    claims = await portal.parse_id_token(token, nonce)  # signature by the JWKS, iss, aud, nonce, expiry
    assert claims["iss"] == ISSUER and claims["aud"] == CLIENT_ID and claims["acr"] == "LoA2"

    user = await portal.userinfo(token=token)
    assert user["SoDinhDanh"] == identities.CITIZEN_EXISTS
    assert user["HoVaTen"] == "Nguyễn Văn An"
    assert (user["LoaiTaiKhoan"], user["loAs"], user["IAL"]) == (1, "LoA2", 2)
    assert user["sub"] == claims["sub"] == user["TechID"]


async def test_the_exchange_records_hold_no_credential_and_no_clear_personal_data(sso: Sso) -> None:
    verifier = generate_token(48)
    code = await sso.code_for(verifier)
    issued = await sso.token(code, verifier)
    assert issued.status_code == 200, issued.text
    access = issued.json()["access_token"]
    user = await sso.gateway.client.get(f"{ISSUER}/userinfo", headers={"authorization": f"Bearer {access}"})
    assert user.status_code == 200

    token_record, user_record = sso.record(issued), sso.record(user)
    assert (token_record["consumer_id"], token_record["operation"]) == (CLIENT_ID, "token")
    assert (user_record["consumer_id"], user_record["service_key"]) == (CLIENT_ID, "vneid_sso")
    written = str(token_record) + str(user_record)
    for secret in (code, verifier, SECRET, access, issued.json()["id_token"], identities.CITIZEN_EXISTS):
        assert secret not in written
    assert "Nguyễn Văn An" not in written and "code=***" in token_record["request_body"]
    assert user_record["subjects"]  # the citizen can still be found by an operator, by keyed hash


async def test_client_secret_post_is_accepted_too(sso: Sso) -> None:
    portal = sso.portal("client_secret_post")
    start = await portal.create_authorization_url(REDIRECT, nonce="n-1")
    code = _query((await sso.sign_in(start["url"])).headers["location"])["code"][0]
    token = await portal.fetch_access_token(
        redirect_uri=REDIRECT, code=code, code_verifier=start["code_verifier"]
    )
    assert (await portal.parse_id_token(token, "n-1"))["nonce"] == "n-1"


async def test_an_unregistered_redirect_uri_gets_an_error_page_and_no_redirect(sso: Sso) -> None:
    params = authorize_params(redirect_uri="https://attacker.example/cb", state="s")
    page = await sso.browser.get(f"{ISSUER}/authorize", params=params)
    assert page.status_code == 400 and "location" not in page.headers
    assert page.headers["content-type"].startswith("text/html")
    assert "redirect_uri" in page.text and "attacker.example" not in page.text


async def test_an_unknown_client_is_refused_at_the_gateway_without_a_redirect(sso: Sso) -> None:
    params = {"response_type": "code", "client_id": "000.00.00.X99", "redirect_uri": REDIRECT}
    answer = await sso.browser.get(f"{ISSUER}/authorize", params=params)
    assert answer.status_code == 401 and "location" not in answer.headers
    assert answer.json()["error"] == "invalid_client"


async def test_a_consumer_without_the_service_in_its_acl_may_not_sign_anyone_in(sso: Sso) -> None:
    params = {"response_type": "code", "client_id": "000.00.00.H92", "redirect_uri": REDIRECT}
    answer = await sso.browser.get(f"{ISSUER}/authorize", params=params)
    assert answer.status_code == 403
    assert answer.json() | {"detail": "-"} == {
        "error": "unauthorized_client",
        "error_description": "consumer 000.00.00.H92 may not call vneid_sso.authorize",
        "type": "Client.AccessDenied",
        "detail": "-",
    }


async def test_a_wrong_client_secret_is_401_invalid_client(sso: Sso) -> None:
    verifier = generate_token(48)
    refused = await sso.token(await sso.code_for(verifier), verifier, secret="not-the-secret")
    assert refused.status_code == 401
    assert refused.json()["error"] == "invalid_client"
    assert refused.headers["www-authenticate"].startswith("Basic")
    assert sso.record(refused)["outcome"] == "client_error"
    assert refused.headers["x-ndxp-error"] == sso.record(refused)["error_type"] == "Client.Unauthorized"


async def test_a_wrong_pkce_verifier_is_400_invalid_grant(sso: Sso) -> None:
    verifier = generate_token(48)
    refused = await sso.token(await sso.code_for(verifier), generate_token(48))
    assert refused.status_code == 400
    assert refused.json() == {
        "error": "invalid_grant",
        "error_description": refused.json()["error_description"],
    }
    assert "code_verifier" in refused.json()["error_description"]


async def test_a_replayed_code_is_refused_and_revokes_the_tokens_it_gave(sso: Sso) -> None:
    verifier = generate_token(48)
    code = await sso.code_for(verifier)
    first = await sso.token(code, verifier)
    assert first.status_code == 200
    assert first.headers["cache-control"] == "no-store"
    bearer = {"authorization": f"Bearer {first.json()['access_token']}"}
    assert (await sso.gateway.client.get(f"{ISSUER}/userinfo", headers=bearer)).status_code == 200

    replay = await sso.token(code, verifier)
    assert replay.status_code == 400 and replay.json()["error"] == "invalid_grant"
    after = await sso.gateway.client.get(f"{ISSUER}/userinfo", headers=bearer)
    assert after.status_code == 401 and after.json()["error"] == "invalid_token"
    assert 'error="invalid_token"' in after.headers["www-authenticate"]


async def test_an_expired_code_is_400_invalid_grant(sso: Sso, monkeypatch: pytest.MonkeyPatch) -> None:
    verifier = generate_token(48)
    code = await sso.code_for(verifier)
    later = vneid_sso._now() + vneid_sso.CODE_TTL_S + 1
    monkeypatch.setattr(vneid_sso, "_now", lambda: later)
    refused = await sso.token(code, verifier)
    assert refused.status_code == 400 and refused.json()["error"] == "invalid_grant"
    assert "hết hạn" in refused.json()["error_description"]


async def test_an_unknown_acr_level_is_sent_back_as_invalid_request_with_the_state(sso: Sso) -> None:
    params = authorize_params(state="st-9", acr_values="LoA3")
    back = await sso.browser.get(f"{ISSUER}/authorize", params=params)
    assert back.status_code == 302
    returned = _query(back.headers["location"])
    assert (returned["error"], returned["state"]) == (["invalid_request"], ["st-9"])
    assert "acr_values" in returned["error_description"][0]


async def test_a_level_1_account_cannot_sign_in_where_level_2_is_required(sso: Sso) -> None:
    verifier = generate_token(48)
    params = authorize_params(verifier, acr_values="LoA2")
    page = await sso.browser.get(f"{ISSUER}/authorize", params=params)
    assert f'value="{identities.COUPLE_WIFE}"\n id="a3" disabled' in page.text  # listed, not selectable
    refused = await sso.choose(page, identities.COUPLE_WIFE)
    assert refused.status_code == 400 and "location" not in refused.headers
    assert "mức 1 không đạt mức 2" in refused.text
    level_1_ok = await sso.code_for(verifier, acr_values="LoA1")
    assert level_1_ok


async def test_without_state_and_nonce_sign_in_works_and_nothing_is_invented(sso: Sso) -> None:
    """Both are optional in the code flow (RFC 6749 §4.1.1, OpenID Connect Core §3.1.2.1): the
    provider echoes what it got and adds nothing; protecting against CSRF is the portal's part."""
    verifier = generate_token(48)
    params = authorize_params(verifier)
    back = await sso.sign_in(f"{ISSUER}/authorize?{urlencode(params)}")
    returned = _query(back.headers["location"])
    assert "state" not in returned
    issued = await sso.token(returned["code"][0], verifier)
    portal = sso.portal()
    with pytest.raises(Exception, match="nonce"):  # the portal that sent a nonce finds none: refused
        await portal.parse_id_token(issued.json(), "expected-nonce")


async def test_pkce_is_required_and_only_s256(sso: Sso) -> None:
    base = {"response_type": "code", "client_id": CLIENT_ID, "redirect_uri": REDIRECT, "scope": "openid"}
    missing = await sso.browser.get(f"{ISSUER}/authorize", params=base)
    assert _query(missing.headers["location"])["error"] == ["invalid_request"]
    plain = base | {"code_challenge": "x" * 43, "code_challenge_method": "plain"}
    refused = _query((await sso.browser.get(f"{ISSUER}/authorize", params=plain)).headers["location"])
    assert "S256" in refused["error_description"][0]


async def test_logout_goes_back_only_to_a_registered_uri_and_ends_the_tokens(sso: Sso) -> None:
    verifier = generate_token(48)
    issued = (await sso.token(await sso.code_for(verifier), verifier)).json()
    hint = issued["id_token"]
    unregistered = {"id_token_hint": hint, "post_logout_redirect_uri": "https://attacker.example/"}
    refused = await sso.browser.get(f"{ISSUER}/logout", params=unregistered)
    assert refused.status_code == 400 and "location" not in refused.headers

    registered = {"id_token_hint": hint, "post_logout_redirect_uri": AFTER_LOGOUT, "state": "bye"}
    out = await sso.browser.get(f"{ISSUER}/logout", params=registered)
    assert out.status_code == 302 and out.headers["location"] == f"{AFTER_LOGOUT}?state=bye"
    assert sso.record(out)["consumer_id"] == CLIENT_ID
    assert hint not in str(sso.record(out))
    bearer = {"authorization": f"Bearer {issued['access_token']}"}
    assert (await sso.gateway.client.get(f"{ISSUER}/userinfo", headers=bearer)).status_code == 401


async def test_userinfo_without_a_provider_token_is_refused_at_the_gateway(sso: Sso) -> None:
    answer = await sso.gateway.client.get(f"{ISSUER}/userinfo", headers=await sso.gateway.auth())
    assert answer.status_code == 401 and answer.json()["error"] == "invalid_token"


async def test_the_sign_in_page_lists_test_citizens_with_their_level(sso: Sso) -> None:
    verifier = generate_token(48)
    params = authorize_params(verifier)
    page = await sso.browser.get(f"{ISSUER}/authorize", params=params)
    assert page.headers["content-type"].startswith("text/html")
    levels = dict(re.findall(r'value="(\d{12})"[^>]*>.*?data-level="(\d)"', page.text, re.S))
    assert levels[identities.CITIZEN_EXISTS] == "2" and levels[identities.COUPLE_WIFE] == "1"
    assert len(levels) == len(vneid_sso.FIXED_ACCOUNTS) + vneid_sso.GENERATED_ACCOUNTS
    assert identities.CITIZEN_DECEASED not in levels
    assert f'action="{ISSUER}/login"' in page.text
    recorded = sso.record(page)["response_body"]
    assert recorded.startswith("[page omitted: ") and "Nguyễn" not in recorded  # the page lists people


async def test_a_token_request_that_is_not_a_form_is_refused_at_the_gateway(sso: Sso) -> None:
    refused = await sso.gateway.client.post(
        f"{ISSUER}/token", json={"grant_type": "authorization_code"}, auth=(CLIENT_ID, SECRET)
    )
    assert refused.status_code == 422
    assert refused.json()["error"] == "invalid_request"
    assert "application/x-www-form-urlencoded" in refused.json()["error_description"]


async def test_a_citizen_who_declines_sends_the_portal_access_denied(sso: Sso) -> None:
    params = authorize_params(state="st-2")
    page = await sso.browser.get(f"{ISSUER}/authorize", params=params)
    back = await sso.choose(page, identities.CITIZEN_EXISTS, action="deny")
    assert back.status_code == 302
    assert _query(back.headers["location"]) == {"error": ["access_denied"], "state": ["st-2"]}


async def test_a_sign_in_form_cannot_be_finished_under_another_client(sso: Sso) -> None:
    """The gateway admits and records the login form under the client it names: the provider holds it to
    the client the sign-in was started for."""
    params = authorize_params()
    page = await sso.browser.get(f"{ISSUER}/authorize", params=params)
    request_id = re.search(r'name="request_id" value="([^"]+)"', page.text)
    assert request_id
    fields = {"request_id": request_id[1], "client_id": OTHER_CLIENT, "SoDinhDanh": identities.CITIZEN_EXISTS}
    refused = await sso.browser.post(f"{ISSUER}/login", data=fields)
    assert refused.status_code == 400 and "location" not in refused.headers
    assert sso.record(refused)["consumer_id"] == OTHER_CLIENT
    assert (await sso.choose(page, identities.CITIZEN_EXISTS)).status_code == 302  # its own still works


async def test_the_service_catalogue_shows_the_sign_in_service_implemented(sso: Sso) -> None:
    listed = {s["key"]: s for s in (await sso.gateway.client.get("/_meta/services")).json()["services"]}
    service = listed["vneid_sso"]
    assert service["implemented"] and service["pattern"] == "A" and service["protocol"] == "oidc"
    paths = {op["path"] for op in service["operations"]}
    assert "/apiVNeID/1.0/.well-known/openid-configuration" in paths and "/apiVNeID/1.0/token" in paths


async def test_credentials_in_a_refused_request_are_blanked_in_its_record_too(sso: Sso) -> None:
    wrong_method = await sso.browser.post(
        f"{ISSUER}/authorize?client_id={CLIENT_ID}&code=leaked-code&id_token_hint=leaked.hint.x", data={}
    )
    assert wrong_method.status_code == 405
    query = sso.record(wrong_method)["http_query"]
    assert "leaked" not in query and "code=***" in query and "id_token_hint=***" in query


async def test_a_configured_public_url_is_the_issuer_whatever_address_the_request_came_to(
    make_sso: MakeSso,
) -> None:
    """Behind a proxy, or with the portal and the browser reaching the gateway by different names, the
    issuer must stay one: `public_url` pins it, and the pages and tokens name it."""
    public = "https://lgsp.example.test/ndxp"
    sso = await make_sso(public_url=public)
    metadata = (await sso.browser.get(f"{ISSUER}/.well-known/openid-configuration")).json()
    assert metadata["issuer"] == f"{public}/apiVNeID/1.0"
    assert metadata["token_endpoint"] == f"{public}/apiVNeID/1.0/token"
    verifier = generate_token(48)
    params = authorize_params(verifier)
    page = await sso.browser.get(f"{ISSUER}/authorize", params=params)
    assert f'action="{public}/apiVNeID/1.0/login"' in page.text


async def test_a_portal_keeps_the_sign_in_alive_with_a_real_oauth_client_refreshing_by_itself(
    sso: Sso,
) -> None:
    """authlib's client, handed tokens whose access token has expired, refreshes before its call (RFC 6749
    §6) and keeps what it got: a new access token, a new refresh token, and an ID token for the same
    sign-in (OpenID Connect Core §12.2)."""
    portal = sso.portal()
    start = await portal.create_authorization_url(REDIRECT, nonce="n-7")
    code = _query((await sso.sign_in(start["url"])).headers["location"])["code"][0]
    first = await portal.fetch_access_token(
        redirect_uri=REDIRECT, code=code, code_verifier=start["code_verifier"]
    )
    signed_in = await portal.parse_id_token(first, "n-7")
    saved: list[dict[str, Any]] = []

    async def keep(
        token: dict[str, Any], refresh_token: str | None = None, access_token: str | None = None
    ) -> None:
        saved.append(token)

    client = AsyncOAuth2Client(
        CLIENT_ID,
        SECRET,
        token={**first, "expires_at": int(time.time()) - 1},
        update_token=keep,
        token_endpoint=f"{ISSUER}/token",
        transport=httpx.ASGITransport(app=sso.gateway.app),
    )
    async with client:
        user = await client.get(f"{ISSUER}/userinfo")
    assert user.status_code == 200, user.text
    assert user.json()["SoDinhDanh"] == identities.CITIZEN_EXISTS
    assert len(saved) == 1
    renewed = saved[0]
    assert renewed["refresh_token"] != first["refresh_token"]
    assert renewed["access_token"] != first["access_token"] and renewed["scope"] == "openid"
    again = await portal.parse_id_token(renewed, None)  # signature by the JWKS, iss, aud, expiry
    assert again["sub"] == signed_in["sub"] and again["auth_time"] == signed_in["auth_time"]
    assert "nonce" not in again  # a refreshed ID token answers no authorization request


async def test_a_refresh_token_is_spent_by_its_use_and_using_it_again_ends_the_sign_in(sso: Sso) -> None:
    """Rotation with reuse detection (RFC 9700 §4.14.2): a copy used after the rightful client moved on
    ends every token of that sign-in, the rightful client's newest included."""
    first = await sso.signed_in()
    renewed = await sso.refresh(first["refresh_token"])
    assert renewed.status_code == 200 and renewed.headers["cache-control"] == "no-store"
    newest = renewed.json()
    assert await sso.userinfo_status(newest["access_token"]) == 200

    reused = await sso.refresh(first["refresh_token"])
    assert reused.status_code == 400 and reused.json()["error"] == "invalid_grant"
    assert "refresh_token" in reused.json()["error_description"]
    assert await sso.userinfo_status(newest["access_token"]) == 401
    assert await sso.userinfo_status(first["access_token"]) == 401
    ended = await sso.refresh(newest["refresh_token"])
    assert ended.status_code == 400 and ended.json()["error"] == "invalid_grant"


async def test_a_refresh_token_serves_only_its_client_and_never_a_wider_scope(sso: Sso) -> None:
    issued = await sso.signed_in()
    other = await sso.refresh(issued["refresh_token"], client=(OTHER_CLIENT, OTHER_SECRET))
    assert other.status_code == 400 and other.json()["error"] == "invalid_grant"
    wider = await sso.refresh(issued["refresh_token"], scope="openid profile")
    assert wider.status_code == 400 and wider.json()["error"] == "invalid_scope"
    assert "profile" in wider.json()["error_description"]
    wrong_secret = await sso.refresh(issued["refresh_token"], client=(CLIENT_ID, "not-the-secret"))
    assert wrong_secret.status_code == 401 and wrong_secret.json()["error"] == "invalid_client"
    # none of these spent it
    assert (await sso.refresh(issued["refresh_token"], scope="openid")).status_code == 200


async def test_an_expired_refresh_token_is_400_invalid_grant(
    sso: Sso, monkeypatch: pytest.MonkeyPatch
) -> None:
    issued = await sso.signed_in()
    later = vneid_sso._now() + vneid_sso.REFRESH_TTL_S + 1
    monkeypatch.setattr(vneid_sso, "_now", lambda: later)
    refused = await sso.refresh(issued["refresh_token"])
    assert refused.status_code == 400 and refused.json()["error"] == "invalid_grant"
    assert "hết hạn" in refused.json()["error_description"]


async def test_signing_out_and_replaying_the_code_end_the_refresh_tokens_too(sso: Sso) -> None:
    issued = await sso.signed_in()
    out = await sso.browser.get(f"{ISSUER}/logout", params={"id_token_hint": issued["id_token"]})
    assert out.status_code == 200
    refused = await sso.refresh(issued["refresh_token"])
    assert refused.status_code == 400 and refused.json()["error"] == "invalid_grant"

    verifier = generate_token(48)
    code = await sso.code_for(verifier)
    first = (await sso.token(code, verifier)).json()
    renewed = (await sso.refresh(first["refresh_token"])).json()
    assert (await sso.token(code, verifier)).status_code == 400  # the replay
    assert (await sso.refresh(renewed["refresh_token"])).status_code == 400
    assert await sso.userinfo_status(renewed["access_token"]) == 401


async def test_the_refresh_call_s_record_holds_neither_refresh_token(sso: Sso) -> None:
    issued = await sso.signed_in()
    renewed = await sso.refresh(issued["refresh_token"])
    assert renewed.status_code == 200
    record = sso.record(renewed)
    written = str(record)
    for secret in (
        issued["refresh_token"],
        renewed.json()["refresh_token"],
        renewed.json()["access_token"],
        SECRET,
    ):
        assert secret not in written
    assert "refresh_token=***" in record["request_body"] and record["consumer_id"] == CLIENT_ID


async def test_an_unknown_grant_type_is_unsupported_grant_type(sso: Sso) -> None:
    form = {"grant_type": "password", "username": "u", "password": "p"}
    refused = await sso.gateway.client.post(f"{ISSUER}/token", data=form, auth=(CLIENT_ID, SECRET))
    assert refused.status_code == 400 and refused.json()["error"] == "unsupported_grant_type"


async def test_a_browser_signed_in_once_gets_a_code_at_once_for_the_next_portal(
    sso: Sso, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Single sign-on: after one sign-in, another authorization request from the same browser (another
    portal here) comes straight back with a code, whose ID token keeps the first sign-in's time."""
    first = await sso.signed_in()
    assert sso.browser.cookies.get(vneid_sso.SESSION_COOKIE)
    later = vneid_sso._now() + 120  # the next portal, two minutes on
    monkeypatch.setattr(vneid_sso, "_now", lambda: later)

    other = "http://127.0.0.1:8001/cb"
    verifier = generate_token(48)
    params = authorize_params(verifier, client_id=OTHER_CLIENT, redirect_uri=other, state="st-2", nonce="n-2")
    back = await sso.browser.get(f"{ISSUER}/authorize", params=params)
    assert back.status_code == 302, back.text
    returned = _query(back.headers["location"])
    assert back.headers["location"].startswith(other) and returned["state"] == ["st-2"]
    form = {"grant_type": "authorization_code", "code": returned["code"][0], "redirect_uri": other}
    issued = await sso.gateway.client.post(
        f"{ISSUER}/token", data=form | {"code_verifier": verifier}, auth=(OTHER_CLIENT, OTHER_SECRET)
    )
    assert issued.status_code == 200, issued.text
    assert sso.record(back)["consumer_id"] == OTHER_CLIENT
    signed_in, again = _payload(first["id_token"]), _payload(issued.json()["id_token"])
    assert (again["aud"], again["nonce"]) == (OTHER_CLIENT, "n-2")
    assert again["auth_time"] == signed_in["auth_time"] and again["sub"] == signed_in["sub"]


def _payload(token: str) -> dict[str, Any]:
    """A JWS-compact token's claims, unverified (the portal tests verify signatures with authlib)."""
    segment = token.split(".")[1]
    return dict(orjson.loads(base64.urlsafe_b64decode(segment + "=" * (-len(segment) % 4))))


async def test_prompt_none_answers_silently_with_a_session_and_login_required_without(sso: Sso) -> None:
    params = authorize_params(generate_token(48), prompt="none", state="s")
    before = await sso.browser.get(f"{ISSUER}/authorize", params=params)
    assert _query(before.headers["location"])["error"] == ["login_required"]
    await sso.code_for(generate_token(48))
    after = await sso.browser.get(f"{ISSUER}/authorize", params=params)
    assert "code" in _query(after.headers["location"])


async def test_prompt_login_and_a_higher_level_show_the_sign_in_page_despite_a_session(sso: Sso) -> None:
    """A session at mức 1 does not answer a request for mức 2, nor does any session answer prompt=login."""
    params = authorize_params(generate_token(48), acr_values="LoA1")
    page = await sso.browser.get(f"{ISSUER}/authorize", params=params)
    signed_in = await sso.choose(page, identities.COUPLE_WIFE)  # a mức 1 account
    assert signed_in.status_code == 302
    forced = await sso.browser.get(f"{ISSUER}/authorize", params=params | {"prompt": "login"})
    assert forced.status_code == 200 and 'name="request_id"' in forced.text
    higher = await sso.browser.get(f"{ISSUER}/authorize", params=params | {"acr_values": "LoA2"})
    assert higher.status_code == 200 and 'name="request_id"' in higher.text
    silent = await sso.browser.get(
        f"{ISSUER}/authorize", params=params | {"acr_values": "LoA2", "prompt": "none"}
    )
    assert _query(silent.headers["location"])["error"] == ["login_required"]


async def test_signing_out_ends_the_browser_s_session_at_the_provider(sso: Sso) -> None:
    """The cookie is cleared, and the session it named is over: a copy of it signs nobody in."""
    issued = await sso.signed_in()
    session = sso.browser.cookies[vneid_sso.SESSION_COOKIE]
    out = await sso.browser.get(f"{ISSUER}/logout", params={"id_token_hint": issued["id_token"]})
    assert out.status_code == 200
    assert vneid_sso.SESSION_COOKIE not in sso.browser.cookies
    page = await sso.browser.get(f"{ISSUER}/authorize", params=authorize_params(generate_token(48)))
    assert page.status_code == 200 and 'name="request_id"' in page.text
    copy = {"cookie": f"{vneid_sso.SESSION_COOKIE}={session}"}
    params = authorize_params(generate_token(48), prompt="none")
    replayed = await sso.gateway.client.get(f"{ISSUER}/authorize", params=params, headers=copy)
    assert _query(replayed.headers["location"])["error"] == ["login_required"]


async def test_the_gateway_passes_the_provider_only_its_own_cookie_and_keeps_it_out_of_the_record(
    sso: Sso,
) -> None:
    """The browser's other cookies for the gateway's address (the console's session shares it) never reach
    the provider, nor does the session cookie reach its back-channel endpoints; the session handle is in
    no record."""
    await sso.code_for(generate_token(48))
    session = sso.browser.cookies[vneid_sso.SESSION_COOKIE]
    headers = {"cookie": f"ndxp_console=op-session; {vneid_sso.SESSION_COOKIE}={session}; other=x"}
    sso.sent_to_provider.clear()
    back = await sso.gateway.client.get(
        f"{ISSUER}/authorize", params=authorize_params(generate_token(48)), headers=headers
    )
    assert back.status_code == 302  # signed in already: the session cookie went through
    assert [r.headers.get("cookie") for r in sso.sent_to_provider] == [
        f"{vneid_sso.SESSION_COOKIE}={session}"
    ]
    assert session not in str(sso.record(back)) and "op-session" not in str(sso.record(back))

    sso.sent_to_provider.clear()
    await sso.gateway.client.get(f"{ISSUER}/jwks", headers=headers)
    assert [r.headers.get("cookie") for r in sso.sent_to_provider] == [None]


def test_the_gateway_and_the_provider_name_the_same_session_cookie() -> None:
    assert VneidSsoAdapter.session_cookie == vneid_sso.SESSION_COOKIE


async def test_the_session_cookie_is_http_only_lax_and_scoped_to_the_service(sso: Sso) -> None:
    params = authorize_params(generate_token(48))
    back = await sso.sign_in(f"{ISSUER}/authorize?{urlencode(params)}")
    attributes = [part.strip().lower() for part in back.headers["set-cookie"].split(";")]
    assert attributes[0].startswith(f"{vneid_sso.SESSION_COOKIE}=")
    assert {"httponly", "samesite=lax", "path=/apiVNeID/1.0".lower()} <= set(attributes)
    assert "secure" not in attributes  # the gateway was reached over http here
    assert f"max-age={vneid_sso.SESSION_TTL_S}" in attributes

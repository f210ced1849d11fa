"""A portal signs a citizen in with the simulated VNeID over real sockets (`ndxp-sim up`), with authlib's OIDC
client; the exchange records that reach the topic hold no credential and no clear personal data."""

from __future__ import annotations

import asyncio
import re
from urllib.parse import parse_qs, urlsplit

import httpx
import orjson
import pytest
from authlib.common.security import generate_token
from authlib.integrations.httpx_client import AsyncOAuth2Client
from authlib.integrations.starlette_client import OAuth, StarletteOAuth2App

from ndxp_sim.core import identities
from tests.e2e.conftest import Simulator
from tests.kafka_broker import consume_records

pytestmark = [pytest.mark.e2e, pytest.mark.kafka]
CLIENT_ID = "000.00.00.H91"
SECRET = "fake-oidc-secret-h91"  # its registration in core/config/default.yaml
REDIRECT = "http://127.0.0.1:8000/ssovneid/callback"


def _portal(issuer: str) -> StarletteOAuth2App:
    client = OAuth().register(
        "vneid",
        client_id=CLIENT_ID,
        client_secret=SECRET,
        server_metadata_url=f"{issuer}/.well-known/openid-configuration",
        code_challenge_method="S256",
        client_kwargs={"scope": "openid", "timeout": 30},
    )
    assert isinstance(client, StarletteOAuth2App)
    return client


async def _sign_in(issuer: str) -> tuple[dict[str, object], dict[str, object], dict[str, str]]:
    portal = _portal(issuer)
    nonce = generate_token(20)
    start = await portal.create_authorization_url(REDIRECT, nonce=nonce, acr_values="LoA2")
    async with httpx.AsyncClient(timeout=30) as browser:  # follows no redirect: the portal is not running
        page = await browser.get(start["url"])
        request_id = re.search(r'name="request_id" value="([^"]+)"', page.text)
        assert page.status_code == 200 and request_id, page.text
        fields = {
            "request_id": request_id[1],
            "client_id": CLIENT_ID,
            "SoDinhDanh": identities.CITIZEN_EXISTS,
        }
        back = await browser.post(f"{issuer}/login", data=fields)
        # Signed in at the provider now (its cookie, passed through the gateway): the next portal's
        # request comes back at once, even one that forbids a sign-in page.
        again = await portal.create_authorization_url(REDIRECT, nonce=generate_token(20), prompt="none")
        silent = await browser.get(again["url"])
        assert silent.status_code == 302 and "code=" in silent.headers["location"], silent.text
        session = browser.cookies.get("ndxp_vneid_sso")
        assert session
    assert back.status_code == 302 and back.headers["location"].startswith(REDIRECT)
    returned = parse_qs(urlsplit(back.headers["location"]).query)
    assert returned["state"] == [start["state"]]
    token = await portal.fetch_access_token(
        redirect_uri=REDIRECT, code=returned["code"][0], code_verifier=start["code_verifier"]
    )
    claims = await portal.parse_id_token(token, nonce)
    user = await portal.userinfo(token=token)
    async with AsyncOAuth2Client(CLIENT_ID, SECRET, token=token, timeout=30) as client:
        renewed = await client.refresh_token(f"{issuer}/token")  # the session goes on: RFC 6749 §6
    assert renewed["refresh_token"] != token["refresh_token"]
    assert (await portal.parse_id_token(renewed, None))["sub"] == claims["sub"]
    secrets = {
        "code": returned["code"][0],
        "verifier": start["code_verifier"],
        "access": token["access_token"],
        "id_token": token["id_token"],
        "refresh": token["refresh_token"],
        "renewed access": renewed["access_token"],
        "renewed refresh": renewed["refresh_token"],
        "request_id": request_id[1],
        "silent code": parse_qs(urlsplit(silent.headers["location"]).query)["code"][0],
        "provider session": session,
    }
    return dict(claims), dict(user), secrets


def test_a_portal_signs_in_over_real_sockets_and_the_records_stay_clean(simulator: Simulator) -> None:
    issuer = f"{simulator.base_url}/apiVNeID/1.0"
    claims, user, secrets = asyncio.run(_sign_in(issuer))
    assert claims["iss"] == issuer and claims["aud"] == CLIENT_ID and claims["acr"] == "LoA2"
    assert (user["SoDinhDanh"], user["loAs"], user["sub"]) == (
        identities.CITIZEN_EXISTS,
        "LoA2",
        claims["sub"],
    )

    # discovery, authorize, login, authorize (signed in), token, jwks, userinfo, token (refresh): eight
    bootstrap = f"127.0.0.1:{simulator.env['NDXP_KAFKA__EMBEDDED_PORT']}"
    records = asyncio.run(consume_records(bootstrap, simulator.env["NDXP_KAFKA__TOPIC"], expected=8))
    mine = [r for r in records if r["service_key"] == "vneid_sso"]
    assert {r["operation"] for r in mine} >= {"authorize", "login", "token", "userinfo", "jwks"}
    assert sum(r["operation"] == "token" for r in mine) == 2
    assert {r["consumer_id"] for r in mine if r["operation"] in ("token", "userinfo")} == {CLIENT_ID}
    raw = orjson.dumps(mine).decode()
    for clear in (*secrets.values(), SECRET, identities.CITIZEN_EXISTS, "Nguyễn"):
        assert clear not in raw, f"{clear[:12]}… reached the topic in clear"

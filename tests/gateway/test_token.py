"""POST /token and bearer-token verification."""

from __future__ import annotations

import asyncio
import base64
import time

import orjson
from joserfc import jwt
from joserfc.jwk import OctKey

from tests.conftest import CONSUMER, GatewayHarness
from tests.samples import token_claims

LOOKUP = "/apiCSDLDKDN/1.0/chiTietDoanhNghiep?msdn=0100109106"


async def test_basic_credentials_give_a_bearer_token_with_expiry(gateway: GatewayHarness) -> None:
    response = await gateway.client.post("/token", data={"grant_type": "client_credentials"}, auth=CONSUMER)
    assert response.status_code == 200
    body = response.json()
    assert body["token_type"] == "Bearer" and body["expires_in"] == 3600
    claims = orjson.loads(base64.urlsafe_b64decode(body["access_token"].split(".")[1] + "=="))
    assert claims["sub"] == CONSUMER[0]
    assert claims["exp"] - claims["iat"] == 3600


async def test_form_credentials_work_too(gateway: GatewayHarness) -> None:
    response = await gateway.client.post(
        "/token",
        data={"grant_type": "client_credentials", "client_id": CONSUMER[0], "client_secret": CONSUMER[1]},
    )
    assert response.status_code == 200


async def test_wrong_or_missing_credentials_are_401(gateway: GatewayHarness) -> None:
    wrong = await gateway.client.post(
        "/token", data={"grant_type": "client_credentials"}, auth=(CONSUMER[0], "not-the-secret")
    )
    missing = await gateway.client.post("/token", data={"grant_type": "client_credentials"})
    unknown = await gateway.client.post(
        "/token", data={"grant_type": "client_credentials"}, auth=("000.00.00.X00", "x")
    )
    for response in (wrong, missing, unknown):
        assert response.status_code == 401
        assert response.json()["type"] == "Client.Unauthorized"
        assert response.headers["x-ndxp-error"] == "Client.Unauthorized"


async def test_other_grant_types_are_refused(gateway: GatewayHarness) -> None:
    response = await gateway.client.post("/token", data={"grant_type": "password"}, auth=CONSUMER)
    assert response.status_code == 400
    assert "client_credentials" in response.json()["message"]


def _forge(claims: dict[str, object], secret: bytes) -> str:
    return jwt.encode({"alg": "HS256"}, claims, OctKey.import_key(secret), algorithms=["HS256"])


def _unsigned(claims: dict[str, object]) -> str:
    def part(data: dict[str, object]) -> str:
        return base64.urlsafe_b64encode(orjson.dumps(data)).rstrip(b"=").decode()

    return f"{part({'alg': 'none', 'typ': 'JWT'})}.{part(claims)}."


async def test_expired_forged_unsigned_and_garbage_tokens_are_401(gateway: GatewayHarness) -> None:
    now = int(time.time())
    secret = gateway.app.runtime.settings.jwt_secret.get_secret_value().encode()
    good_claims = token_claims(CONSUMER[0], now)
    tokens = {
        "expired": _forge({**good_claims, "iat": now - 7200, "nbf": now - 7200, "exp": now - 3600}, secret),
        "forged": _forge(good_claims, b"another-key-another-key-another-key"),
        "alg none": _unsigned(good_claims),
        "garbage": "not.a.token",
        "unknown consumer": _forge({**good_claims, "sub": "000.00.00.X00"}, secret),
    }
    for name, token in tokens.items():
        response = await gateway.client.get(LOOKUP, headers={"authorization": f"Bearer {token}"})
        assert response.status_code == 401, name
        assert response.json()["type"] == "Client.Unauthorized", name
    missing = await gateway.client.get(LOOKUP)
    assert missing.status_code == 401
    assert missing.headers["www-authenticate"].startswith("Bearer")


async def test_a_token_stops_working_when_it_expires(make_gateway, make_settings) -> None:  # type: ignore[no-untyped-def]
    gateway = make_gateway(make_settings(token_ttl_s=1))
    headers = await gateway.auth()
    first = await gateway.client.get("/_meta/allowed", headers=headers)
    assert first.status_code == 200
    await asyncio.sleep(1.1)
    second = await gateway.client.get("/_meta/allowed", headers=headers)
    assert second.status_code == 401
    assert second.json()["message"] == "token expired"

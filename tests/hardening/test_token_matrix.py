"""Bearer tokens, the rest of the matrix: forged, unsigned, confused algorithms, expired, revoked, rotated."""

from __future__ import annotations

import base64
import hashlib
import hmac
import time
from typing import Any

import orjson
import pytest
from joserfc import jwt
from joserfc.jwk import OctKey, RSAKey

from ndxp_sim.core.settings import Settings
from ndxp_sim.gateway.auth import hash_secret
from tests.conftest import CONSUMER, OPERATOR, GatewayHarness, MakeGateway, MakeSettings
from tests.samples import token_claims

ALLOWED = "/_meta/allowed"
RSA = RSAKey.generate_key(2048)
PUBLIC_PEM = RSA.as_pem(private=False)


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def _claims(**changes: Any) -> dict[str, Any]:
    return token_claims(CONSUMER[0], int(time.time())) | changes


def _hs256(secret: str | bytes, claims: dict[str, Any]) -> str:
    key = OctKey.import_key(secret if isinstance(secret, bytes) else secret.encode())
    return jwt.encode({"alg": "HS256"}, claims, key, algorithms=["HS256"])


def _secret(gateway: GatewayHarness) -> str:
    return gateway.app.runtime.settings.jwt_secret.get_secret_value()


def _unsigned(claims: dict[str, Any]) -> str:
    header = _b64(orjson.dumps({"alg": "none", "typ": "JWT"}))
    return f"{header}.{_b64(orjson.dumps(claims))}."


def _hmac_token(key: bytes, header: dict[str, str]) -> str:
    """A token with any header, HMAC-SHA256-signed with raw `key` bytes (no library check in the way)."""
    signing_input = f"{_b64(orjson.dumps(header))}.{_b64(orjson.dumps(_claims()))}"
    signature = hmac.new(key, signing_input.encode(), hashlib.sha256).digest()
    return f"{signing_input}.{_b64(signature)}"


FORGERIES = {
    "signed with another secret": lambda g: _hs256("not-the-gateway-secret-" * 2, _claims()),
    "signature stripped": lambda g: _hs256(_secret(g), _claims()).rsplit(".", 1)[0] + ".",
    "claims swapped under a valid signature": lambda g: ".".join(
        [
            _hs256(_secret(g), _claims()).split(".")[0],
            _b64(orjson.dumps(_claims(sub=OPERATOR[0], scope="operator"))),
            _hs256(_secret(g), _claims()).split(".")[2],
        ]
    ),
    "alg none, no signature": lambda g: _unsigned(_claims()),
    "alg none, operator claims": lambda g: _unsigned(_claims(sub=OPERATOR[0], scope="operator")),
    "HS256 keyed with an RSA public key": lambda g: _hmac_token(PUBLIC_PEM, {"alg": "HS256"}),
    "RS256 signed with an unknown RSA key": lambda g: jwt.encode(
        {"alg": "RS256"}, _claims(), RSA, algorithms=["RS256"]
    ),
    "RS256 header over an HMAC of the gateway secret": lambda g: _hmac_token(
        _secret(g).encode(), {"alg": "RS256"}
    ),
    "HS512 header over an HMAC of the gateway secret": lambda g: _hmac_token(
        _secret(g).encode(), {"alg": "HS512"}
    ),
    "expired a minute ago": lambda g: _hs256(
        _secret(g), _claims(iat=int(time.time()) - 700, nbf=int(time.time()) - 700, exp=int(time.time()) - 60)
    ),
    "no expiry": lambda g: _hs256(_secret(g), {k: v for k, v in _claims().items() if k != "exp"}),
    "not a JWT at all": lambda g: "x" * 40,
}


@pytest.mark.parametrize("case", list(FORGERIES))
async def test_forged_unsigned_confused_and_expired_tokens_are_401(
    gateway: GatewayHarness, case: str
) -> None:
    """A token forged, stripped of its signature, with alg none, HS256 keyed with an RSA public key, RS256 or
    HS512 in the header, expired, without expiry, or garbage, on a consumer route and on /_ops → 401
    Client.Unauthorized, with a WWW-Authenticate challenge."""
    token = FORGERIES[case](gateway)
    for path in (ALLOWED, "/_ops/exchanges"):
        response = await gateway.client.get(path, headers={"authorization": f"Bearer {token}"})
        assert response.status_code == 401, (case, path, response.text)
        assert response.json()["type"] == "Client.Unauthorized"
        assert response.headers["www-authenticate"].startswith("Bearer")


def _config_without(settings: Settings, consumer_id: str) -> list[dict[str, Any]]:
    return [c.model_dump() for c in settings.consumers if c.id != consumer_id]


async def test_a_token_of_a_consumer_removed_from_the_config_is_refused(
    make_settings: MakeSettings, make_gateway: MakeGateway
) -> None:
    """A valid token of H91, then the gateway restarted with H91 removed from the config (same JWT secret) →
    401 'unknown consumer', and /token with its old credentials → 401."""
    before = make_gateway(make_settings())
    token = await before.token()
    assert (await before.client.get(ALLOWED, headers={"authorization": f"Bearer {token}"})).status_code == 200
    settings = make_settings()
    after = make_gateway(make_settings(consumers=_config_without(settings, CONSUMER[0])))
    refused = await after.client.get(ALLOWED, headers={"authorization": f"Bearer {token}"})
    assert refused.status_code == 401 and "unknown consumer" in refused.json()["message"]
    issued = await after.client.post("/token", data={"grant_type": "client_credentials"}, auth=CONSUMER)
    assert issued.status_code == 401


async def test_a_rotated_consumer_secret_refuses_the_old_one_at_token(
    make_settings: MakeSettings, make_gateway: MakeGateway
) -> None:
    """H91's secret changed in the config → /token with the old secret 401 Client.Unauthorized, with the new
    one 200."""
    settings = make_settings()
    consumers = [c.model_dump() for c in settings.consumers]
    for consumer in consumers:
        if consumer["id"] == CONSUMER[0]:
            consumer["secret_hash"] = hash_secret("rotated-secret-H91", iterations=1000)
    gateway = make_gateway(make_settings(consumers=consumers))
    old = await gateway.client.post("/token", data={"grant_type": "client_credentials"}, auth=CONSUMER)
    assert old.status_code == 401 and old.json()["type"] == "Client.Unauthorized"
    new = await gateway.client.post(
        "/token", data={"grant_type": "client_credentials"}, auth=(CONSUMER[0], "rotated-secret-H91")
    )
    assert new.status_code == 200


async def test_tokens_signed_before_a_jwt_secret_rotation_are_refused(
    make_settings: MakeSettings, make_gateway: MakeGateway
) -> None:
    """A token issued under one JWT secret, the gateway restarted with another → 401 on the old token, a new
    token works."""
    before = make_gateway(make_settings(jwt_secret="fake-first-jwt-secret-" + "a" * 32))
    old_token = await before.token()
    after = make_gateway(make_settings(jwt_secret="fake-second-jwt-secret-" + "b" * 32))
    refused = await after.client.get(ALLOWED, headers={"authorization": f"Bearer {old_token}"})
    assert refused.status_code == 401
    assert (await after.client.get(ALLOWED, headers=await after.auth())).status_code == 200


async def test_operator_and_consumer_roles_are_kept_apart(gateway: GatewayHarness) -> None:
    """A consumer token on /_ops → 403 Client.AccessDenied and as the console's session cookie → no page
    (sign-in); an operator token → /_ops 200 and the console page 200, but a service call with it → 403."""
    api = gateway.app.api
    async with api.router.lifespan_context(api):  # opens the exchange store the operator pages read
        await _roles(gateway)


async def _roles(gateway: GatewayHarness) -> None:
    consumer = await gateway.auth(CONSUMER)
    operator = await gateway.auth(OPERATOR)
    ops_by_consumer = await gateway.client.get("/_ops/exchanges", headers=consumer)
    assert ops_by_consumer.status_code == 403 and ops_by_consumer.json()["type"] == "Client.AccessDenied"
    assert (await gateway.client.get("/_ops/exchanges", headers=operator)).status_code == 200

    console = "/console/exchanges"
    as_consumer = await gateway.client.get(
        console, headers={"cookie": f"ndxp_console={await gateway.token(CONSUMER)}"}
    )
    assert as_consumer.status_code in (303, 401) and "login" in as_consumer.headers.get("location", "login")
    as_operator = await gateway.client.get(
        console, headers={"cookie": f"ndxp_console={await gateway.token(OPERATOR)}"}
    )
    assert as_operator.status_code == 200, as_operator.text
    as_service = await gateway.client.get(
        "/apiCSDLDKDN/1.0/chiTietDoanhNghiep?msdn=1600123453", headers=operator
    )
    assert as_service.status_code == 403 and as_service.json()["type"] == "Client.AccessDenied"


async def _session(gateway: GatewayHarness, credentials: tuple[str, str]) -> dict[str, str]:
    """The console's session cookie holding that account's token (what sign-in would set)."""
    return {"cookie": f"ndxp_console={await gateway.token(credentials)}"}

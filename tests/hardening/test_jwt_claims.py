"""Bearer tokens: signed with the right key is not enough; issuer, audience and validity times count."""

from __future__ import annotations

import time

import pytest
from joserfc import jwt
from joserfc.jwk import OctKey

from tests.conftest import CONSUMER, GatewayHarness
from tests.samples import token_claims

ALLOWED = "/_meta/allowed"


def _token(gateway: GatewayHarness, **changes: object) -> str:
    claims = token_claims(CONSUMER[0], int(time.time())) | changes
    claims = {name: value for name, value in claims.items() if value is not None}
    key = OctKey.import_key(gateway.app.runtime.settings.jwt_secret.get_secret_value().encode())
    return jwt.encode({"alg": "HS256"}, claims, key, algorithms=["HS256"])


async def test_a_token_with_every_claim_right_is_accepted(gateway: GatewayHarness) -> None:
    """A token with the right key, issuer, audience, subject and times (control case) → 200."""
    response = await gateway.client.get(ALLOWED, headers={"authorization": f"Bearer {_token(gateway)}"})
    assert response.status_code == 200, response.text


@pytest.mark.parametrize(
    ("case", "changes", "claim"),
    [
        ("not valid for an hour yet", {"nbf": int(time.time()) + 3600}, "nbf"),
        ("issued in the future", {"iat": int(time.time()) + 3600}, "iat"),
        ("another issuer", {"iss": "another-gateway"}, "iss"),
        ("no issuer", {"iss": None}, "iss"),
        ("another audience", {"aud": "another-api"}, "aud"),
        ("no audience", {"aud": None}, "aud"),
        ("no not-before", {"nbf": None}, "nbf"),
    ],
)
async def test_tokens_with_a_wrong_or_missing_claim_are_401(
    gateway: GatewayHarness, case: str, changes: dict[str, object], claim: str
) -> None:
    """A token signed with the gateway's own key but with a future nbf or iat, a foreign or missing iss or
    aud, or no nbf → 401 Client.Unauthorized naming the claim."""
    token = _token(gateway, **changes)
    response = await gateway.client.get(ALLOWED, headers={"authorization": f"Bearer {token}"})
    assert response.status_code == 401, case
    assert response.json()["type"] == "Client.Unauthorized"
    assert claim in response.json()["message"], case


async def test_issued_tokens_carry_issuer_audience_and_not_before(gateway: GatewayHarness) -> None:
    """A token from /token → its iss and aud are the configured token_issuer and its nbf is not in the
    future."""
    issued = await gateway.client.post("/token", data={"grant_type": "client_credentials"}, auth=CONSUMER)
    claims = jwt.decode(
        issued.json()["access_token"],
        OctKey.import_key(gateway.app.runtime.settings.jwt_secret.get_secret_value().encode()),
        algorithms=["HS256"],
    ).claims
    assert (claims["iss"], claims["aud"]) == ("ndxp-sim", "ndxp-sim") and claims["nbf"] <= time.time()

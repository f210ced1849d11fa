"""A provincial LGSP's client conventions: the `lgspaccesstoken` header and the NGSP routing headers."""

from __future__ import annotations

import base64
from typing import Any

import orjson
import pytest
import respx

from ndxp_sim.gateway import auth
from ndxp_sim.gateway.logpipe.masking import Masker
from ndxp_sim.gateway.logpipe.record import to_record
from tests.conftest import LIMITED_CONSUMER, GatewayHarness

MOCKS = "http://127.0.0.1:9100"
ENTERPRISE = "0100109106"
LOOKUP = f"/apiCSDLDKDN/1.0/chiTietDoanhNghiep?msdn={ENTERPRISE}"
# The shipped fake credential of consumer 000.00.00.H91 (core/config/default.yaml).
H91_LGSP = {
    "AccessKey": "demo-access-H91",
    "SecretKey": "demo-lgsp-secret-H91",
    "AppName": "Một cửa điện tử An Giang",
    "PartnerCode": "H91",
    "PartnerCodeCus": "H91",
}


def lgsp_token(**fields: Any) -> str:
    return base64.b64encode(orjson.dumps({**H91_LGSP, **fields})).decode()


def _backend() -> respx.Route:
    return respx.get(f"{MOCKS}/csdl_dkdn/doanh-nghiep/{ENTERPRISE}").respond(json={"GetEntCert": []})


async def test_token_endpoint_accepts_an_lgspaccesstoken(gateway: GatewayHarness) -> None:
    """POST /token, grant_type=client_credentials, header lgspaccesstoken → a bearer token of its consumer."""
    response = await gateway.client.post(
        "/token", data={"grant_type": "client_credentials"}, headers={"lgspaccesstoken": lgsp_token()}
    )
    assert response.status_code == 200, response.text
    claims = orjson.loads(base64.urlsafe_b64decode(response.json()["access_token"].split(".")[1] + "=="))
    assert claims["sub"] == "000.00.00.H91"


@respx.mock
async def test_a_call_with_only_an_lgspaccesstoken_is_served_and_checked_once(
    gateway: GatewayHarness, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Three calls carrying only lgspaccesstoken → 200 each, recorded under its consumer, one PBKDF2 check."""
    _backend()
    checks: list[str] = []
    real_check = auth._check_secret

    def counted(secret: str, stored: str | None) -> bool:
        checks.append(secret)
        return real_check(secret, stored)

    monkeypatch.setattr(auth, "_check_secret", counted)
    for _ in range(3):
        response = await gateway.client.get(LOOKUP, headers={"lgspaccesstoken": lgsp_token()})
        assert response.status_code == 200, response.text
    assert {e.consumer_id for e in gateway.sink.exchanges} == {"000.00.00.H91"}
    assert len(checks) == 1


@pytest.mark.parametrize(
    ("token", "why"),
    [
        (lgsp_token(SecretKey="not-the-secret"), "invalid lgspaccesstoken"),
        (lgsp_token(AccessKey="demo-access-X00"), "invalid lgspaccesstoken"),
        (lgsp_token(PartnerCode="H92"), "PartnerCode"),
        ("bm90IGpzb24=", "malformed"),  # base64 of "not json"
        ("%%%", "malformed"),
        (base64.b64encode(b'{"AccessKey": "demo-access-H91"}').decode(), "malformed"),
        (lgsp_token(AppName="x" * 5000), "malformed"),
    ],
)
async def test_a_wrong_lgspaccesstoken_is_401_on_calls_and_at_token(
    gateway: GatewayHarness, token: str, why: str
) -> None:
    """Wrong secret, unknown key, other PartnerCode, not base64 JSON, no SecretKey, oversized → 401, why."""
    call = await gateway.client.get(LOOKUP, headers={"lgspaccesstoken": token})
    issued = await gateway.client.post(
        "/token", data={"grant_type": "client_credentials"}, headers={"lgspaccesstoken": token}
    )
    for response in (call, issued):
        assert response.status_code == 401, response.text
        assert response.json()["type"] == "Client.Unauthorized" and why in response.json()["message"]


@respx.mock
async def test_bearer_and_lgspaccesstoken_together_must_name_the_same_consumer(
    gateway: GatewayHarness,
) -> None:
    """Bearer of H91 + its lgspaccesstoken → 200; bearer of H92 + H91's lgspaccesstoken → 401."""
    _backend()
    same = {**await gateway.auth(), "lgspaccesstoken": lgsp_token()}
    assert (await gateway.client.get(LOOKUP, headers=same)).status_code == 200
    other = {**await gateway.auth(LIMITED_CONSUMER), "lgspaccesstoken": lgsp_token()}
    response = await gateway.client.get(LOOKUP, headers=other)
    assert response.status_code == 401 and "different consumers" in response.json()["message"]


@respx.mock
async def test_ngsp_routing_headers_are_recorded(gateway: GatewayHarness) -> None:
    """SENDER_CODE, RECEIVER_CODE and TRAN_CODE (underscored or hyphenated) → the exchange record's
    sender_code, receiver_code, tran_code; absent headers stay null."""
    _backend()
    headers = {
        **await gateway.auth(),
        "SENDER_CODE": "000.00.00.H91",
        "RECEIVER-CODE": "000.00.00.G12",
        "TRAN_CODE": "TRACUU_DOANHNGHIEP",
    }
    tagged = await gateway.client.get(LOOKUP, headers=headers)
    plain = await gateway.client.get(LOOKUP, headers=await gateway.auth())
    masker = Masker(b"k" * 32)
    records = [
        to_record(gateway.exchange(r.headers["x-ndxp-exchange-id"]), "masked", 4096, masker)
        for r in (tagged, plain)
    ]
    assert (records[0]["sender_code"], records[0]["receiver_code"], records[0]["tran_code"]) == (
        "000.00.00.H91",
        "000.00.00.G12",
        "TRACUU_DOANHNGHIEP",
    )
    assert records[1]["sender_code"] is records[1]["receiver_code"] is records[1]["tran_code"] is None


async def test_wrong_lgspaccesstokens_are_throttled_per_access_key(gateway: GatewayHarness) -> None:
    """10 wrong SecretKeys for one AccessKey on calls → the 11th attempt, even with the right one, is 429
    with Retry-After before any hashing; another AccessKey is not affected."""
    for _ in range(10):
        wrong = await gateway.client.get(LOOKUP, headers={"lgspaccesstoken": lgsp_token(SecretKey="guess")})
        assert wrong.status_code == 401
    blocked = await gateway.client.get(LOOKUP, headers={"lgspaccesstoken": lgsp_token()})
    assert blocked.status_code == 429 and int(blocked.headers["retry-after"]) >= 1
    at_token = await gateway.client.post(
        "/token", data={"grant_type": "client_credentials"}, headers={"lgspaccesstoken": lgsp_token()}
    )
    assert at_token.status_code == 429
    other = await gateway.client.get(
        LOOKUP, headers={"lgspaccesstoken": lgsp_token(AccessKey="demo-access-X")}
    )
    assert other.status_code == 401

"""Callbacks through the gateway's relay: checked, signed, retried, each attempt on the dossier's trace."""

from __future__ import annotations

import asyncio
import hashlib
import hmac
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest

from ndxp_sim.gateway.exchange import Exchange
from ndxp_sim.gateway.logpipe.broker import free_port
from tests.conftest import CONSUMER, MakeGateway, MakeSettings
from tests.local_http import CallbackReceiver
from tests.relay_stack import Stack, relay_stack
from tests.samples import birth_registration

HO_TICH = "/apiHoTich/1.0"
RELAY_KEY = "relay-key-of-this-test"


@pytest.fixture
async def stack(
    make_gateway: MakeGateway, make_settings: MakeSettings, tmp_path: Path
) -> AsyncIterator[Stack]:
    async with relay_stack(
        make_gateway, make_settings, tmp_path, callback_retries=2, callback_relay_key=RELAY_KEY
    ) as stack:
        yield stack


async def _register(stack: Stack, ma_ho_so: str, callback_url: str) -> None:
    answer = await stack.gateway.client.post(
        f"{HO_TICH}/dangKyKhaiSinh",
        json=birth_registration(ma_ho_so, callback_url),
        headers=await stack.gateway.auth(),
    )
    assert answer.status_code == 200, answer.text


async def _wait(predicate: Any, limit_s: float = 10.0) -> None:
    async with asyncio.timeout(limit_s):
        while not predicate():  # noqa: ASYNC110 - the sink is a plain list: polling is all it offers
            await asyncio.sleep(0.02)


async def test_a_birth_dossier_traces_submission_status_calls_and_callbacks(
    stack: Stack, receiver: CallbackReceiver
) -> None:
    receiver.script = [500]  # the first delivery fails at the receiver: the mock retries through the relay
    code = "000.00.00.H91-KS-0101"
    await _register(stack, code, receiver.url)
    status = await stack.gateway.client.get(
        f"{HO_TICH}/traCuuHoSo", params={"maHoSo": code}, headers=await stack.gateway.auth()
    )
    assert status.status_code == 200
    await receiver.wait_for(lambda: any(b'"done"' in d["raw"] for d in receiver.received), limit_s=10)
    await _wait(lambda: sum(e.operation == "callback" and e.status == 200 for e in stack.records(code)) >= 3)

    records = stack.records(code)
    operations = [e.operation for e in records]
    assert operations[:2] == ["dangKyKhaiSinh", "traCuuHoSo"]  # the dossier key came from the body and query
    callbacks = [e for e in records if e.operation == "callback"]
    assert [e.status for e in callbacks][:2] == [500, 200]  # the refused attempt and its retry, both recorded
    for record in callbacks:
        assert (record.consumer_id, record.service_key) == (CONSUMER[0], "ho_tich")
        assert record.backend_protocol == "callback-out"
    assert callbacks[0].t_request_in >= records[0].t_request_in

    key = stack.settings.mocks.callback_key.get_secret_value().encode()
    for delivery in receiver.received:  # the relay forwards the mock's signature unchanged
        headers, body = delivery["headers"], delivery["raw"]
        signed = f"{headers['X-NDXP-Timestamp']}.".encode() + body
        expected = "sha256=" + hmac.new(key, signed, hashlib.sha256).hexdigest()
        assert hmac.compare_digest(headers["X-NDXP-Signature"], expected)
        assert "X-NDXP-Relay-Key" not in headers


async def test_a_callback_to_an_unregistered_url_is_refused_and_recorded(stack: Stack) -> None:
    relay = stack.gateway.client
    headers = {"x-ndxp-relay-key": RELAY_KEY, "x-ndxp-ma-ho-so": "000.00.00.H91-KS-0102"}
    refused = await relay.post(
        "/_callbacks/ho_tich",
        content=b'{"trangThai":"done"}',
        headers={**headers, "x-ndxp-callback-url": "http://198.51.100.7/not-registered"},
    )
    assert (refused.status_code, refused.headers["x-ndxp-error"]) == (403, "Client.AccessDenied")
    without_key = await relay.post(
        "/_callbacks/ho_tich",
        content=b"{}",
        headers={"x-ndxp-callback-url": "http://127.0.0.1:1/callbacks"},
    )
    assert without_key.status_code == 401  # a consumer (or anyone) cannot use the relay
    record = stack.records("000.00.00.H91-KS-0102")
    assert [(e.operation, e.status, e.outcome) for e in record] == [("callback", 403, "client_error")]


async def test_a_receiver_that_is_down_gets_every_attempt_recorded_then_a_dead_letter(stack: Stack) -> None:
    down = f"http://127.0.0.1:{free_port()}/callbacks"  # registered pattern, nothing listening
    code = "000.00.00.H91-KS-0103"
    await _register(stack, code, down)

    def attempts() -> list[Exchange]:
        return [e for e in stack.records(code) if e.operation == "callback"]

    await _wait(lambda: len(attempts()) >= 3)
    first_delivery = attempts()[:3]
    assert [e.status for e in first_delivery] == [503, 503, 503]  # first try + callback_retries=2
    assert all(e.outcome == "backend_error" for e in first_delivery)
    async with stack.mock_admin() as mock:
        for _ in range(200):
            dead = (await mock.get("/_admin/callbacks")).json()["deadLetters"]
            if dead:
                break
            await asyncio.sleep(0.02)
    assert [(d["maHoSo"], len(d["attempts"])) for d in dead][:1] == [(code, 3)]  # as with direct delivery

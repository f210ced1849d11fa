"""Callbacks cannot be aimed at the simulator itself, and the mocks' admin API needs its token."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import httpx
import pytest
import respx
from aiohttp import web
from fastapi import FastAPI
from pydantic import ValidationError

from ndxp_sim.core.settings import Settings
from ndxp_sim.mock_services.admin import admin_headers
from ndxp_sim.mock_services.app import create_mock_app
from tests.conftest import GatewayHarness, MakeSettings
from tests.local_http import CallbackReceiver, callback_receiver
from tests.mock_services.mock_helpers import BIRTH, birth, eventually
from tests.samples import birth_registration

KHAI_SINH = "/apiHoTich/1.0/dangKyKhaiSinh"


@pytest.mark.parametrize(
    "url",
    [
        "http://127.0.0.1:9100/_admin/reset",  # the mocks' admin API
        "http://127.0.0.1:9100/callbacks",  # the mocks' port, even under the registered path
        "http://localhost:8080/callbacks",  # the gateway
        "http://127.0.0.1:19092/callbacks",  # the embedded broker
        "http://127.0.0.1:45678/callbacks/../_admin/reset",  # a dot segment climbing out of the path
        "http://127.0.0.1:45678/other",  # outside the registered path
    ],
)
async def test_the_gateway_refuses_callbacks_aimed_at_the_simulator(
    gateway: GatewayHarness, url: str
) -> None:
    """A consumer submits a dossier whose callbackUrl points at the mock's admin API, the gateway,
    the broker, or outside the registered `/callbacks` path → 422 Client.InvalidRequest naming
    callbackUrl; nothing reaches the backend."""
    with respx.mock:
        backend = respx.post(url__regex=r".*/ho_tich/.*").respond(json={"status": 1, "value": {}})
        response = await gateway.client.post(
            KHAI_SINH, json=birth_registration("HS-CB-1", url), headers=await gateway.auth()
        )
        assert not backend.called
    assert response.status_code == 422
    assert response.headers["x-ndxp-error"] == "Client.InvalidRequest"
    assert "callbackUrl" in response.json()["message"]


async def test_a_registered_callback_url_still_passes(gateway: GatewayHarness) -> None:
    """A callbackUrl under the shipped registration (`http://127.0.0.1:*/callbacks`) on a port of
    the consumer's own → the dossier reaches the backend."""
    receipt = {
        "status": 1,
        "statusDescription": "ok",
        "value": {"maHoSo": "HS-CB-2", "trangThai": "received"},
    }
    with respx.mock:
        backend = respx.post(url__regex=r".*/ho_tich/khai-sinh").respond(json=receipt)
        body = birth_registration("HS-CB-2", "http://127.0.0.1:45678/callbacks/ho-tich")
        response = await gateway.client.post(KHAI_SINH, json=body, headers=await gateway.auth())
    assert response.status_code == 200, response.text
    assert backend.called


@pytest.mark.parametrize(
    ("patterns", "complaint"),
    [
        (["http://127.0.0.1:*"], "a path is required"),
        (["http://localhost:*/"], "a path is required"),
        (["http://127.0.0.1:9100/callbacks"], "own ports"),
        (["http://localhost:8080/callbacks"], "own ports"),
    ],
)
def test_configuration_refuses_wide_or_self_pointing_callback_patterns(
    make_settings: MakeSettings, patterns: list[str], complaint: str
) -> None:
    """A consumer's callback_urls holds a bare host (any port, any path) or names the mocks' or the
    gateway's port → the settings do not load; the error names callback_urls."""
    consumer = {"id": "000.00.00.H99", "secret_hash": "x", "callback_urls": patterns}
    with pytest.raises(ValidationError) as caught:
        make_settings(consumers=[consumer])
    assert "callback_urls" in str(caught.value) and complaint in str(caught.value)


@pytest.fixture
def mock_settings(make_settings: MakeSettings, tmp_path: Path) -> Settings:
    mocks: dict[str, Any] = {
        "population": 300,
        "cache_dir": tmp_path / "cache",
        "state_file": tmp_path / "mock-state.db",
        "dossier_step_s": 0.02,
        "callback_retries": 1,
        "callback_backoff_s": 0.01,
    }
    return make_settings(mocks=mocks)


@pytest.fixture
async def mock_app(mock_settings: Settings) -> AsyncIterator[FastAPI]:
    app = create_mock_app(mock_settings)
    yield app
    await app.state.mocks.aclose()


def _client(app: FastAPI, headers: dict[str, str] | None = None) -> httpx.AsyncClient:
    return httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://mocks", headers=headers)


async def _dead_letters(app: FastAPI, settings: Settings, count: int) -> list[dict[str, Any]]:
    async with _client(app, admin_headers(settings)) as admin:

        async def settled() -> bool:
            listing = (await admin.get("/_admin/callbacks")).json()
            return len(listing["deadLetters"]) >= count

        await eventually(settled)
        return (await admin.get("/_admin/callbacks")).json()["deadLetters"]  # type: ignore[no-any-return]


async def test_the_mock_does_not_deliver_to_its_own_port(
    make_settings: MakeSettings, tmp_path: Path, receiver: CallbackReceiver
) -> None:
    """A dossier submitted straight to the mock (no gateway check) with a callbackUrl whose host
    name resolves to loopback and whose port is the mocks' own → no request is sent there; the
    callback becomes a dead letter after one attempt whose error says why."""
    own_port = int(receiver.url.split(":")[2].split("/")[0])  # the receiver stands in for the mocks' port
    mocks = {"population": 300, "cache_dir": tmp_path / "cache", "state_file": None, "dossier_step_s": 0.02}
    settings = make_settings(mocks=mocks | {"port": own_port})
    app = create_mock_app(settings)
    try:
        async with _client(app) as client:
            url = f"http://localhost:{own_port}/callbacks"
            assert (await client.post("/ho_tich/khai-sinh", json=birth(callbackUrl=url))).status_code == 200
        dead = await _dead_letters(app, settings, 3)
    finally:
        await app.state.mocks.aclose()
    assert receiver.received == []
    assert all(len(d["attempts"]) == 1 and "own ports" in d["attempts"][0]["error"] for d in dead)


async def test_a_redirect_is_not_followed(mock_app: FastAPI, mock_settings: Settings) -> None:
    """The consumer's callback endpoint answers 307 pointing somewhere else → the mock
    does not follow it (the other server gets nothing); the delivery is a dead letter with status 307."""
    async with callback_receiver() as elsewhere:

        async def redirect(_: web.Request) -> web.Response:
            return web.Response(status=307, headers={"Location": elsewhere.url})

        app = web.Application()
        app.router.add_post("/callbacks", redirect)
        runner = web.AppRunner(app)
        await runner.setup()
        site = web.TCPSite(runner, "127.0.0.1", 0)
        await site.start()
        port = runner.addresses[0][1]
        try:
            async with _client(mock_app) as client:
                body = birth(callbackUrl=f"http://127.0.0.1:{port}/callbacks")
                assert (await client.post("/ho_tich/khai-sinh", json=body)).status_code == 200
            dead = await _dead_letters(mock_app, mock_settings, 1)
        finally:
            await runner.cleanup()
        assert elsewhere.received == []
        assert dead[0]["attempts"][0]["statusCode"] == 307


@pytest.mark.parametrize("authorization", [None, "Bearer wrong-token", "Basic ZmFrZQ=="])
async def test_the_admin_api_needs_the_admin_token(
    mock_app: FastAPI, mock_settings: Settings, authorization: str | None
) -> None:
    """POST /_admin/reset (and the other admin routes) without the admin token, or with a wrong
    one → 401, and nothing is reset (the dossier is still there); with the token from
    `mocks.admin_token` the same reset works."""
    headers = {"Authorization": authorization} if authorization else {}
    async with _client(mock_app, headers) as client:
        assert (await client.post("/ho_tich/khai-sinh", json=birth())).status_code == 200
        for method, path in [
            ("POST", "/_admin/reset"),
            ("GET", "/_admin/callbacks"),
            ("PUT", "/_admin/faults/csdl_dkdn"),
        ]:
            response = await client.request(method, path, json={})
            assert response.status_code == 401, (path, response.text)
        assert (await client.get(f"/ho_tich/ho-so/{BIRTH['maHoSo']}")).status_code == 200
        reset = await client.post("/_admin/reset", headers=admin_headers(mock_settings))
        assert reset.json() == {"reset": True}
        assert (await client.get(f"/ho_tich/ho-so/{BIRTH['maHoSo']}")).status_code == 404

"""`ndxp-sim up` for real: a token, the three services over HTTP, a birth callback, a clean stop."""

from __future__ import annotations

import hashlib
import hmac
import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any, ClassVar

import httpx
import pytest
import yaml

from ndxp_sim.core import identities
from tests.e2e.conftest import Simulator
from tests.samples import birth_registration

pytestmark = pytest.mark.e2e
CONSUMER = ("000.00.00.H91", "demo-secret-H91")
CALLER = {"MaYeuCau": "YC-E2E-1", "MaCanBo": "CB-E2E", "MaDVC": "1.000656", "MaTichHop": "LGSP"}


class _Callbacks(BaseHTTPRequestHandler):
    received: ClassVar[list[tuple[dict[str, str], bytes]]] = []

    def do_POST(self) -> None:
        body = self.rfile.read(int(self.headers["content-length"]))
        type(self).received.append((dict(self.headers), body))
        self.send_response(204)
        self.end_headers()

    def log_message(self, *args: Any) -> None:
        return None


def _token(client: httpx.Client) -> dict[str, str]:
    response = client.post("/token", data={"grant_type": "client_credentials"}, auth=CONSUMER)
    assert response.status_code == 200, response.text
    return {"authorization": f"Bearer {response.json()['access_token']}"}


def test_the_banner_tells_how_to_call_it(simulator: Simulator) -> None:
    log = simulator.log()
    assert simulator.base_url in log and "demo-secret-H91" in log and "curl" in log


def test_three_services_and_a_birth_registration_with_callback(
    simulator: Simulator, client: httpx.Client
) -> None:
    headers = _token(client)
    citizen = client.post(
        "/apiCSDLDanCu/1.0/TraCuuThongTinCongDan",
        json={**CALLER, "SoDinhDanh": identities.CITIZEN_EXISTS},
        headers=headers,
    )
    assert citizen.status_code == 200, citizen.text
    assert citizen.json()["CongdanCollection"]["CongDan"][0]["HoVaTen"]["Ten"] == "An"
    enterprise = client.get(
        "/apiCSDLDKDN/1.0/chiTietDoanhNghiep", params={"msdn": identities.ENTERPRISE_ACTIVE}, headers=headers
    )
    assert enterprise.json()["GetEntCert"][0]["MaSoDoanhNghiep"] == identities.ENTERPRISE_ACTIVE

    _Callbacks.received = []
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Callbacks)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        callback_url = f"http://127.0.0.1:{server.server_address[1]}/callbacks"
        body = birth_registration("000.00.00.H91-E2E-KS-1", callback_url)
        receipt = client.post("/apiHoTich/1.0/dangKyKhaiSinh", json=body, headers=headers)
        assert receipt.status_code == 200, receipt.text
        deadline = time.monotonic() + 30
        while not any(json.loads(b)["trangThai"] == "done" for _, b in _Callbacks.received):
            assert time.monotonic() < deadline, f"no 'done' callback; got {_Callbacks.received}"
            time.sleep(0.1)
    finally:
        server.shutdown()
        server.server_close()
    headers_done, body_done = next(
        (h, b) for h, b in _Callbacks.received if json.loads(b)["trangThai"] == "done"
    )
    signed = f"{headers_done['X-NDXP-Timestamp']}.".encode() + body_done
    # `up` generated this install's callback key; a consumer reads it from the secrets file up names.
    key = yaml.safe_load(Path(simulator.env["NDXP_SECRETS_FILE"]).read_text())["mocks"]["callback_key"]
    expected = "sha256=" + hmac.new(key.encode(), signed, hashlib.sha256).hexdigest()
    assert headers_done["X-NDXP-Signature"] == expected
    child_id = json.loads(body_done)["ketQuaXuLy"]["soDinhDanh"]
    child = client.post(
        "/apiCSDLDanCu/1.0/TraCuuThongTinCongDan", json={**CALLER, "SoDinhDanh": child_id}, headers=headers
    )
    assert child.status_code == 200
    assert child.json()["CongdanCollection"]["CongDan"][0]["Me"]["SoDinhDanh"] == identities.COUPLE_WIFE


def test_it_stops_cleanly_and_frees_its_ports(simulator: Simulator, client: httpx.Client) -> None:
    assert client.get("/health").status_code == 200
    assert simulator.stop() == 0
    assert "ndxp-sim stopped." in simulator.log()
    with pytest.raises(httpx.ConnectError):
        httpx.get(simulator.base_url + "/health", timeout=2)
    with pytest.raises(httpx.ConnectError):
        httpx.get(simulator.mock_url + "/health", timeout=2)

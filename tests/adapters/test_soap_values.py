"""A request value XML cannot carry is the caller's error (422 naming the field), never a 500."""

from __future__ import annotations

import respx

from ndxp_sim.core import identities
from tests.conftest import GatewayHarness

DAN_CU = "/apiCSDLDanCu/1.0/TraCuuThongTinCongDan"


@respx.mock
async def test_a_control_character_for_a_soap_backend_is_invalid_request(gateway: GatewayHarness) -> None:
    backend = respx.post("http://127.0.0.1:9100/csdl_dan_cu/soap")
    body = {
        "MaYeuCau": "YC-1",
        "MaCanBo": "CB-7",
        "SoDinhDanh": identities.CITIZEN_EXISTS,
        "HoVaTen": {"Ho": "Nguyễn", "Ten": "A\u001fn"},
    }
    response = await gateway.client.post(DAN_CU, json=body, headers=await gateway.auth())
    assert response.status_code == 422, response.text
    assert response.json()["type"] == "Client.InvalidRequest"
    assert response.json()["message"].startswith("body.HoVaTen.Ten: ")
    assert not backend.called

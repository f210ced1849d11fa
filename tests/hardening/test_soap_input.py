"""JSON in front of a SOAP backend: strings XML cannot carry are the caller's error, named, not a 500."""

from __future__ import annotations

from ndxp_sim.core import identities
from tests.conftest import GatewayHarness

TRA_CUU = "/apiCSDLDanCu/1.0/TraCuuThongTinCongDan"
XAC_THUC = "/apiCSDLDanCu/1.0/XacThucThongTinCongDan"


async def test_control_characters_for_the_soap_service_are_422_naming_the_field(
    stack: GatewayHarness,
) -> None:
    """U+0001 in MaYeuCau and U+000B in the nested HoVaTen.Ho for the SOAP-backed citizen DB → 422
    Client.InvalidRequest naming the field, no traceback, no backend call; the same call without them is
    served."""
    headers = await stack.auth()
    top = await stack.client.post(
        TRA_CUU,
        headers=headers,
        json={"MaYeuCau": "YC-\x01", "MaCanBo": "CB-1", "SoDinhDanh": identities.CITIZEN_EXISTS},
    )
    nested = await stack.client.post(
        XAC_THUC,
        headers=headers,
        json={
            "MaYeuCau": "YC-2",
            "MaCanBo": "CB-1",
            "SoDinhDanh": identities.CITIZEN_EXISTS,
            "HoVaTen": {"Ho": "Nguy\x0bễn", "ChuDem": "Văn", "Ten": "An"},
            "NgayThangNamSinh": {"Nam": "1985"},
        },
    )
    assert (top.status_code, top.json()["type"]) == (422, "Client.InvalidRequest")
    assert top.json()["message"].startswith("body.MaYeuCau:")
    assert (nested.status_code, nested.json()["message"].split(":")[0]) == (422, "body.HoVaTen.Ho")
    for response in (top, nested):
        assert stack.exchange(response.headers["x-ndxp-exchange-id"]).backend_status is None
    fine = await stack.client.post(
        TRA_CUU,
        headers=headers,
        json={"MaYeuCau": "YC-3\ttab", "MaCanBo": "CB-1", "SoDinhDanh": identities.CITIZEN_EXISTS},
    )
    assert fine.status_code == 200, fine.text

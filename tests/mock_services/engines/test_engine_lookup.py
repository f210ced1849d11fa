"""Engine L on a tiny declared parcel and subscriber service: key rules, 404, faults, access log."""

from __future__ import annotations

import time
from collections.abc import AsyncIterator, Mapping
from typing import Any

import httpx
import pytest
from conftest import DemoClient, DemoHost
from engine_helpers import field_of, scenario

from ndxp_sim.core.identifiers import make_s10
from ndxp_sim.mock_services.engines import Lookup, Param, ParamError
from ndxp_sim.mock_services.engines.params import CCCD, PHONE, S10
from ndxp_sim.mock_services.faults import FaultProfile

PARCEL = make_s10("EE", 12345678)
NEVER_POSTED = make_s10("EE", 12345679)
WRONG_CHECK_DIGIT = f"{PARCEL[:10]}{(int(PARCEL[10]) + 1) % 10}VN"
PARCELS = {PARCEL: {"maBuuGui": PARCEL, "trangThai": "Đã phát", "khoiLuongGram": 420}}
PHONE_NO, CCCD_NO = "0912345678", "001090012345"
SUBSCRIBERS = {(PHONE_NO, CCCD_NO): {"nhaMang": "Vinaphone", "kichHoat": True}}


def _subscriber(_: Any, keys: Mapping[str, Any]) -> dict[str, Any] | None:
    if keys["soDienThoai"].startswith("0888"):  # a rule on the data, not on the key's shape
        raise ParamError("soDienThoai", "đầu số đã thu hồi", error="invalid_phone")
    return SUBSCRIBERS.get((keys["soDienThoai"], keys["soDinhDanh"]))


PARCEL_LOOKUP = Lookup[dict[str, Any]](
    route="/buu-gui/{maBuuGui}",
    operation="traCuuBuuGui",
    keys=(Param("maBuuGui", S10, "invalid_ma_buu_gui"),),
    resolve=lambda _, keys: PARCELS.get(keys["maBuuGui"]),
    answer=lambda _, parcel: {"BuuGui": parcel},
    not_found="không tìm thấy bưu gửi {maBuuGui}",
)
SUBSCRIBER_KEYS = (Param("soDienThoai", PHONE, "invalid_phone"), Param("soDinhDanh", CCCD, "invalid_cccd"))
SUBSCRIBER_GET = Lookup[dict[str, Any]](
    route="/thue-bao",
    operation="traCuuThueBao",
    keys=SUBSCRIBER_KEYS,
    resolve=_subscriber,
    answer=lambda _, found: found,
    not_found="không có thuê bao {soDienThoai}",
    log_key="soDinhDanh",
)
SUBSCRIBER_POST = Lookup[dict[str, Any]](
    route="/thue-bao/xac-thuc",
    operation="xacThucThueBao",
    keys=SUBSCRIBER_KEYS,
    resolve=_subscriber,
    answer=lambda _, found: {"khop": True, **found},
    not_found="không có thuê bao {soDienThoai}",
    method="POST",
    log_key="soDinhDanh",
)


@pytest.fixture
async def client(demo: DemoClient) -> AsyncIterator[httpx.AsyncClient]:
    async with demo(PARCEL_LOOKUP, SUBSCRIBER_GET, SUBSCRIBER_POST) as http:
        yield http


async def test_a_known_key_answers_the_declared_shape(client: httpx.AsyncClient) -> None:
    response = await client.get(f"/demo/buu-gui/{PARCEL}")
    assert response.status_code == 200
    assert response.json() == {"BuuGui": PARCELS[PARCEL]}


async def test_keys_from_the_query_and_from_a_json_body(client: httpx.AsyncClient) -> None:
    by_query = await client.get("/demo/thue-bao", params={"soDienThoai": PHONE_NO, "soDinhDanh": CCCD_NO})
    assert by_query.json() == {"nhaMang": "Vinaphone", "kichHoat": True}
    by_body = await client.post(
        "/demo/thue-bao/xac-thuc", json={"soDienThoai": PHONE_NO, "soDinhDanh": CCCD_NO}
    )
    assert by_body.json()["khop"] is True


@pytest.mark.parametrize(
    ("url", "code", "field"),
    [
        (f"/demo/buu-gui/{WRONG_CHECK_DIGIT}", "invalid_ma_buu_gui", "maBuuGui"),
        ("/demo/buu-gui/12345", "invalid_ma_buu_gui", "maBuuGui"),
        (f"/demo/thue-bao?soDienThoai=0112345678&soDinhDanh={CCCD_NO}", "invalid_phone", "soDienThoai"),
        (f"/demo/thue-bao?soDienThoai={PHONE_NO}&soDinhDanh=999090012345", "invalid_cccd", "soDinhDanh"),
        (f"/demo/thue-bao?soDienThoai={PHONE_NO}", "invalid_cccd", "soDinhDanh"),  # missing
        (f"/demo/thue-bao?soDienThoai=0888123456&soDinhDanh={CCCD_NO}", "invalid_phone", "soDienThoai"),
    ],
)
async def test_a_bad_key_is_422_naming_the_field(
    client: httpx.AsyncClient, url: str, code: str, field: str
) -> None:
    response = await client.get(url)
    assert response.status_code == 422
    assert response.json()["error"] == code
    assert field_of(response) == field


async def test_a_bad_json_body_is_422_naming_the_problem(client: httpx.AsyncClient) -> None:
    not_object = await client.post("/demo/thue-bao/xac-thuc", json=[PHONE_NO])
    assert (not_object.status_code, field_of(not_object)) == (422, "body")
    nested = await client.post(
        "/demo/thue-bao/xac-thuc", json={"soDienThoai": [PHONE_NO], "soDinhDanh": CCCD_NO}
    )
    assert (nested.status_code, field_of(nested)) == (422, "soDienThoai")
    broken = await client.post(
        "/demo/thue-bao/xac-thuc", content=b"{", headers={"content-type": "application/json"}
    )
    assert broken.status_code == 422 and broken.json()["error"] == "validation_error"


async def test_an_unknown_key_is_404_with_the_declared_message(client: httpx.AsyncClient) -> None:
    response = await client.get(f"/demo/buu-gui/{NEVER_POSTED}")
    assert response.status_code == 404
    assert response.json() == {"error": "not_found", "message": f"không tìm thấy bưu gửi {NEVER_POSTED}"}


async def test_scenarios_apply_to_engine_routes(client: httpx.AsyncClient) -> None:
    url = f"/demo/buu-gui/{PARCEL}"
    failed = await client.get(url, headers=scenario("error:503"))
    assert failed.status_code == 503 and failed.json()["error"] == "backend_error"
    missing = await client.get(url, headers=scenario("not-found"))
    assert missing.status_code == 404
    started = time.perf_counter()
    slow = await client.get(url, headers=scenario("slow:100"))
    assert time.perf_counter() - started >= 0.1 and slow.status_code == 200
    broken = await client.get(url, headers=scenario("malformed"))
    assert broken.status_code == 200
    with pytest.raises(ValueError):
        broken.json()
    assert (await client.get(url, headers=scenario("soap-fault"))).status_code == 400


async def test_a_fault_profile_applies_to_engine_routes(client: httpx.AsyncClient, host: DemoHost) -> None:
    host.faults.put("demo", FaultProfile(error_rate=1.0, error_status=502))
    response = await client.get(f"/demo/buu-gui/{PARCEL}")
    assert response.status_code == 502
    assert response.json()["message"] == "simulated backend failure (fault profile)"
    host.faults.clear()
    assert (await client.get(f"/demo/buu-gui/{PARCEL}")).status_code == 200


async def test_every_lookup_is_in_the_access_log_with_the_key_masked(
    client: httpx.AsyncClient, host: DemoHost
) -> None:
    params = {"soDienThoai": PHONE_NO, "soDinhDanh": CCCD_NO, "MaCanBo": "CB-7", "MaYeuCau": "YC-1"}
    await client.get("/demo/thue-bao", params=params)
    await client.get(f"/demo/buu-gui/{NEVER_POSTED}")
    await client.get("/demo/buu-gui/bad")
    found, missing, invalid = host.access_log
    assert found["operation"] == "traCuuThueBao" and found["ketQua"] == "found"
    assert (found["MaCanBo"], found["MaYeuCau"], found["SoDinhDanh"]) == ("CB-7", "YC-1", "001******345")
    assert (
        missing["ketQua"] == "not_found"
        and missing["SoDinhDanh"] == f"{NEVER_POSTED[:3]}*******{NEVER_POSTED[-3:]}"
    )
    assert invalid["ketQua"] == "invalid"
    assert CCCD_NO not in str(list(host.access_log))

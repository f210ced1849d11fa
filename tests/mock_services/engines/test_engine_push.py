"""Engine P on a tiny declared stock push: per-record verdicts, idempotent upserts, batch limits."""

from __future__ import annotations

from collections.abc import AsyncIterator, Sequence
from typing import Any

import httpx
import pytest
from conftest import DemoClient, DemoHost
from engine_helpers import field_of, scenario
from fastapi import FastAPI
from pydantic import BaseModel, ConfigDict, Field

from ndxp_sim.core.settings import Settings
from ndxp_sim.mock_services.admin import admin_headers
from ndxp_sim.mock_services.app import create_mock_app
from ndxp_sim.mock_services.engines import Push, serve


class Stock(BaseModel):
    model_config = ConfigDict(extra="forbid")

    maCoSo: str = Field(pattern=r"^CS\d{3}$")
    tenThuoc: str = Field(min_length=1, max_length=100)
    soLuong: int = Field(ge=0)


def capacity(_: Any, record: Stock) -> Sequence[tuple[str, str]]:
    return [("soLuong", "vượt sức chứa kho 1000")] if record.soLuong > 1000 else []


PUSH = Push[Stock](
    route="/ton-kho", operation="dayTonKho", model=Stock, key="maCoSo", rules=capacity, max_batch=5
)
GOOD = {"maCoSo": "CS001", "tenThuoc": "Paracetamol", "soLuong": 10}


@pytest.fixture
async def client(demo: DemoClient) -> AsyncIterator[httpx.AsyncClient]:
    async with demo(PUSH) as http:
        yield http


async def push(client: httpx.AsyncClient, *records: Any) -> dict[str, Any]:
    response = await client.post("/demo/ton-kho", json={"danhSach": list(records)})
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


async def test_each_record_gets_its_verdict_with_field_and_reason(client: httpx.AsyncClient) -> None:
    body = await push(
        client,
        GOOD,
        {"maCoSo": "X1", "tenThuoc": "Ibuprofen", "soLuong": 1},
        {"maCoSo": "CS002", "tenThuoc": "Ibuprofen", "soLuong": 5000},
        {"maCoSo": "CS003", "soLuong": -1},
        "not a record",
    )
    assert (body["tongSo"], body["soChapNhan"], body["soTuChoi"]) == (5, 1, 4)
    first, bad_key, too_many, two_faults, not_object = body["ketQua"]
    assert first == {"viTri": 0, "khoa": "CS001", "trangThai": "accepted", "thaoTac": "created"}
    assert bad_key["trangThai"] == "rejected" and [e["truong"] for e in bad_key["loi"]] == ["maCoSo"]
    assert too_many["khoa"] == "CS002" and too_many["loi"] == [
        {"truong": "soLuong", "lyDo": "vượt sức chứa kho 1000"}
    ]
    assert sorted(e["truong"] for e in two_faults["loi"]) == ["soLuong", "tenThuoc"]
    assert not_object["trangThai"] == "rejected" and not_object["viTri"] == 4
    assert (await client.get("/demo/ton-kho/CS002")).status_code == 404  # rejected records are not stored


async def test_pushing_again_is_idempotent_and_a_change_is_a_new_version(client: httpx.AsyncClient) -> None:
    await push(client, GOOD)
    stored = (await client.get("/demo/ton-kho/CS001")).json()
    assert (stored["khoa"], stored["phienBan"], stored["duLieu"]) == ("CS001", 1, GOOD)
    again = await push(client, GOOD)
    assert again["ketQua"][0]["thaoTac"] == "unchanged"
    assert (await client.get("/demo/ton-kho/CS001")).json() == stored
    changed = await push(client, GOOD | {"soLuong": 11})
    assert changed["ketQua"][0]["thaoTac"] == "updated"
    now = (await client.get("/demo/ton-kho/CS001")).json()
    assert (now["phienBan"], now["duLieu"]["soLuong"]) == (2, 11)


async def test_a_key_twice_in_one_batch_rejects_the_second(client: httpx.AsyncClient) -> None:
    body = await push(client, GOOD, GOOD | {"soLuong": 99})
    assert [r["trangThai"] for r in body["ketQua"]] == ["accepted", "rejected"]
    assert body["ketQua"][1]["loi"] == [{"truong": "maCoSo", "lyDo": "trùng khóa với bản ghi ở vị trí 0"}]
    assert (await client.get("/demo/ton-kho/CS001")).json()["duLieu"]["soLuong"] == 10


@pytest.mark.parametrize(
    ("body", "code"),
    [
        ({"danhSach": [GOOD] * 6}, "invalid_batch"),
        ({"danhSach": []}, "invalid_batch"),
        ({"danhSach": GOOD}, "validation_error"),
        ({"records": [GOOD]}, "validation_error"),
        ([GOOD], "validation_error"),
    ],
)
async def test_a_bad_batch_is_422_naming_the_list_and_stores_nothing(
    client: httpx.AsyncClient, body: Any, code: str
) -> None:
    response = await client.post("/demo/ton-kho", json=body)
    assert response.status_code == 422
    assert (response.json()["error"], field_of(response)) == (code, "danhSach")
    assert (await client.get("/demo/ton-kho/CS001")).status_code == 404


async def test_an_oversized_body_is_413(client: httpx.AsyncClient) -> None:
    response = await client.post("/demo/ton-kho", content=b"{" + b" " * (1 << 20) + b"}")
    assert response.status_code == 413 and response.json()["error"] == "payload_too_large"


async def test_scenarios_apply_to_pushes(client: httpx.AsyncClient, host: DemoHost) -> None:
    response = await client.post("/demo/ton-kho", json={"danhSach": [GOOD]}, headers=scenario("error:503"))
    assert response.status_code == 503
    assert (await client.get("/demo/ton-kho/CS001")).status_code == 404  # the backend never saw it


async def test_admin_reset_forgets_pushed_records(mock_app: FastAPI) -> None:
    """Mounted on the real mock app: the records live in MockContext and POST /_admin/reset clears them."""
    mock_app.include_router(serve(mock_app.state.mocks, "demo", PUSH), prefix="/demo_push")
    transport = httpx.ASGITransport(app=mock_app)
    async with httpx.AsyncClient(transport=transport, base_url="http://mocks") as http:
        assert (await http.post("/demo_push/ton-kho", json={"danhSach": [GOOD]})).status_code == 200
        assert (await http.get("/demo_push/ton-kho/CS001")).status_code == 200
        reset = await http.post("/_admin/reset", headers=admin_headers(mock_app.state.mocks.settings))
        assert reset.status_code == 200
        assert (await http.get("/demo_push/ton-kho/CS001")).status_code == 404


def test_the_batch_shape_is_in_the_openapi_document(host: DemoHost) -> None:
    app = FastAPI()
    app.include_router(serve(host, "demo", PUSH))
    body = app.openapi()["paths"]["/ton-kho"]["post"]["requestBody"]["content"]["application/json"]["schema"]
    batch = body["properties"]["danhSach"]
    assert (body["required"], batch["maxItems"]) == (["danhSach"], 5)
    assert set(batch["items"]["properties"]) == {"maCoSo", "tenThuoc", "soLuong"}


async def test_pushed_records_survive_a_restart(mock_settings: Settings) -> None:
    """Two lives of the real mock app on one journal: the second still has the record and its version."""
    for life in (1, 2):
        app = create_mock_app(mock_settings)
        app.include_router(serve(app.state.mocks, "demo", PUSH), prefix="/demo_push")
        async with (
            app.router.lifespan_context(app),
            httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://mocks") as http,
        ):
            if life == 1:
                await http.post("/demo_push/ton-kho", json={"danhSach": [GOOD]})
                await http.post("/demo_push/ton-kho", json={"danhSach": [GOOD | {"soLuong": 12}]})
                continue
            held = (await http.get("/demo_push/ton-kho/CS001")).json()
            assert (held["phienBan"], held["duLieu"]["soLuong"]) == (2, 12)
            again = await http.post("/demo_push/ton-kho", json={"danhSach": [GOOD | {"soLuong": 12}]})
            assert again.json()["ketQua"][0]["thaoTac"] == "unchanged"

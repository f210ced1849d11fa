"""Birth registration (pattern D): receipt, status progression, supplement, result, callbacks."""

from __future__ import annotations

import hashlib
import hmac
import json
from typing import Any

import httpx
import pytest
from fastapi import FastAPI
from mock_helpers import BIRTH, CallbackReceiver, birth, eventually, free_port, soap_call

from ndxp_sim.core import identities as ids
from ndxp_sim.core.settings import Settings


async def state(client: httpx.AsyncClient, ma_ho_so: str) -> dict[str, Any]:
    response = await client.get(f"/ho_tich/ho-so/{ma_ho_so}")
    assert response.status_code == 200
    return response.json()["value"]


async def wait_status(client: httpx.AsyncClient, ma_ho_so: str, wanted: str) -> dict[str, Any]:
    found: dict[str, Any] = {}

    async def reached() -> bool:
        found.update(await state(client, ma_ho_so))
        return found["trangThai"] == wanted

    await eventually(reached)
    return found


async def test_full_birth_flow_with_supplement_ends_with_a_citizen(client: httpx.AsyncClient) -> None:
    response = await client.post("/ho_tich/khai-sinh", json=birth(maGCS=None))
    assert response.status_code == 200
    receipt = response.json()
    assert receipt["status"] == 1
    assert receipt["value"]["trangThai"] == "received"
    assert receipt["value"]["ngayTiepNhan"] == BIRTH["ngayTiepNhan"]
    assert receipt["value"]["maHoSoLT"].startswith("HT-")
    ma_ho_so = receipt["value"]["maHoSo"]

    waiting = await wait_status(client, ma_ho_so, "supplement_requested")
    assert "maGCS" in waiting["lichSu"][-1]["noiDungXuLy"]
    assert waiting["hanBoSungHoSo"]
    # Nothing moves while the documents are missing.
    assert (await state(client, ma_ho_so))["trangThai"] == "supplement_requested"

    supplied = await client.post(f"/ho_tich/ho-so/{ma_ho_so}/bo-sung", json={"maGCS": "GCS-91-2025-000123"})
    assert supplied.status_code == 200
    assert supplied.json()["value"]["trangThai"] == "processing"

    done = await wait_status(client, ma_ho_so, "done")
    assert [step["trangThai"] for step in done["lichSu"]] == [
        "received",
        "processing",
        "supplement_requested",
        "processing",
        "done",
    ]
    result = done["ketQuaXuLy"]
    assert set(result) >= {"soDinhDanh", "ngayDangKy", "soDangKy", "quyenSo", "trangSo"}
    assert len(result["soDinhDanh"]) == 12 and result["soDinhDanh"][3] == "2"  # a boy born in the 2000s

    _, name, body = await soap_call(client, "TraCuuThongTinCongDan", SoDinhDanh=result["soDinhDanh"])
    assert name == "TraCuuThongTinCongDanResponse"
    child = body["CongdanCollection"]["CongDan"]
    assert child["HoVaTen"] == {"Ho": "Lê", "ChuDem": "Minh", "Ten": "Khang"}
    assert child["NgayThangNamSinh"]["NgayThangNam"] == "20251020"
    assert child["Me"]["SoDinhDanh"] == ids.COUPLE_WIFE
    assert child["Cha"]["SoDinhDanh"] == ids.COUPLE_HUSBAND


async def test_complete_dossier_goes_straight_to_done(client: httpx.AsyncClient) -> None:
    await client.post("/ho_tich/khai-sinh", json=BIRTH)
    done = await wait_status(client, BIRTH["maHoSo"], "done")
    assert [step["trangThai"] for step in done["lichSu"]] == ["received", "processing", "done"]
    assert done["ketQuaXuLy"]["soDangKy"] == "1"


async def test_supplement_scenario_forces_a_supplement_step(client: httpx.AsyncClient) -> None:
    await client.post("/ho_tich/khai-sinh", json=BIRTH, headers={"X-Mock-Scenario": "supplement"})
    await wait_status(client, BIRTH["maHoSo"], "supplement_requested")
    await client.post(f"/ho_tich/ho-so/{BIRTH['maHoSo']}/bo-sung", json={"ghiChu": "Đã nộp bản sao"})
    await wait_status(client, BIRTH["maHoSo"], "done")


async def test_unknown_mother_is_rejected_with_a_reason(client: httpx.AsyncClient) -> None:
    response = await client.post("/ho_tich/khai-sinh", json=birth(meSoDDCN=ids.CITIZEN_MISSING))
    assert response.status_code == 200
    rejected = await wait_status(client, BIRTH["maHoSo"], "rejected")
    assert ids.CITIZEN_MISSING in rejected["lichSu"][-1]["noiDungXuLy"]
    assert "ketQuaXuLy" not in rejected


async def test_resubmission_is_idempotent_and_a_different_one_conflicts(
    client: httpx.AsyncClient, mock_app: FastAPI
) -> None:
    first = await client.post("/ho_tich/khai-sinh", json=BIRTH)
    again = await client.post("/ho_tich/khai-sinh", json=BIRTH)
    assert again.status_code == 200
    assert again.json() == first.json()
    await wait_status(client, BIRTH["maHoSo"], "done")
    after_done = await client.post("/ho_tich/khai-sinh", json=BIRTH)
    assert after_done.json() == first.json()
    assert mock_app.state.mocks.population.births_registered == 1  # one child, not three

    conflict = await client.post("/ho_tich/khai-sinh", json=birth(nksHoTen="Lê Minh Khôi"))
    assert conflict.status_code == 409
    assert conflict.json()["error"] == "conflict"
    assert conflict.json()["status"] == 0


@pytest.mark.parametrize(
    "body",
    [
        birth(meSoDDCN="123"),
        birth(nksNgaySinh="20/10/2025"),
        birth(nksHoTen="Khang"),
        birth(maHoSo="has space"),
        birth(hoTich=None),
        birth(callbackUrl="ftp://x"),
    ],
)
async def test_invalid_submission_is_422_in_the_btp_envelope(
    client: httpx.AsyncClient, body: dict[str, Any]
) -> None:
    response = await client.post("/ho_tich/khai-sinh", json=body)
    assert response.status_code == 422
    error = response.json()
    assert (error["status"], error["error"]) == (0, "validation_error")
    assert error["detail"]


async def test_not_json_is_422(client: httpx.AsyncClient) -> None:
    response = await client.post(
        "/ho_tich/khai-sinh", content=b"{nope", headers={"Content-Type": "application/json"}
    )
    assert response.status_code == 422


async def test_status_and_supplement_of_unknown_dossier_are_404(client: httpx.AsyncClient) -> None:
    assert (await client.get("/ho_tich/ho-so/KHONG-CO")).status_code == 404
    assert (await client.post("/ho_tich/ho-so/KHONG-CO/bo-sung", json={})).status_code == 404


async def test_supplement_outside_supplement_requested_is_409(client: httpx.AsyncClient) -> None:
    await client.post("/ho_tich/khai-sinh", json=BIRTH)
    await wait_status(client, BIRTH["maHoSo"], "done")
    response = await client.post(f"/ho_tich/ho-so/{BIRTH['maHoSo']}/bo-sung", json={"maGCS": "X"})
    assert response.status_code == 409
    assert response.json()["error"] == "invalid_state"


async def test_invalid_supplement_is_422_and_the_dossier_still_waits(client: httpx.AsyncClient) -> None:
    await client.post("/ho_tich/khai-sinh", json=birth(maGCS=None))
    await wait_status(client, BIRTH["maHoSo"], "supplement_requested")
    response = await client.post(f"/ho_tich/ho-so/{BIRTH['maHoSo']}/bo-sung", json={"nksNgaySinh": "hôm qua"})
    assert response.status_code == 422
    assert (await state(client, BIRTH["maHoSo"]))["trangThai"] == "supplement_requested"


async def test_reset_forgets_dossiers_and_births(client: httpx.AsyncClient, mock_app: FastAPI) -> None:
    await client.post("/ho_tich/khai-sinh", json=BIRTH)
    done = await wait_status(client, BIRTH["maHoSo"], "done")
    await client.post("/_admin/reset")
    assert (await client.get(f"/ho_tich/ho-so/{BIRTH['maHoSo']}")).status_code == 404
    _, name, _ = await soap_call(client, "TraCuuThongTinCongDan", SoDinhDanh=done["ketQuaXuLy"]["soDinhDanh"])
    assert name == "Client:CD-404"
    # The same dossier after a reset gets the same new id: runs are reproducible.
    await client.post("/ho_tich/khai-sinh", json=BIRTH)
    again = await wait_status(client, BIRTH["maHoSo"], "done")
    assert again["ketQuaXuLy"]["soDinhDanh"] == done["ketQuaXuLy"]["soDinhDanh"]
    assert again["ketQuaXuLy"]["soDangKy"] == "1"


async def test_slow_clock_can_be_sped_up_at_run_time(client: httpx.AsyncClient) -> None:
    await client.post("/_admin/clock", json={"step_s": 3600})
    await client.post("/ho_tich/khai-sinh", json=BIRTH)
    assert (await state(client, BIRTH["maHoSo"]))["trangThai"] == "received"
    await client.post("/_admin/clock", json={"step_s": 0.01})
    await wait_status(client, BIRTH["maHoSo"], "done")


# Callbacks --------------------------------------------------------------------------------------------


def verify(settings: Settings, delivery: dict[str, Any]) -> dict[str, Any]:
    """The callback's signature holds for its raw body; returns the parsed body."""
    headers, raw = delivery["headers"], delivery["raw"]
    key = settings.mocks.callback_key.get_secret_value().encode()
    expected = hmac.new(key, headers["X-NDXP-Timestamp"].encode() + b"." + raw, hashlib.sha256).hexdigest()
    assert headers["X-NDXP-Signature"] == f"sha256={expected}"
    assert headers["X-NDXP-Service"] == "ho_tich"
    return json.loads(raw)


async def test_every_status_change_is_called_back_signed_and_in_order(
    client: httpx.AsyncClient, receiver: CallbackReceiver, mock_settings: Settings
) -> None:
    await client.post("/ho_tich/khai-sinh", json=birth(callbackUrl=receiver.url, maGCS=None))
    await wait_status(client, BIRTH["maHoSo"], "supplement_requested")
    await client.post(f"/ho_tich/ho-so/{BIRTH['maHoSo']}/bo-sung", json={"maGCS": "GCS-1"})
    await receiver.wait_for(lambda: len(receiver.received) == 5)
    bodies = [verify(mock_settings, delivery) for delivery in receiver.received]
    assert [b["trangThai"] for b in bodies] == [
        "received",
        "processing",
        "supplement_requested",
        "processing",
        "done",
    ]
    assert all(b["maHoSo"] == BIRTH["maHoSo"] and b["maHoSoLT"].startswith("HT-") for b in bodies)
    assert "ketQuaXuLy" not in bodies[0]
    assert bodies[-1]["ketQuaXuLy"] == (await state(client, BIRTH["maHoSo"]))["ketQuaXuLy"]

    async def all_delivered() -> bool:
        listing = (await client.get("/_admin/callbacks")).json()
        return [item["status"] for item in listing["items"]] == ["delivered"] * 5

    await eventually(all_delivered)
    assert (await client.get("/_admin/callbacks")).json()["deadLetters"] == []


async def test_callback_is_retried_after_a_500(
    client: httpx.AsyncClient, receiver: CallbackReceiver, mock_settings: Settings
) -> None:
    receiver.script = [500, 503]  # the first two answers fail, the third (last allowed) succeeds
    await client.post("/ho_tich/khai-sinh", json=birth(callbackUrl=receiver.url))
    await receiver.wait_for(lambda: sum(d["answered"] == 200 for d in receiver.received) == 3)
    first = [verify(mock_settings, d) for d in receiver.received[:3]]
    # Order is kept: the retries come before the next status.
    assert [b["trangThai"] for b in first] == ["received"] * 3

    async def first_delivered() -> bool:
        return (await client.get("/_admin/callbacks")).json()["items"][0]["status"] == "delivered"

    await eventually(first_delivered)
    items = (await client.get("/_admin/callbacks")).json()["items"]
    assert [a["statusCode"] for a in items[0]["attempts"]] == [500, 503, 200]


async def test_undeliverable_callbacks_become_dead_letters(client: httpx.AsyncClient) -> None:
    nobody = f"http://127.0.0.1:{free_port()}/callback"
    await client.post("/ho_tich/khai-sinh", json=birth(callbackUrl=nobody))
    await wait_status(client, BIRTH["maHoSo"], "done")

    async def all_dead() -> bool:
        listing = (await client.get("/_admin/callbacks")).json()
        return len(listing["deadLetters"]) == 3

    await eventually(all_dead)
    dead = (await client.get("/_admin/callbacks", params={"status": "dead"})).json()["items"]
    assert [d["trangThai"] for d in dead] == ["received", "processing", "done"]
    assert all(len(d["attempts"]) == 3 and d["attempts"][0]["error"] for d in dead)  # 1 + callback_retries
    assert all(d["url"] == nobody for d in dead)


async def test_a_4xx_answer_is_not_retried(client: httpx.AsyncClient, receiver: CallbackReceiver) -> None:
    receiver.script = [410]
    await client.post("/ho_tich/khai-sinh", json=birth(callbackUrl=receiver.url))
    await wait_status(client, BIRTH["maHoSo"], "done")
    await receiver.wait_for(lambda: len(receiver.received) == 3)

    async def settled() -> bool:
        items = (await client.get("/_admin/callbacks")).json()["items"]
        return len(items) == 3 and all(item["status"] != "pending" for item in items)

    await eventually(settled)
    dead = (await client.get("/_admin/callbacks", params={"status": "dead"})).json()["items"]
    assert [(d["trangThai"], len(d["attempts"])) for d in dead] == [("received", 1)]


async def test_a_dead_letter_can_be_redelivered(
    client: httpx.AsyncClient, receiver: CallbackReceiver
) -> None:
    receiver.script = [410]  # refused once: the first callback becomes a dead letter
    await client.post("/ho_tich/khai-sinh", json=birth(callbackUrl=receiver.url))
    await wait_status(client, BIRTH["maHoSo"], "done")

    async def one_dead() -> bool:
        items = (await client.get("/_admin/callbacks", params={"status": "dead"})).json()["items"]
        return len(items) == 1

    await eventually(one_dead)
    dead = (await client.get("/_admin/callbacks", params={"status": "dead"})).json()["items"][0]
    response = await client.post(f"/_admin/callbacks/{dead['id']}/redeliver")
    assert response.status_code == 200

    async def delivered() -> bool:
        items = (await client.get("/_admin/callbacks")).json()["items"]
        return next(i for i in items if i["id"] == dead["id"])["status"] == "delivered"

    await eventually(delivered)
    assert (await client.get("/_admin/callbacks")).json()["deadLetters"] == []
    again = await client.post(f"/_admin/callbacks/{dead['id']}/redeliver")
    assert again.status_code == 404  # only dead letters are redelivered

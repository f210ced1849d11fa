"""Nothing is lost when the mock process restarts: dossiers go on, callbacks are delivered, births stay."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import httpx
from mock_helpers import BIRTH, CallbackReceiver, birth, eventually, soap_call

from ndxp_sim.core import identities as ids
from ndxp_sim.core.settings import Settings
from ndxp_sim.mock_services.admin import admin_headers
from ndxp_sim.mock_services.app import create_mock_app


@asynccontextmanager
async def running(settings: Settings) -> AsyncIterator[httpx.AsyncClient]:
    """One life of the mock process: lifespan started (restoring the journal) and stopped."""
    app = create_mock_app(settings)
    async with (
        app.router.lifespan_context(app),
        httpx.AsyncClient(
            transport=httpx.ASGITransport(app=app), base_url="http://mocks", headers=admin_headers(settings)
        ) as client,
    ):
        yield client


async def _status(client: httpx.AsyncClient) -> dict[str, object]:
    response = await client.get(f"/ho_tich/ho-so/{BIRTH['maHoSo']}")
    return response.json()["value"]  # type: ignore[no-any-return]


async def test_a_dossier_and_its_callbacks_survive_a_restart(
    mock_settings: Settings, receiver: CallbackReceiver
) -> None:
    mocks = mock_settings.mocks.model_copy(
        update={"dossier_step_s": 0.2, "callback_retries": 50, "callback_backoff_s": 0.05}
    )
    settings = mock_settings.model_copy(update={"mocks": mocks})
    receiver.script = [503] * 10_000  # the consumer is down during the first life

    async with running(settings) as first:
        receipt = await first.post("/ho_tich/khai-sinh", json=birth(callbackUrl=receiver.url))
        assert receipt.status_code == 200

        async def processing() -> bool:
            return (await _status(first))["trangThai"] == "processing"

        await eventually(processing)
    assert not any(d["answered"] == 200 for d in receiver.received)

    receiver.script = []  # the consumer is back; so is the mock
    async with running(settings) as second:

        async def done() -> bool:
            return (await _status(second))["trangThai"] == "done"

        await eventually(done, limit_s=10)
        value = await _status(second)
        assert [step["trangThai"] for step in value["lichSu"]] == ["received", "processing", "done"]  # type: ignore[index, union-attr]
        child_id = value["ketQuaXuLy"]["soDinhDanh"]  # type: ignore[index]
        status, _, found = await soap_call(
            second, "TraCuuThongTinCongDan", MaYeuCau="YC-1", SoDinhDanh=child_id
        )
        assert status == 200 and found["CongdanCollection"]["CongDan"]["SoDinhDanh"] == child_id

        def all_delivered() -> bool:
            states = [json.loads(d["raw"])["trangThai"] for d in receiver.received if d["answered"] == 200]
            return states == ["received", "processing", "done"]

        await receiver.wait_for(all_delivered, limit_s=10)

        async def settled() -> bool:  # the mock has recorded every answer, not just sent it
            items = (await second.get("/_admin/callbacks")).json()["items"]
            return all(item["status"] == "delivered" for item in items)

        await eventually(settled)

    async with running(settings) as third:  # a finished dossier, and the birth it registered, stay
        assert (await _status(third))["ketQuaXuLy"]["soDinhDanh"] == child_id  # type: ignore[index]
        status, _, found = await soap_call(
            third, "TraCuuThongTinCongDan", MaYeuCau="YC-2", SoDinhDanh=child_id
        )
        assert status == 200 and found["CongdanCollection"]["CongDan"]["SoDinhDanh"] == child_id
        listing = (await third.get("/_admin/callbacks")).json()
        assert {item["status"] for item in listing["items"]} == {"delivered"}


async def test_reset_forgets_the_journal_too(mock_settings: Settings) -> None:
    async with running(mock_settings) as first:
        await first.post("/ho_tich/khai-sinh", json=birth())
        assert (await first.post("/_admin/reset")).status_code == 200
    async with running(mock_settings) as second:
        assert (await second.get(f"/ho_tich/ho-so/{BIRTH['maHoSo']}")).status_code == 404


async def test_residence_and_insurance_writes_survive_a_restart(mock_settings: Settings) -> None:
    """A chained birth's child, registered and insured by direct calls of the steps (no gateway here: the
    chain itself stops failed, saying why), and a death with its residence removed: all stay on restart."""
    chained = birth(maHoSo="H01.30307-251101-LT01")
    death = {
        "maDonVi": "000.00.00.H91",
        "maTinh": "91",
        "maTTHC": "1.000656",
        "maHoSo": "H01.30301-251105-KT01",
        "ngayTiepNhan": "2025-11-05",
        "hoTich": {
            "maGBT": "GBT-1",
            "nktHoTen": "Lê Văn Cường",
            "nktSoDDCN": ids.COUPLE_HUSBAND,
            "nktNgayChet": "2025-11-04",
            "nktNoiChet": {"maTinh": "91", "maXa": "30301"},
            "nycHoTen": "Phạm Thị Dung",
            "nycSoDDCN": ids.COUPLE_WIFE,
            "nycQuanHe": "Vợ",
        },
    }
    async with running(mock_settings) as first:
        assert (await first.post("/ho_tich/lien-thong/khai-sinh", json=chained)).status_code == 200
        assert (await first.post("/ho_tich/khai-tu", json=death)).status_code == 200

        async def chain_failed() -> bool:
            chain = (await first.get(f"/ho_tich/lien-thong/{chained['maHoSo']}")).json()["value"]
            return bool(chain["trangThai"] == "failed")

        await eventually(chain_failed)
        chain = (await first.get(f"/ho_tich/lien-thong/{chained['maHoSo']}")).json()["value"]
        assert chain["buoc"][1]["loi"] == "chưa cấu hình địa chỉ nền tảng (mocks.callback_relay_url)"
        child_id = chain["buoc"][0]["ketQua"]["soDinhDanh"]
        status, _, _ = await soap_call(
            first,
            "DangKyThuongTru",
            MaYeuCau="YC-1",
            MaCanBo="CB-1",
            SoDinhDanh=child_id,
            SoSoHoKhau=ids.HOUSEHOLD_EXISTS,
            QuanHeChuHo="Cháu",
            MaHoSo=chained["maHoSo"],
        )
        assert status == 200
        card = await first.post(
            "/csdl_bao_hiem/the-bhyt/tre-em",
            json={"soDinhDanh": child_id, "hoTen": "Lê Minh Khang", "ngaySinh": "20/10/2025", "maHoSo": "X"},
        )
        assert card.status_code == 200, card.text

        async def dead() -> bool:
            return bool(
                (await first.get(f"/ho_tich/ho-so/{death['maHoSo']}")).json()["value"]["trangThai"] == "done"
            )

        await eventually(dead)
        status, _, _ = await soap_call(
            first,
            "XoaDangKyThuongTru",
            MaYeuCau="YC-2",
            MaCanBo="CB-1",
            SoDinhDanh=ids.COUPLE_HUSBAND,
            LyDo="Chết",
            MaHoSo=death["maHoSo"],
        )
        assert status == 200

    async with running(mock_settings) as second:
        _, _, found = await soap_call(second, "TraCuuThongTinCongDan", MaYeuCau="YC-3", SoDinhDanh=child_id)
        child = found["CongdanCollection"]["CongDan"]
        assert (child["SoSoHoKhau"], child["ThuongTru"]["MaPhuongXa"]) == (ids.HOUSEHOLD_EXISTS, "30307")
        again = await second.post(
            "/csdl_bao_hiem/the-bhyt/tre-em",
            json={"soDinhDanh": child_id, "hoTen": "Lê Minh Khang", "ngaySinh": "20/10/2025", "maHoSo": "X"},
        )
        assert again.json()["maSoBhxh"] == card.json()["maSoBhxh"]  # the same number, not a fresh one
        _, _, found = await soap_call(
            second, "TraCuuThongTinCongDan", MaYeuCau="YC-4", SoDinhDanh=ids.COUPLE_WIFE
        )
        assert found["CongdanCollection"]["CongDan"]["ChuHo"]["SoDinhDanh"] == ids.COUPLE_WIFE
        chain = (await second.get(f"/ho_tich/lien-thong/{chained['maHoSo']}")).json()["value"]
        assert chain["trangThai"] == "failed"  # still failed, still resumable: nothing half-done silently

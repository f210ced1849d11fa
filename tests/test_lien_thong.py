"""Chained procedures (NĐ 63/2024) end to end: one TTHC call, every step on the gateway's axis, the
population changed, a failing step retried then failed visibly, resumed, done."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from ndxp_sim.core import identities as ids
from ndxp_sim.gateway.exchange import Exchange
from tests.conftest import CONSUMER, MakeGateway, MakeSettings
from tests.local_http import CallbackReceiver
from tests.relay_stack import Stack, relay_stack
from tests.samples import birth_registration

HO_TICH = "/apiHoTich/1.0"
SOURCE = "000.00.00.G12"  # the hộ tịch system's consumer on the axis (core/config/default.yaml)
RETRIES = 2


@pytest.fixture
async def stack(
    make_gateway: MakeGateway, make_settings: MakeSettings, tmp_path: Path
) -> AsyncIterator[Stack]:
    """The hộ tịch mock calls the chain's steps through the gateway, as a consumer."""
    async with relay_stack(
        make_gateway,
        make_settings,
        tmp_path,
        callback_retries=1,
        lien_thong_retries=RETRIES,
        lien_thong_backoff_s=0.01,
    ) as stack:
        yield stack


async def _call(stack: Stack, operation: str, **kwargs: Any) -> httpx.Response:
    method = "GET" if "params" in kwargs else "POST"
    headers = {**kwargs.pop("headers", {}), **await stack.gateway.auth()}
    return await stack.gateway.client.request(method, f"{HO_TICH}/{operation}", headers=headers, **kwargs)


async def _chain_until(stack: Stack, ma_ho_so: str, *states: str) -> dict[str, Any]:
    async with asyncio.timeout(15):
        while True:
            answer = await _call(stack, "traCuuLienThong", params={"maHoSo": ma_ho_so})
            assert answer.status_code == 200, answer.text
            chain: dict[str, Any] = answer.json()["value"]
            if chain["trangThai"] in states:
                return chain
            await asyncio.sleep(0.05)


def death_registration(ma_ho_so: str) -> dict[str, Any]:
    """The husband of the test couple dies; his wife declares it."""
    return {
        "maDonVi": "000.00.00.H91",
        "maTinh": "91",
        "maHoSo": ma_ho_so,
        "ngayTiepNhan": "2025-11-05",
        "hoTich": {
            "maGBT": "GBT-91-2025-000045",
            "nktHoTen": "Lê Văn Cường",
            "nktSoDDCN": ids.COUPLE_HUSBAND,
            "nktNgayChet": "2025-11-04",
            "nktNoiChet": {"maTinh": "91", "maXa": "30301"},
            "nycHoTen": "Phạm Thị Dung",
            "nycSoDDCN": ids.COUPLE_WIFE,
            "nycQuanHe": "Vợ",
        },
    }


def _steps(stack: Stack, ma_ho_so: str, operations: set[str]) -> list[Exchange]:
    return [e for e in stack.records(ma_ho_so) if e.operation in operations]


async def test_birth_chain_registers_the_child_at_the_address_and_insures_it(
    stack: Stack, receiver: CallbackReceiver
) -> None:
    code, correlation = "000.00.00.H91-LTKS-0001", "TTHC-REQ-LTKS-0001"
    answer = await _call(
        stack,
        "dangKyLienThongKhaiSinh",
        json=birth_registration(code, receiver.url),
        headers={"x-request-id": correlation},
    )
    assert answer.status_code == 200, answer.text
    receipt = answer.json()["value"]
    assert (receipt["trangThai"], receipt["maYeuCau"], receipt["lienThong"]) == (
        "received",
        correlation,
        "khai-sinh",
    )

    chain = await _chain_until(stack, code, "done", "failed", "rejected")
    assert chain["trangThai"] == "done", chain
    assert [
        (s["ten"], s["trangThai"], s["soLanThu"] > 0 or s["ten"] == "dangKyKhaiSinh") for s in chain["buoc"]
    ] == [
        ("dangKyKhaiSinh", "done", True),
        ("DangKyThuongTru", "done", True),
        ("capTheBhytTreEm", "done", True),
    ]
    child_id = chain["buoc"][0]["ketQua"]["soDinhDanh"]
    card = chain["buoc"][2]["ketQua"]
    assert card["maThe"].startswith("TE") and card["gtTheTu"] == "01/11/2025"
    assert card["gtTheDen"] == "31/10/2031"  # the day before the sixth birthday

    # The population: the child is born, registered in the mother's household and insured.
    population = stack.population
    child = population.citizens[child_id]
    assert child.me == ids.COUPLE_WIFE and child.household_id == ids.HOUSEHOLD_COUPLE
    assert child_id in population.households[ids.HOUSEHOLD_COUPLE].members
    assert population.residence_registered[child_id][0] == ids.HOUSEHOLD_COUPLE
    insurance = population.health_insurance(child_id)
    assert insurance is not None and insurance.ma_the == card["maThe"]

    # The TTHC system is called back for the dossier's statuses, then for each step, the last saying done.
    await receiver.wait_for(lambda: len(receiver.received) == 5, limit_s=10)
    bodies = [json.loads(d["raw"]) for d in receiver.received]
    assert [b["trangThai"] for b in bodies] == ["received", "processing", "done", "done", "done"]
    chain_states = [b.get("lienThong", {}).get("trangThai") for b in bodies]
    assert chain_states == [None, None, None, "processing", "done"]
    assert bodies[-1]["noiDungXuLy"].startswith("Cấp thẻ BHYT cho trẻ em dưới 6 tuổi: đã thực hiện")

    # The axis: the TTHC call, each step as the hộ tịch system's call, the callbacks, one MaHoSo.
    records = stack.records(code)
    operations = [e.operation for e in records]
    assert operations[0] == "dangKyLienThongKhaiSinh"
    assert {"DangKyThuongTru", "capTheBhytTreEm", "traCuuLienThong"} <= set(operations)
    steps = _steps(stack, code, {"DangKyThuongTru", "capTheBhytTreEm"})
    assert [(e.operation, e.status) for e in steps] == [("DangKyThuongTru", 200), ("capTheBhytTreEm", 200)]
    for record in steps:
        assert (record.consumer_id, record.request_id, record.correlation["MaYeuCau"]) == (
            SOURCE,
            correlation,
            correlation,
        )
    assert records[0].request_id == correlation  # the first call shares the chain's correlation id
    assert records[0].consumer_id == CONSUMER[0]
    await _wait(lambda: sum(e.operation == "callback" for e in stack.records(code)) == 5)
    callbacks = [e for e in stack.records(code) if e.operation == "callback"]
    assert all(e.status == 200 and e.consumer_id == CONSUMER[0] for e in callbacks)
    assert steps[0].t_request_in > records[0].t_request_in
    assert callbacks[-1].t_request_in > steps[-1].t_request_in  # the last word comes after the last step


async def _wait(predicate: Any, limit_s: float = 10.0) -> None:
    async with asyncio.timeout(limit_s):
        while not predicate():  # noqa: ASYNC110 - the sink is a plain list: polling is all it offers
            await asyncio.sleep(0.02)


async def test_death_chain_makes_the_person_dead_everywhere_and_settles_the_benefits(stack: Stack) -> None:
    code = "000.00.00.H91-LTKT-0001"
    answer = await _call(stack, "dangKyLienThongKhaiTu", json=death_registration(code))
    assert answer.status_code == 200, answer.text
    chain = await _chain_until(stack, code, "done", "failed", "rejected")
    assert chain["trangThai"] == "done", chain
    assert [s["ten"] for s in chain["buoc"]] == ["dangKyKhaiTu", "XoaDangKyThuongTru", "giaiQuyetCheDoTuTuat"]
    removal, benefits = chain["buoc"][1]["ketQua"], chain["buoc"][2]["ketQua"]
    assert removal["ChuHo"]["SoDinhDanh"] == ids.COUPLE_WIFE  # she heads the household now
    assert benefits["troCapMaiTang"] == 23_400_000  # 10 × mức tham chiếu 2,340,000
    assert benefits["loaiTroCapTuat"] == "Tuất một lần" and benefits["troCapTuatMotLan"] > 0

    population = stack.population
    husband = population.citizens[ids.COUPLE_HUSBAND]
    assert husband.da_mat and str(husband.ngay_mat) == "2025-11-04"
    household = population.households[ids.HOUSEHOLD_COUPLE]
    assert ids.COUPLE_HUSBAND not in household.members and household.chu_ho == ids.COUPLE_WIFE
    assert population.residence_removed[ids.COUPLE_HUSBAND][1] == "Chết"
    card = population.health_insurance(ids.COUPLE_HUSBAND)
    assert card is not None and card.trang_thai == "Đã báo giảm"

    # Every service reading the population sees it: the population DB through the gateway.
    lookup = await stack.gateway.client.post(
        "/apiCSDLDanCu/1.0/TraCuuThongTinCongDan",
        json={"MaYeuCau": "YC-1", "MaCanBo": "CB-1", "SoDinhDanh": ids.COUPLE_HUSBAND},
        headers=await stack.gateway.auth(),
    )
    assert lookup.json()["CongdanCollection"]["CongDan"][0]["TrangThai"] == "Đã chết"

    steps = _steps(stack, code, {"XoaDangKyThuongTru", "giaiQuyetCheDoTuTuat"})
    assert [(e.operation, e.status, e.consumer_id) for e in steps] == [
        ("XoaDangKyThuongTru", 200, SOURCE),
        ("giaiQuyetCheDoTuTuat", 200, SOURCE),
    ]
    assert len({e.request_id for e in steps} | {stack.records(code)[0].request_id}) == 1


async def test_a_failing_step_is_retried_then_failed_visibly_and_resumed_to_done(stack: Stack) -> None:
    code = "000.00.00.H91-LTKS-0002"
    async with stack.mock_admin() as admin:
        down = await admin.put("/_admin/faults/csdl_bao_hiem", json={"error_rate": 1.0, "error_status": 503})
        assert down.status_code == 200
        answer = await _call(stack, "dangKyLienThongKhaiSinh", json=birth_registration(code))
        assert answer.status_code == 200, answer.text
        failed = await _chain_until(stack, code, "failed", "done")

        assert failed["trangThai"] == "failed"
        residence, card = failed["buoc"][1], failed["buoc"][2]
        assert residence["trangThai"] == "done"
        assert (card["trangThai"], card["soLanThu"]) == ("failed", RETRIES + 1)
        assert card["loi"].startswith("HTTP 503 Server.Backend.Unavailable")
        attempts = _steps(stack, code, {"capTheBhytTreEm"})
        assert [(e.status, e.outcome) for e in attempts] == [(503, "backend_error")] * (RETRIES + 1)
        child_id = failed["buoc"][0]["ketQua"]["soDinhDanh"]
        assert stack.population.health_insurance(child_id) is None  # nothing half-done: no card yet

        # Resuming is refused while nothing failed; after the backend is back, it finishes the chain.
        assert (await admin.delete("/_admin/faults/csdl_bao_hiem")).status_code == 204
    resumed = await _call(stack, "tiepTucLienThong", json={"maHoSo": code})
    assert resumed.status_code == 200, resumed.text
    assert resumed.json()["value"]["trangThai"] == "processing"
    done = await _chain_until(stack, code, "done", "failed")
    assert done["trangThai"] == "done"
    assert (done["buoc"][1]["soLanThu"], done["buoc"][2]["soLanThu"]) == (1, RETRIES + 2)
    assert stack.population.health_insurance(child_id) is not None
    operations = [e.operation for e in stack.records(code)]
    assert operations.count("tiepTucLienThong") == 1 and operations.count("DangKyThuongTru") == 1
    assert [e.status for e in _steps(stack, code, {"capTheBhytTreEm"})][-1] == 200

    again = await _call(stack, "tiepTucLienThong", json={"maHoSo": code})
    assert again.status_code == 409  # a finished chain is not resumed


async def test_a_refused_source_dossier_ends_the_chain_without_its_steps(stack: Stack) -> None:
    code = "000.00.00.H91-LTKS-0003"
    body = birth_registration(code)
    body["hoTich"]["nksDanToc"] = "99"
    assert (await _call(stack, "dangKyLienThongKhaiSinh", json=body)).status_code == 200
    chain = await _chain_until(stack, code, "rejected", "done", "failed")
    assert chain["trangThai"] == "rejected"
    assert [s["trangThai"] for s in chain["buoc"]] == ["rejected", "skipped", "skipped"]
    assert "54 dân tộc" in chain["buoc"][0]["loi"]
    assert _steps(stack, code, {"DangKyThuongTru", "capTheBhytTreEm"}) == []


async def test_unknown_chain_is_404(stack: Stack) -> None:
    assert (await _call(stack, "traCuuLienThong", params={"maHoSo": "KHONG-CO"})).status_code == 404
    assert (await _call(stack, "tiepTucLienThong", json={"maHoSo": "KHONG-CO"})).status_code == 404


async def test_a_death_chain_waits_failed_at_the_population_db_until_resumed(stack: Stack) -> None:
    code = "000.00.00.H91-LTKT-0002"
    async with stack.mock_admin() as admin:
        await admin.put("/_admin/faults/csdl_dan_cu", json={"error_rate": 1.0, "error_status": 503})
        assert (await _call(stack, "dangKyLienThongKhaiTu", json=death_registration(code))).status_code == 200
        failed = await _chain_until(stack, code, "failed", "done")
        assert [s["trangThai"] for s in failed["buoc"]] == ["done", "failed", "pending"]
        household = stack.population.households[ids.HOUSEHOLD_COUPLE]
        assert ids.COUPLE_HUSBAND in household.members  # dead, but his residence not yet removed: visible
        await admin.delete("/_admin/faults/csdl_dan_cu")
    assert (await _call(stack, "tiepTucLienThong", json={"maHoSo": code})).status_code == 200
    done = await _chain_until(stack, code, "done", "failed")
    assert [s["trangThai"] for s in done["buoc"]] == ["done", "done", "done"]
    assert ids.COUPLE_HUSBAND not in stack.population.households[ids.HOUSEHOLD_COUPLE].members
    removals = _steps(stack, code, {"XoaDangKyThuongTru"})
    assert [e.status for e in removals] == [503] * (RETRIES + 1) + [200]

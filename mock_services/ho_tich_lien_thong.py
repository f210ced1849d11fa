"""The two chained procedures of NĐ 63/2024 that start at hộ tịch (#11), declared on lien_thong.py.

Group 1: birth registration → permanent residence of the child → free BHYT card of a child under 6.
Group 2: death registration → removal of the permanent residence → funeral allowance and survivor benefit.
Each starts with ONE submission (`POST /lien-thong/khai-sinh` or `/lien-thong/khai-tu`); the receipt
carries the chain's correlation id, `GET /lien-thong/{maHoSo}` shows every step, and
`POST /lien-thong/{maHoSo}/tiep-tuc` resumes a failed chain from its failed step.
"""

from __future__ import annotations

import dataclasses
import uuid
from collections.abc import Mapping
from datetime import date
from typing import TYPE_CHECKING, Any

from fastapi import APIRouter, Request
from fastapi.responses import Response
from pydantic import BaseModel, ConfigDict, Field

from ndxp_sim.core.catalogue import services
from ndxp_sim.mock_services.context import MockContext
from ndxp_sim.mock_services.dossier import Dossier
from ndxp_sim.mock_services.dossier_api import fail, ok
from ndxp_sim.mock_services.khai_tu import KHAI_TU, KhaiTuRequest
from ndxp_sim.mock_services.lien_thong import ChainKind, ChainStateError, Step
from ndxp_sim.mock_services.population.population import HEAD_OR_SPOUSE

if TYPE_CHECKING:
    from ndxp_sim.mock_services.population import Population

BIRTH_CHAIN, DEATH_CHAIN = "khai-sinh", "khai-tu"
BIRTH_PATH, DEATH_PATH = "/lien-thong/khai-sinh", "/lien-thong/khai-tu"
OFFICER = "HT-LIENTHONG"  # MaCanBo of the hộ tịch system's liên thông calls
DEATH_REASON = "Chết"  # LyDo of XoaDangKyThuongTru (Luật Cư trú art. 24)
REQUEST_ID = "x-request-id"


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class ThuongTru(_Strict):
    """Where the child's permanent residence is registered; by default the mother's household."""

    soSoHoKhau: str = Field(..., min_length=1, max_length=20)
    quanHeChuHo: str = Field(..., min_length=1, max_length=50)


class NguoiNhanTroCap(_Strict):
    """Who receives the funeral allowance; by default the requester of the death registration."""

    soDinhDanh: str = Field(..., pattern=r"^[0-9]{12}$")
    hoTen: str = Field(..., min_length=1, max_length=100)
    quanHe: str = Field(..., min_length=1, max_length=50)


def _at_gateway(service: str, operation: str) -> str:
    """Where the gateway publishes an operation: `/{context}/{version}/{operation}` (core/services.yaml)."""
    info = services()[service]
    return f"/{info.context}/{info.version}/{operation}"


def _dmy(iso: str) -> str:
    return date.fromisoformat(iso).strftime("%d/%m/%Y")


# Group 1: birth → residence → BHYT card ------------------------------------------------------------------


def _residence_of_child(
    request: Mapping[str, Any], result: Mapping[str, Any], population: Population, correlation: str
) -> dict[str, Any]:
    chosen = request.get("thuongTru")
    if chosen:
        household, relation = chosen["soSoHoKhau"], chosen["quanHeChuHo"]
    else:
        mother = population.citizens[request["hoTich"]["meSoDDCN"]]
        household = mother.household_id
        relation = "Con" if mother.quan_he_chu_ho in HEAD_OR_SPOUSE else "Cháu"
    return {
        "MaYeuCau": correlation,
        "MaCanBo": OFFICER,
        "SoDinhDanh": result["soDinhDanh"],
        "SoSoHoKhau": household,
        "QuanHeChuHo": relation,
        "MaHoSo": request["maHoSo"],
    }


def _child_card(
    request: Mapping[str, Any], result: Mapping[str, Any], _: Population, __: str
) -> dict[str, Any]:
    birth = request["hoTich"]
    return {
        "soDinhDanh": result["soDinhDanh"],
        "hoTen": birth["nksHoTen"],
        "ngaySinh": _dmy(birth["nksNgaySinh"]),
        "maHoSo": request["maHoSo"],
    }


def _kept(*names: str) -> Any:
    return lambda answer: {name: answer.get(name) for name in names}


BIRTH_STEPS = ChainKind(
    name=BIRTH_CHAIN,
    service="ho_tich",
    first=("dangKyKhaiSinh", "Đăng ký khai sinh, cấp số định danh cá nhân"),
    steps=(
        Step(
            "DangKyThuongTru",
            "Đăng ký thường trú cho trẻ",
            _at_gateway("csdl_dan_cu", "DangKyThuongTru"),
            _residence_of_child,
            _kept("SoSoHoKhau", "QuanHeChuHo", "NgayDangKy", "ThuongTru"),
        ),
        Step(
            "capTheBhytTreEm",
            "Cấp thẻ BHYT cho trẻ em dưới 6 tuổi",
            _at_gateway("csdl_bao_hiem", "capTheBhytTreEm"),
            _child_card,
            _kept("maSoBhxh", "maThe", "gtTheTu", "gtTheDen", "maDKBD"),
        ),
    ),
)


# Group 2: death → residence removed → funeral allowance / survivor benefit --------------------------------


def _residence_removal(
    request: Mapping[str, Any], _: Mapping[str, Any], __: Population, correlation: str
) -> dict[str, Any]:
    return {
        "MaYeuCau": correlation,
        "MaCanBo": OFFICER,
        "SoDinhDanh": request["hoTich"]["nktSoDDCN"],
        "LyDo": DEATH_REASON,
        "MaHoSo": request["maHoSo"],
    }


def _survivor_benefits(
    request: Mapping[str, Any], _: Mapping[str, Any], __: Population, ___: str
) -> dict[str, Any]:
    death = request["hoTich"]
    receiver = request.get("nguoiNhanTroCap") or {
        "soDinhDanh": death["nycSoDDCN"],
        "hoTen": death["nycHoTen"],
        "quanHe": death["nycQuanHe"],
    }
    return {
        "soDinhDanh": death["nktSoDDCN"],
        "hoTen": death["nktHoTen"],
        "ngayChet": _dmy(death["nktNgayChet"]),
        "maHoSo": request["maHoSo"],
        "nguoiNhan": receiver,
    }


DEATH_STEPS = ChainKind(
    name=DEATH_CHAIN,
    service="ho_tich",
    first=("dangKyKhaiTu", "Đăng ký khai tử"),
    steps=(
        Step(
            "XoaDangKyThuongTru",
            "Xóa đăng ký thường trú",
            _at_gateway("csdl_dan_cu", "XoaDangKyThuongTru"),
            _residence_removal,
            _kept("SoSoHoKhau", "NgayXoa", "ChuHo"),
        ),
        Step(
            "giaiQuyetCheDoTuTuat",
            "Giải quyết trợ cấp mai táng, chế độ tử tuất",
            _at_gateway("csdl_bao_hiem", "giaiQuyetCheDoTuTuat"),
            _survivor_benefits,
            _kept("troCapMaiTang", "loaiTroCapTuat", "troCapTuatMotLan", "soThangDongBhxh"),
        ),
    ),
)


# Dossier kinds and routes ----------------------------------------------------------------------------------


class LienThongKhaiTuRequest(KhaiTuRequest):
    nguoiNhanTroCap: NguoiNhanTroCap | None = None


KHAI_TU_LIEN_THONG = dataclasses.replace(KHAI_TU, model=LienThongKhaiTuRequest)


def chain_starters(ctx: MockContext) -> dict[str, Any]:
    """What each chained submission does once accepted: start (or find) its chain; the receipt gets its
    correlation id (the gateway's request id of the submission, so the first call traces with the rest)."""
    ctx.chains.register(BIRTH_STEPS)
    ctx.chains.register(DEATH_STEPS)

    def starter(chain: str) -> Any:
        def start(dossier: Dossier, request: Request) -> Mapping[str, Any]:
            correlation = request.headers.get(REQUEST_ID) or str(uuid.uuid4())
            started = ctx.chains.start(chain, dossier.ma_ho_so, correlation[:128])
            return {"maYeuCau": started["maYeuCau"], "lienThong": started["loaiLienThong"]}

        return start

    return {BIRTH_PATH: starter(BIRTH_CHAIN), DEATH_PATH: starter(DEATH_CHAIN)}


def create_chain_router(ctx: MockContext) -> APIRouter:
    """GET /lien-thong/{maHoSo} (every step) and POST /lien-thong/{maHoSo}/tiep-tuc (resume a failed one)."""
    router = APIRouter()

    @router.get("/lien-thong/{ma_ho_so}")
    async def status(ma_ho_so: str) -> Response:
        chain = ctx.chains.get(ma_ho_so)
        if chain is None:
            return fail(404, "not_found", f"không tìm thấy hồ sơ liên thông {ma_ho_so}")
        return ok("Thành công", chain)

    @router.post("/lien-thong/{ma_ho_so}/tiep-tuc")
    async def resume(ma_ho_so: str) -> Response:
        try:
            chain = ctx.chains.resume(ma_ho_so)
        except KeyError:
            return fail(404, "not_found", f"không tìm thấy hồ sơ liên thông {ma_ho_so}")
        except ChainStateError as exc:
            return fail(409, "invalid_state", str(exc))
        return ok("Tiếp tục xử lý hồ sơ liên thông", chain)

    return router

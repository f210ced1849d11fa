"""#16 Off-plan housing notices (MOC): a developer's notice goes to the province, its decision comes back."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Literal

from fastapi import APIRouter, Request
from fastapi.responses import Response
from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from ndxp_sim.core import catalogues
from ndxp_sim.core.fields import IsoDate
from ndxp_sim.core.places import commune_of
from ndxp_sim.mock_services.clock import now_vn
from ndxp_sim.mock_services.context import MockContext
from ndxp_sim.mock_services.dossier import (
    DONE,
    OK,
    PROCESSING,
    RECEIVED,
    DossierKind,
    DossierStateError,
    DuplicateRule,
    Review,
)
from ndxp_sim.mock_services.dossier_api import MA_HO_SO_PATTERN, create_dossier_router, fail, ok, parse_body
from ndxp_sim.mock_services.dossier_checks import citizen, enterprise

if TYPE_CHECKING:
    from ndxp_sim.mock_services.population import Population

SERVICE = "nha_o_tuong_lai"
ELIGIBLE = "du-dieu-kien"
DECISION = "quyetDinhTinh"  # where the province's decision is kept in the dossier
PROVINCE_OFFICE = "Sở Xây dựng"


class _Fields(BaseModel):
    model_config = ConfigDict(extra="allow")


class VanBan(_Fields):
    so: str = Field(..., min_length=1, max_length=64)
    ngay: IsoDate


class NguoiDaiDien(_Fields):
    hoTen: str = Field(..., min_length=3, max_length=100)
    soDinhDanh: str = Field(..., pattern=r"^[0-9]{12}$")


class ChuDauTu(_Fields):
    maSoDoanhNghiep: str = Field(..., pattern=r"^[0-9]{10}$")
    tenDoanhNghiep: str = Field(..., min_length=3, max_length=300)
    nguoiDaiDien: NguoiDaiDien


class DuAn(_Fields):
    maDuAn: str = Field(..., pattern=r"^[A-Za-z0-9.\-]{3,32}$")
    tenDuAn: str = Field(..., min_length=3, max_length=300)
    maTinh: str = Field(..., pattern=r"^[0-9]{2}$")
    maXa: str = Field(..., pattern=r"^[0-9]{5}$")
    diaChi: str = Field(..., min_length=1, max_length=300)
    quyetDinhChapThuanChuTruong: VanBan
    giayPhepXayDung: VanBan
    bienBanNghiemThuMong: VanBan | None = None  # the foundation finished: the law's condition for selling

    _commune = commune_of("maTinh", "maXa")


class NhaO(_Fields):
    loai: Literal["can-ho-chung-cu", "nha-o-rieng-le"]
    soLuong: int = Field(..., ge=1, le=10_000)
    tongDienTichSan: float = Field(..., gt=0, le=5_000_000, description="m²")
    hinhThuc: list[Literal["ban", "cho-thue-mua"]] = Field(..., min_length=1, max_length=2)


class BaoLanh(_Fields):
    maNganHang: str = Field(..., pattern=r"^[0-9]{6}$", description="NAPAS BIN of the guaranteeing bank")
    soHopDong: str = Field(..., min_length=1, max_length=64)


class ThongBao(_Fields):
    maHoSo: str = Field(..., pattern=MA_HO_SO_PATTERN)
    ngayTiepNhan: str | None = None
    callbackUrl: str | None = Field(None, pattern=r"^https?://")
    chuDauTu: ChuDauTu
    duAn: DuAn
    nhaO: NhaO
    baoLanh: BaoLanh
    quyetDinhTinh: QuyetDinhTinh | None = None


class QuyetDinhTinh(BaseModel):
    """The province's written answer (văn bản thông báo) to the developer's notice."""

    model_config = ConfigDict(extra="forbid")
    ketLuan: Literal["du-dieu-kien", "khong-du-dieu-kien"]
    soVanBan: str = Field(..., min_length=1, max_length=64)
    ngayBanHanh: IsoDate
    nguoiKy: str = Field(..., min_length=3, max_length=100)
    lyDo: str | None = Field(None, max_length=1000)

    @field_validator("lyDo")
    @classmethod
    def _stripped(cls, value: str | None) -> str | None:
        return value.strip() or None if value is not None else None

    @model_validator(mode="after")
    def _reason_when_refused(self) -> QuyetDinhTinh:
        if self.ketLuan != ELIGIBLE and self.lyDo is None:
            raise ValueError("lyDo is required when ketLuan is khong-du-dieu-kien")
        return self


ThongBao.model_rebuild()


def _province_office(province_code: str) -> str:
    province = catalogues.province(province_code)
    return f"{PROVINCE_OFFICE} {province.type.lower()} {province.short_name}" if province else PROVINCE_OFFICE


def review_notice(request: BaseModel, population: Population) -> Review:
    """The developer is an active enterprise speaking through its legal representative; the guarantee is a
    bank's; the foundation is finished. Then the province decides."""
    assert isinstance(request, ThongBao)
    developer = request.chuDauTu
    person = developer.nguoiDaiDien
    company = enterprise(population, developer.maSoDoanhNghiep, developer.tenDoanhNghiep)
    citizen(population, person.soDinhDanh, person.hoTen, "người đại diện")
    if company.nguoi_dai_dien != person.soDinhDanh:
        return Review(
            "reject",
            f"Ông/bà {person.hoTen} không phải người đại diện theo pháp luật của doanh nghiệp "
            f"{developer.maSoDoanhNghiep}",
        )
    if not any(bank.bin == request.baoLanh.maNganHang for bank in catalogues.banks()):
        return Review(
            "reject", f"Ngân hàng bảo lãnh mã {request.baoLanh.maNganHang} không có trong danh mục ngân hàng"
        )
    if request.duAn.bienBanNghiemThuMong is None:
        return Review(
            "supplement", "Đề nghị bổ sung biên bản nghiệm thu hoàn thành phần móng (bienBanNghiemThuMong)"
        )
    decision = request.quyetDinhTinh
    office = _province_office(request.duAn.maTinh)
    if decision is None:
        return Review("await", f"Đã chuyển {office} xem xét, chờ văn bản thông báo của {office}")
    if decision.ketLuan != ELIGIBLE:
        return Review(
            "reject",
            f"{office} thông báo nhà ở chưa đủ điều kiện được bán, cho thuê mua: {decision.lyDo}",
        )
    return OK


def publish(request: BaseModel, population: Population, sequence: int) -> dict[str, Any]:
    """The ministry's record of the province's notice, published on its portal."""
    assert isinstance(request, ThongBao)
    assert request.quyetDinhTinh is not None  # review_notice waited for it
    decision = request.quyetDinhTinh
    return {
        "ketLuan": decision.ketLuan,
        "soVanBan": decision.soVanBan,
        "ngayBanHanh": str(decision.ngayBanHanh),
        "coQuanBanHanh": _province_office(request.duAn.maTinh),
        "nguoiKy": decision.nguoiKy,
        "maDuAn": request.duAn.maDuAn,
        "soLuongNhaO": request.nhaO.soLuong,
        "hinhThuc": request.nhaO.hinhThuc,
        "maCongKhai": f"BXD-NOHTTTL-{request.duAn.maTinh}-{now_vn():%Y}-{sequence:05d}",
        "ngayCongKhai": now_vn().date().isoformat(),
    }


def same_project(request: Mapping[str, Any]) -> str:
    return str(request["duAn"]["maDuAn"]).upper()


THONG_BAO = DossierKind(
    model=ThongBao,
    review=review_notice,
    build_result=publish,
    supplement_into="duAn",
    labels={
        RECEIVED: "Hệ thống đã tiếp nhận thông báo của chủ đầu tư",
        PROCESSING: "Đang kiểm tra thông tin chủ đầu tư, dự án và bảo lãnh ngân hàng",
        DONE: "Đã công khai nhà ở hình thành trong tương lai đủ điều kiện được bán, cho thuê mua",
    },
    handler="Hệ thống dịch vụ công Bộ Xây dựng",
    duplicate=DuplicateRule(
        of=same_project,
        refusal="Dự án {duAn[tenDuAn]} đã có thông báo nhà ở đủ điều kiện được bán, cho thuê mua",
        at="submit",
    ),
)


def create_router(ctx: MockContext) -> APIRouter:
    """The dossier routes (POST /thong-bao, status, supplement) and the province's decision push."""
    router = create_dossier_router(ctx, service=SERVICE, lt_prefix="BXD", kinds={"/thong-bao": THONG_BAO})

    @router.post("/ho-so/{ma_ho_so}/ket-qua-tinh")
    async def province_decision(ma_ho_so: str, request: Request) -> Response:
        decision = await parse_body(request, QuyetDinhTinh, "văn bản thông báo")
        if isinstance(decision, Response):
            return decision
        dossier = ctx.dossiers.get(SERVICE, ma_ho_so)
        if dossier is None:
            return fail(404, "not_found", f"không tìm thấy hồ sơ {ma_ho_so}")
        office = _province_office(dossier.request["duAn"]["maTinh"])
        try:
            ctx.dossiers.answer(
                SERVICE,
                ma_ho_so,
                DECISION,
                decision.model_dump(mode="json"),
                f"Đã nhận văn bản số {decision.soVanBan} ngày {decision.ngayBanHanh} của {office}",
                office,
            )
        except DossierStateError:
            return fail(409, "invalid_state", f"Hồ sơ {ma_ho_so} không ở trạng thái chờ văn bản của {office}")
        value = {"maHoSo": dossier.ma_ho_so, "maHoSoLT": dossier.ma_ho_so_lt, "trangThai": dossier.status}
        return ok("Đã đồng bộ kết quả của tỉnh", value)

    return router

"""#11 Civil status (hộ tịch, BTP liên thông): birth registration as a pattern-D dossier."""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING, Any, Literal

from fastapi import APIRouter
from pydantic import BaseModel, ConfigDict, Field, field_validator

from ndxp_sim.core import catalogues
from ndxp_sim.core.model import Address
from ndxp_sim.mock_services.clock import now_vn
from ndxp_sim.mock_services.context import MockContext
from ndxp_sim.mock_services.dossier import DONE, OK, PROCESSING, RECEIVED, DossierKind, Review
from ndxp_sim.mock_services.dossier_api import MA_HO_SO_PATTERN, create_dossier_router

if TYPE_CHECKING:
    from ndxp_sim.mock_services.population import Population

SERVICE = "ho_tich"
PAGES_PER_BOOK = 200  # quyển sổ hộ tịch: a new book every 200 registrations
SEX = {"1": "Nam", "2": "Nữ", "Nam": "Nam", "Nữ": "Nữ"}
_DDCN = r"^[0-9]{12}$"
NOT_IN_REGISTRY = "trong CSDLQG về dân cư"


class _Fields(BaseModel):
    # BTP messages carry many more fields than the mock checks; keep them, do not refuse them.
    model_config = ConfigDict(extra="allow")


class NoiSinh(_Fields):
    maTinh: str = Field(..., pattern=r"^[0-9]{2}$")
    maXa: str = Field(..., pattern=r"^[0-9]{5}$")
    maHuyen: str | None = None
    dcChiTiet: str = ""


class HoTichKhaiSinh(_Fields):
    maGCS: str | None = None
    ngayCapGCS: str | None = None
    nksHoTen: str = Field(..., min_length=3, max_length=100)
    nksGioiTinh: Literal["Nam", "Nữ", "1", "2"]
    nksNgaySinh: date
    nksNoiSinh: NoiSinh
    nksDanToc: str = Field(..., pattern=r"^[0-9]{2}$")
    nksQuocTich: str = Field(..., min_length=2, max_length=3)
    meHoTen: str = Field(..., min_length=1)
    meSoDDCN: str = Field(..., pattern=_DDCN)
    chaHoTen: str | None = None
    chaSoDDCN: str | None = Field(None, pattern=_DDCN)
    nycHoTen: str = Field(..., min_length=1)
    nycQuanHe: str = Field(..., min_length=1)

    @field_validator("nksHoTen")
    @classmethod
    def _family_and_given_name(cls, value: str) -> str:
        if len(value.split()) < 2:
            raise ValueError("nksHoTen needs at least a family name and a given name")
        return " ".join(value.split())


class KhaiSinhRequest(_Fields):
    maDonVi: int | str
    maTinh: str = Field(..., pattern=r"^[0-9]{2}$")
    maTTHC: str = Field(..., min_length=1)
    maHoSo: str = Field(..., pattern=MA_HO_SO_PATTERN)
    ngayTiepNhan: str = Field(..., min_length=1)
    callbackUrl: str | None = Field(None, pattern=r"^https?://")
    hoTich: HoTichKhaiSinh


def review_birth(request: BaseModel, population: Population) -> Review:
    """Parents must be in the population and the birthplace on the map; the hospital certificate is needed."""
    assert isinstance(request, KhaiSinhRequest)
    birth = request.hoTich
    mother = population.citizen(birth.meSoDDCN)
    if mother is None:
        return Review("reject", f"Không tìm thấy người mẹ (số định danh {birth.meSoDDCN}) {NOT_IN_REGISTRY}")
    if birth.chaSoDDCN and population.citizen(birth.chaSoDDCN) is None:
        return Review(
            "reject", f"Không tìm thấy người cha (số định danh {birth.chaSoDDCN}) {NOT_IN_REGISTRY}"
        )
    ward = catalogues.ward(birth.nksNoiSinh.maXa)
    if ward is None or ward.province_code != birth.nksNoiSinh.maTinh:
        return Review("reject", "Nơi sinh không có trong danh mục đơn vị hành chính")
    if birth.nksNgaySinh > now_vn().date():
        return Review("reject", "Ngày sinh ở tương lai")
    if not birth.maGCS:
        return Review("supplement", "Đề nghị bổ sung Giấy chứng sinh (maGCS)")
    return OK


def register_birth(request: BaseModel, population: Population, sequence: int) -> dict[str, Any]:
    """Register the child in the population and return ketQuaXuLy."""
    assert isinstance(request, KhaiSinhRequest)
    birth = request.hoTich
    words = birth.nksHoTen.split()
    ward = catalogues.ward(birth.nksNoiSinh.maXa)
    province = catalogues.province(birth.nksNoiSinh.maTinh)
    assert ward is not None and province is not None  # review_birth checked both
    child = population.register_birth(
        ho=words[0],
        chu_dem=" ".join(words[1:-1]),
        ten=words[-1],
        gioi_tinh=SEX[birth.nksGioiTinh],
        ngay_sinh=birth.nksNgaySinh,
        noi_sinh=Address(province.code, province.name, ward.code, ward.name, birth.nksNoiSinh.dcChiTiet),
        dan_toc=birth.nksDanToc,
        cha=birth.chaSoDDCN,
        me=birth.meSoDDCN,
    )
    today = now_vn().date()
    return {
        "soDinhDanh": child.so_dinh_danh,
        "ngayDangKy": today.isoformat(),
        "soDangKy": str(sequence),
        "quyenSo": f"{(sequence - 1) // PAGES_PER_BOOK + 1:02d}/{today.year}",
        "trangSo": str((sequence - 1) % PAGES_PER_BOOK + 1),
        "ndkksMaTinh": request.maTinh,
        "ndkksMaXa": ward.code,
        "giayKhaiSinh": "Bản chính giấy khai sinh điện tử",
        "maGiayToKetQua": f"KS-{request.maTinh}-{today.year}-{sequence:06d}",
    }


KHAI_SINH = DossierKind(
    model=KhaiSinhRequest,
    review=review_birth,
    build_result=register_birth,
    supplement_into="hoTich",
    labels={
        RECEIVED: "Tiếp nhận hồ sơ đăng ký khai sinh",
        PROCESSING: "Công chức tư pháp - hộ tịch đang xử lý hồ sơ",
        DONE: "Đã đăng ký khai sinh và cấp số định danh cá nhân",
    },
    handler="Công chức tư pháp - hộ tịch",
)


def create_router(ctx: MockContext) -> APIRouter:
    return create_dossier_router(ctx, service=SERVICE, lt_prefix="HT", kinds={"/khai-sinh": KHAI_SINH})

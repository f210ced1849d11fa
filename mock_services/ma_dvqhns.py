"""#12 Budget-unit codes (mã số đơn vị có quan hệ với ngân sách, ĐVQHNS) as pattern-D dossiers."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from typing import TYPE_CHECKING, Any, Literal

from fastapi import APIRouter
from pydantic import BaseModel, Field, field_validator

from ndxp_sim.core import catalogues
from ndxp_sim.mock_services.clock import now_vn
from ndxp_sim.mock_services.context import MockContext
from ndxp_sim.mock_services.dossier import DONE, OK, PROCESSING, RECEIVED, DossierKind, DuplicateRule, Review
from ndxp_sim.mock_services.dossier_api import BtpDossier, FormFields, create_dossier_router
from ndxp_sim.mock_services.dossier_checks import citizen
from ndxp_sim.mock_services.people import folded_name
from ndxp_sim.mock_services.population.dates import age_on

if TYPE_CHECKING:
    from ndxp_sim.mock_services.population import Population

SERVICE = "ma_dvqhns"
ADULT = 18  # the head or chief accountant who signs the request
# The code's 6 digits after the type digit: the issue order times a number coprime with 10^6, so every code
# is distinct (a bijection on 0..999,999) yet consecutive units do not get consecutive codes.
SPREAD, OFFSET = 7919, 104_729
UNIT_TYPES = {
    "1": "Đơn vị dự toán, đơn vị sử dụng ngân sách nhà nước",
    "3": "Đơn vị khác có quan hệ với ngân sách",
    "7": "Dự án đầu tư",
}
BUDGET_LEVELS = {"1": "Trung ương", "2": "Tỉnh", "4": "Xã"}


class DiaChi(FormFields):
    maTinh: str = Field(..., pattern=r"^[0-9]{2}$")
    maXa: str = Field(..., pattern=r"^[0-9]{5}$")
    chiTiet: str = ""

    @field_validator("maXa")
    @classmethod
    def _commune_on_the_2025_map(cls, value: str) -> str:
        if catalogues.ward(value) is None:
            raise ValueError(f"mã xã {value} không có trong danh mục đơn vị hành chính (từ 01/7/2025)")
        return value


class DonVi(FormFields):
    tenDonVi: str = Field(..., min_length=5, max_length=200)
    loaiDonVi: Literal["1", "3", "7"]
    capNganSach: str = Field(..., pattern=r"^[1-4]$")
    maChuong: str = Field(..., pattern=r"^[0-9]{3}$")
    maDonViCapTren: str | None = Field(None, pattern=r"^[0-9]{7}$")
    diaChi: DiaChi
    soQuyetDinhThanhLap: str | None = Field(None, min_length=1, max_length=50)
    ngayQuyetDinhThanhLap: date | None = None
    coQuanQuyetDinh: str | None = None

    @field_validator("capNganSach")
    @classmethod
    def _no_district_budget(cls, value: str) -> str:
        if value == "3":
            raise ValueError("không còn ngân sách cấp huyện từ 01/7/2025 (chính quyền địa phương hai cấp)")
        return value


class NguoiDeNghi(FormFields):
    hoTen: str = Field(..., min_length=3, max_length=100)
    soDinhDanh: str = Field(..., pattern=r"^[0-9]{12}$")
    ngaySinh: date
    chucVu: str = Field(..., min_length=1, max_length=100)


class CapMaRequest(BtpDossier):
    donVi: DonVi
    nguoiDeNghi: NguoiDeNghi

    @field_validator("donVi")
    @classmethod
    def _address_in_the_province(cls, value: DonVi) -> DonVi:
        ward = catalogues.ward(value.diaChi.maXa)
        if ward is not None and ward.province_code != value.diaChi.maTinh:
            raise ValueError(f"xã {value.diaChi.maXa} không thuộc tỉnh {value.diaChi.maTinh}")
        return value


def review_request(request: BaseModel, population: Population) -> Review:
    """The Sở Tài chính's checks: who signs, the founding decision, its date."""
    assert isinstance(request, CapMaRequest)
    signer = request.nguoiDeNghi
    person = citizen(
        population, signer.soDinhDanh, signer.hoTen, "người đề nghị cấp mã số", ngay_sinh=signer.ngaySinh
    )
    today = now_vn().date()
    if age_on(person.ngay_sinh, today) < ADULT:
        return Review(
            "reject", "Người đề nghị chưa đủ 18 tuổi, không thể là thủ trưởng hoặc kế toán của đơn vị"
        )
    unit = request.donVi
    if not unit.soQuyetDinhThanhLap:
        return Review(
            "supplement",
            "Đề nghị bổ sung văn bản thành lập đơn vị (soQuyetDinhThanhLap, ngayQuyetDinhThanhLap)",
        )
    if unit.ngayQuyetDinhThanhLap is not None and unit.ngayQuyetDinhThanhLap > today:
        return Review("reject", "Ngày ban hành quyết định thành lập đơn vị ở tương lai")
    return OK


def issue_code(request: BaseModel, population: Population, sequence: int) -> dict[str, Any]:
    """A 7-digit code: the unit-type digit, then six digits unique to the issue (TT 185/2015/TT-BTC)."""
    assert isinstance(request, CapMaRequest)
    unit = request.donVi
    province = catalogues.province(unit.diaChi.maTinh)
    assert province is not None  # the ward check found it
    issuer = (
        "Bộ Tài chính"
        if unit.capNganSach == "1"
        else f"Sở Tài chính {province.type.lower()} {province.short_name}"
    )
    return {
        "maSoDVQHNS": f"{unit.loaiDonVi}{(sequence * SPREAD + OFFSET) % 1_000_000:06d}",
        "ngayCap": now_vn().date().isoformat(),
        "tenDonVi": unit.tenDonVi,
        "loaiDonVi": UNIT_TYPES[unit.loaiDonVi],
        "capNganSach": BUDGET_LEVELS[unit.capNganSach],
        "maChuong": unit.maChuong,
        "coQuanCap": issuer,
        "giayChungNhan": "Giấy chứng nhận đăng ký mã số đơn vị có quan hệ với ngân sách (bản điện tử)",
    }


def unit_key(request: Mapping[str, Any]) -> tuple[str, ...]:
    """One code per unit for life: the same name in the same commune is the same unit."""
    unit = request["donVi"]
    return unit["diaChi"]["maXa"], folded_name(unit["tenDonVi"])


CAP_MA = DossierKind(
    model=CapMaRequest,
    review=review_request,
    build_result=issue_code,
    supplement_into="donVi",
    labels={
        RECEIVED: "Tiếp nhận hồ sơ đăng ký mã số đơn vị có quan hệ với ngân sách",
        PROCESSING: "Sở Tài chính đang thẩm định hồ sơ",
        DONE: "Đã cấp mã số đơn vị có quan hệ với ngân sách",
    },
    handler="Phòng Quản lý ngân sách - Sở Tài chính",
    duplicate=DuplicateRule(
        of=unit_key,
        refusal="Đơn vị đã được cấp mã số đơn vị có quan hệ với ngân sách hoặc đang có hồ sơ đề nghị "
        "cấp mã số; mỗi đơn vị chỉ được cấp một mã số",
        at="review",
    ),
)


def create_router(ctx: MockContext) -> APIRouter:
    return create_dossier_router(ctx, service=SERVICE, lt_prefix="QHNS", kinds={"/cap-ma-so": CAP_MA})

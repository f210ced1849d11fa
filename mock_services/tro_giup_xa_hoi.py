"""#17 Social assistance (trợ giúp xã hội): monthly allowances of Nghị định 20/2021/NĐ-CP as dossiers."""

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
from ndxp_sim.mock_services.population.dates import age_on

if TYPE_CHECKING:
    from ndxp_sim.mock_services.population import Population

SERVICE = "tro_giup_xa_hoi"
# Mức chuẩn trợ giúp xã hội, VND a month: Nghị định 20/2021/NĐ-CP Điều 4 as amended by Nghị định
# 76/2024/NĐ-CP, from 1 July 2024 (360,000 before).
MUC_CHUAN = 500_000
ELDERLY = 60  # người cao tuổi (Luật Người cao tuổi 2009, Điều 2)
VERY_OLD = 80
CHILD = 16  # trẻ em (Luật Trẻ em 2016, Điều 1)
# Who may get a monthly allowance (Điều 5) and at what coefficient of the base level (Điều 6 khoản 1).
CATEGORIES = {
    "NCT_HO_NGHEO": "Người cao tuổi thuộc hộ nghèo không có người có nghĩa vụ và quyền phụng dưỡng",
    "NCT_TU_80": "Người từ đủ 80 tuổi trở lên không có lương hưu, trợ cấp bảo hiểm xã hội hằng tháng",
    "NKT_DAC_BIET_NANG": "Người khuyết tật đặc biệt nặng",
    "NKT_NANG": "Người khuyết tật nặng",
}
PENSION_CARD = "HT"  # BHYT group of pensioners and monthly social-insurance beneficiaries


class DoiTuong(FormFields):
    """The person the allowance is for, as declared on the form."""

    hoTen: str = Field(..., min_length=3, max_length=100)
    soDinhDanh: str = Field(..., pattern=r"^[0-9]{12}$")
    ngaySinh: date
    gioiTinh: Literal["Nam", "Nữ"]
    danToc: str = Field(..., pattern=r"^[0-9]{2}$")
    loaiDoiTuong: Literal["NCT_HO_NGHEO", "NCT_TU_80", "NKT_DAC_BIET_NANG", "NKT_NANG"]
    maHoNgheo: str | None = Field(
        None, min_length=1, max_length=30, description="the poor-household certificate"
    )
    soGiayXacNhanKhuyetTat: str | None = Field(None, min_length=1, max_length=30)

    @field_validator("danToc")
    @classmethod
    def _one_of_the_54(cls, value: str) -> str:
        if value not in catalogues.ethnic_groups():
            raise ValueError(f"mã dân tộc {value} không có trong danh mục 54 dân tộc")
        return value


class NguoiKhai(FormFields):
    hoTen: str = Field(..., min_length=3, max_length=100)
    soDinhDanh: str = Field(..., pattern=r"^[0-9]{12}$")
    quanHe: str = Field(..., min_length=1, max_length=50)


class TroCapRequest(BtpDossier):
    maXa: str = Field(..., pattern=r"^[0-9]{5}$", description="the commune that receives and decides")
    doiTuong: DoiTuong
    nguoiKhai: NguoiKhai | None = None

    @field_validator("maXa")
    @classmethod
    def _commune_on_the_2025_map(cls, value: str) -> str:
        if catalogues.ward(value) is None:
            raise ValueError(f"mã xã {value} không có trong danh mục đơn vị hành chính (từ 01/7/2025)")
        return value


def coefficient(category: str, age: int) -> float:
    """Hệ số of Nghị định 20/2021/NĐ-CP Điều 6 khoản 1 for the category and the age when decided."""
    if category == "NCT_HO_NGHEO":
        return 2.0 if age >= VERY_OLD else 1.5
    if category == "NCT_TU_80":
        return 1.0
    child_or_elderly = age < CHILD or age >= ELDERLY
    if category == "NKT_DAC_BIET_NANG":
        return 2.5 if child_or_elderly else 2.0
    return 2.0 if child_or_elderly else 1.5  # NKT_NANG


def review_request(request: BaseModel, population: Population) -> Review:
    """The commune's checks: the person, where they live, the age and papers the category needs."""
    assert isinstance(request, TroCapRequest)
    form = request.doiTuong
    person = citizen(
        population, form.soDinhDanh, form.hoTen, "đối tượng đề nghị trợ cấp", ngay_sinh=form.ngaySinh
    )
    if form.gioiTinh != person.gioi_tinh:
        return Review("reject", "Giới tính trên tờ khai không khớp với Cơ sở dữ liệu quốc gia về dân cư")
    ward = catalogues.ward(request.maXa)
    if person.noi_o_hien_tai.ward_code != request.maXa:
        where = ward.name if ward else request.maXa
        return Review("reject", f"Đối tượng không cư trú trên địa bàn {where}, nơi tiếp nhận hồ sơ")
    age = age_on(person.ngay_sinh, now_vn().date())
    if form.loaiDoiTuong == "NCT_HO_NGHEO" and age < ELDERLY:
        return Review("reject", f"Đối tượng chưa đủ {ELDERLY} tuổi, không thuộc diện người cao tuổi")
    if form.loaiDoiTuong == "NCT_TU_80":
        card = population.health_insurance(person.so_dinh_danh)
        if card is not None and card.ma_doi_tuong == PENSION_CARD:
            return Review("reject", "Đối tượng đang hưởng lương hưu, trợ cấp bảo hiểm xã hội hằng tháng")
        if age < VERY_OLD:
            return Review("reject", f"Đối tượng chưa đủ {VERY_OLD} tuổi")
    if form.loaiDoiTuong == "NCT_HO_NGHEO" and not form.maHoNgheo:
        return Review("supplement", "Đề nghị bổ sung giấy chứng nhận hộ nghèo (maHoNgheo)")
    if form.loaiDoiTuong.startswith("NKT") and not form.soGiayXacNhanKhuyetTat:
        return Review("supplement", "Đề nghị bổ sung giấy xác nhận khuyết tật (soGiayXacNhanKhuyetTat)")
    return OK


def decide(request: BaseModel, population: Population, sequence: int) -> dict[str, Any]:
    """The commune chairman's decision: the monthly amount is the base level times the coefficient."""
    assert isinstance(request, TroCapRequest)
    form = request.doiTuong
    ward = catalogues.ward(request.maXa)
    assert ward is not None  # the model checked the commune
    today = now_vn().date()
    factor = coefficient(form.loaiDoiTuong, age_on(form.ngaySinh, today))
    return {
        "soQuyetDinh": f"{sequence}/QĐ-UBND",
        "ngayQuyetDinh": today.isoformat(),
        "coQuanQuyetDinh": f"Chủ tịch Ủy ban nhân dân {ward.name}",
        "loaiDoiTuong": form.loaiDoiTuong,
        "tenLoaiDoiTuong": CATEGORIES[form.loaiDoiTuong],
        "mucChuan": MUC_CHUAN,
        "heSo": factor,
        "soTienHangThang": round(MUC_CHUAN * factor),
        "thoiDiemHuong": today.replace(day=1).isoformat(),  # from the month the decision is signed
        "canCu": "Nghị định số 20/2021/NĐ-CP (sửa đổi bởi Nghị định số 76/2024/NĐ-CP)",
    }


def person_key(request: Mapping[str, Any]) -> str:
    """One monthly allowance per person: one who qualifies twice gets the higher one (Điều 8 khoản 1)."""
    return str(request["doiTuong"]["soDinhDanh"])


TRO_CAP = DossierKind(
    model=TroCapRequest,
    review=review_request,
    build_result=decide,
    supplement_into="doiTuong",
    labels={
        RECEIVED: "Tiếp nhận hồ sơ đề nghị trợ cấp xã hội hằng tháng",
        PROCESSING: "Công chức văn hóa - xã hội đang xác minh, thẩm định hồ sơ",
        DONE: "Chủ tịch Ủy ban nhân dân cấp xã đã quyết định trợ cấp xã hội hằng tháng",
    },
    handler="Công chức văn hóa - xã hội",
    duplicate=DuplicateRule(
        of=person_key,
        refusal="Đối tượng đang hưởng hoặc đang đề nghị hưởng trợ cấp xã hội hằng tháng; một người chỉ "
        "được hưởng một mức trợ cấp cao nhất",
        at="review",
    ),
)


def create_router(ctx: MockContext) -> APIRouter:
    return create_dossier_router(
        ctx, service=SERVICE, lt_prefix="TGXH", kinds={"/tro-cap-hang-thang": TRO_CAP}
    )

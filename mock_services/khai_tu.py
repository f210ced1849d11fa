"""Death registration (khai tử), the second dossier kind of #11 hộ tịch: its request, review and result."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from typing import TYPE_CHECKING, Any

from pydantic import BaseModel, Field

from ndxp_sim.mock_services import civil_status_checks as checks
from ndxp_sim.mock_services.clock import now_vn
from ndxp_sim.mock_services.dossier import DONE, OK, PROCESSING, RECEIVED, DossierKind, DuplicateRule, Review
from ndxp_sim.mock_services.dossier_api import BtpDossier, FormFields
from ndxp_sim.mock_services.dossier_checks import IN_POPULATION, RefusedError, citizen
from ndxp_sim.mock_services.population.dates import age_on

if TYPE_CHECKING:
    from ndxp_sim.mock_services.population import Population

PAGES_PER_BOOK = 200
REQUESTER_AGE = 18  # the relative who declares a death acts on their own behalf: an adult
_DDCN = r"^[0-9]{12}$"


class NoiChet(FormFields):
    maTinh: str = Field(..., pattern=r"^[0-9]{2}$")
    maXa: str = Field(..., pattern=r"^[0-9]{5}$")
    dcChiTiet: str = ""


class HoTichKhaiTu(FormFields):
    """The death part of the BTP envelope: nkt* the deceased, nyc* the requester, maGBT the death notice."""

    maGBT: str | None = None  # giấy báo tử; missing → supplement
    nktHoTen: str = Field(..., min_length=3, max_length=100)
    nktSoDDCN: str = Field(..., pattern=_DDCN)
    nktNgayChet: date
    nktGioPhutChet: str | None = Field(None, pattern=r"^[0-2][0-9]:[0-5][0-9]$")
    nktNoiChet: NoiChet
    nktNguyenNhanChet: str | None = Field(None, max_length=500)
    nycHoTen: str = Field(..., min_length=1, max_length=100)
    nycSoDDCN: str = Field(..., pattern=_DDCN)
    nycQuanHe: str = Field(..., min_length=1, max_length=50)


class KhaiTuRequest(BtpDossier):
    maTTHC: str = Field(..., min_length=1)
    hoTich: HoTichKhaiTu


def review_death(request: BaseModel, population: Population) -> Review:
    """The deceased is in the register under that name and alive there; the death date is neither in the
    future nor before their birth; the place is a post-2025 commune; the requester is another living adult;
    then the death notice is needed."""
    assert isinstance(request, KhaiTuRequest)
    death = request.hoTich
    checks.check_not_after(death.nktNgayChet, now_vn().date(), "Ngày chết")
    person = citizen(population, death.nktSoDDCN, death.nktHoTen, "người chết", alive=False)
    if person.da_mat:
        day = checks.dmy(person.ngay_mat) if person.ngay_mat else "không rõ"
        raise RefusedError(
            f"Công dân (số định danh {person.so_dinh_danh}) đã được ghi nhận là đã chết "
            f"(ngày chết {day}) {IN_POPULATION}"
        )
    if death.nktNgayChet < person.ngay_sinh:
        raise RefusedError(
            f"Ngày chết ({checks.dmy(death.nktNgayChet)}) trước ngày sinh của người chết "
            f"({checks.dmy(person.ngay_sinh)})"
        )
    checks.check_place(death.nktNoiChet.maTinh, death.nktNoiChet.maXa, "Nơi chết")
    if death.nycSoDDCN == death.nktSoDDCN:
        raise RefusedError("Người yêu cầu đăng ký khai tử không thể là người chết")
    requester = citizen(population, death.nycSoDDCN, death.nycHoTen, "người yêu cầu")
    age = age_on(requester.ngay_sinh, now_vn().date())
    if age < REQUESTER_AGE:
        raise RefusedError(f"Người yêu cầu đăng ký khai tử chưa đủ {REQUESTER_AGE} tuổi ({age} tuổi)")
    if not death.maGBT:
        return Review("supplement", "Đề nghị bổ sung Giấy báo tử (maGBT)")
    return OK


def same_death(request: Mapping[str, Any]) -> str:
    """One death, one registration: dossiers naming the same person are the same case."""
    return str(request["hoTich"]["nktSoDDCN"])


def register_death(request: BaseModel, population: Population, sequence: int) -> dict[str, Any]:
    """Record the death in the population and return ketQuaXuLy (the extract of the death register)."""
    assert isinstance(request, KhaiTuRequest)
    death = request.hoTich
    person = population.register_death(death.nktSoDDCN, death.nktNgayChet)
    today = now_vn().date()
    return {
        "soDinhDanh": person.so_dinh_danh,
        "ngayChet": death.nktNgayChet.isoformat(),
        "ngayDangKy": today.isoformat(),
        "soDangKy": str(sequence),
        "quyenSo": f"{(sequence - 1) // PAGES_PER_BOOK + 1:02d}/{today.year}",
        "trangSo": str((sequence - 1) % PAGES_PER_BOOK + 1),
        "ndktMaTinh": request.maTinh,
        "ndktMaXa": death.nktNoiChet.maXa,
        "trichLucKhaiTu": "Bản chính trích lục khai tử điện tử",
        "maGiayToKetQua": f"KT-{request.maTinh}-{today.year}-{sequence:06d}",
    }


KHAI_TU = DossierKind(
    model=KhaiTuRequest,
    review=review_death,
    build_result=register_death,
    supplement_into="hoTich",
    labels={
        RECEIVED: "Tiếp nhận hồ sơ đăng ký khai tử",
        PROCESSING: "Công chức tư pháp - hộ tịch đang xử lý hồ sơ",
        DONE: "Đã đăng ký khai tử và cập nhật CSDLQG về dân cư",
    },
    handler="Công chức tư pháp - hộ tịch",
    duplicate=DuplicateRule(
        of=same_death,
        refusal="Người chết đã có hồ sơ đăng ký khai tử khác đang giải quyết hoặc đã giải quyết",
        at="review",
    ),
)

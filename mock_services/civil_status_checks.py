"""What a civil-status official checks of the people on a dossier against the population register."""

from __future__ import annotations

from datetime import date, timedelta
from typing import TYPE_CHECKING

from ndxp_sim.core import catalogues
from ndxp_sim.mock_services.dossier_checks import RefusedError
from ndxp_sim.mock_services.population.dates import age_on

if TYPE_CHECKING:
    from ndxp_sim.core.model import Citizen

# Plausible ages at a child's birth. Vietnamese law sets none; these bound what a register accepts
# without a court's finding (a 10-year-old mother is a data error, not a case).
MOTHER_AGE = (15, 55)
FATHER_AGE = (15, 80)
# Luật Hôn nhân và gia đình 2014, art. 88: a child born within 300 days after the marriage ends is the
# couple's; the same span bounds a father who died after conception.
LONGEST_PREGNANCY = timedelta(days=300)


def dmy(day: date) -> str:
    return day.strftime("%d/%m/%Y")


def check_parent(person: Citizen, role: str, sex: str, ages: tuple[int, int], born: date) -> None:
    """A parent of a child born on `born`: of the sex the role needs, alive then, of plausible age."""
    if person.gioi_tinh != sex:
        raise RefusedError(
            f"Số định danh {person.so_dinh_danh} của {role} là của công dân giới tính {person.gioi_tinh}"
        )
    # The mother must be alive at the birth; a father may have died after conception.
    alive_until = born if role == "người mẹ" else born - LONGEST_PREGNANCY
    if person.da_mat and person.ngay_mat is not None and person.ngay_mat < alive_until:
        raise RefusedError(
            f"{role.capitalize()} (số định danh {person.so_dinh_danh}) đã chết ngày {dmy(person.ngay_mat)}, "
            f"trước ngày sinh của trẻ {dmy(born)}"
        )
    age = age_on(person.ngay_sinh, born)
    if not ages[0] <= age <= ages[1]:
        raise RefusedError(
            f"Tuổi của {role} tại ngày sinh của trẻ ({age} tuổi) không phù hợp "
            f"(từ {ages[0]} đến {ages[1]} tuổi)"
        )


def check_ethnic_group(code: str, field: str) -> None:
    if code not in catalogues.ethnic_groups():
        raise RefusedError(f"Dân tộc ({field} = {code}) không có trong danh mục 54 dân tộc Việt Nam")


def check_place(province_code: str, ward_code: str, what: str) -> catalogues.Ward:
    """A commune of the post-2025 map in the stated province; a pre-2025 code is named as such."""
    ward = catalogues.ward(ward_code)
    if ward is None:
        old = catalogues.legacy_ward(ward_code)
        if old is not None:
            raise RefusedError(
                f"{what}: mã xã {ward_code} ({old.name}) là đơn vị hành chính trước sắp xếp 01/07/2025, "
                "đề nghị dùng mã đơn vị hành chính hiện hành"
            )
        raise RefusedError(f"{what}: mã xã {ward_code} không có trong danh mục đơn vị hành chính")
    if ward.province_code != province_code:
        raise RefusedError(f"{what}: {ward.name} không thuộc tỉnh, thành phố có mã {province_code}")
    return ward


def check_not_after(day: date, today: date, what: str) -> None:
    if day > today:
        raise RefusedError(f"{what} ({dmy(day)}) sau ngày hiện tại")

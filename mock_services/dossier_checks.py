"""Checks the dossier services share: people and enterprises against the registers, refused in Vietnamese."""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING

from ndxp_sim.mock_services.people import folded_name

if TYPE_CHECKING:
    from ndxp_sim.core.model import Citizen, Enterprise
    from ndxp_sim.mock_services.population import Population

REGISTRY = "Cơ sở dữ liệu quốc gia về dân cư"
IN_POPULATION = f"trong {REGISTRY}"
IN_BUSINESS_REGISTRY = "trong Cơ sở dữ liệu quốc gia về đăng ký doanh nghiệp"
ACTIVE = "00"


class RefusedError(Exception):
    """One reason the dossier is refused, worded as the register's answer."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


def citizen(
    population: Population,
    so_dinh_danh: str,
    ho_ten: str,
    role: str,
    *,
    ngay_sinh: date | None = None,
    alive: bool = True,
) -> Citizen:
    """The person the number names, whose stated name (and birth date, if stated) are the register's and who
    lives (unless `alive` is False: a register of deaths or births judges death itself); else RefusedError.

    The name is compared before death is told, so a wrong name learns nothing of the number's owner.
    """
    person = population.citizen(so_dinh_danh)
    if person is None:
        raise RefusedError(f"Không tìm thấy {role} có số định danh cá nhân {so_dinh_danh} {IN_POPULATION}")
    if folded_name(ho_ten) != folded_name(person.ho_va_ten) or ngay_sinh not in (None, person.ngay_sinh):
        stated = "Họ tên" if ngay_sinh is None else "Họ tên, ngày sinh"
        raise RefusedError(
            f"{stated} của {role} không khớp với thông tin của số định danh cá nhân {so_dinh_danh} "
            f"{IN_POPULATION}"
        )
    if alive and person.da_mat:
        raise RefusedError(
            f"{role[0].upper()}{role[1:]} (số định danh cá nhân {so_dinh_danh}) đã chết theo {REGISTRY}"
        )
    return person


def enterprise(population: Population, msdn: str, ten: str | None = None) -> Enterprise:
    """The active enterprise `msdn` names (named `ten`, if given); else RefusedError."""
    found = population.enterprise(msdn)
    if found is None:
        raise RefusedError(f"Không tìm thấy doanh nghiệp có mã số {msdn} {IN_BUSINESS_REGISTRY}")
    if ten is not None and folded_name(found.ten_tieng_viet) != folded_name(ten):
        raise RefusedError(f"Tên doanh nghiệp không khớp với mã số {msdn} {IN_BUSINESS_REGISTRY}")
    if found.ma_tinh_trang != ACTIVE:
        raise RefusedError(f"Doanh nghiệp mã số {msdn} đang ở tình trạng “{found.tinh_trang}”")
    return found

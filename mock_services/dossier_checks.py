"""Checks the dossier services share: people and enterprises against the population, places on the map."""

from __future__ import annotations

import unicodedata
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from ndxp_sim.core.model import Citizen, Enterprise
    from ndxp_sim.mock_services.population import Population

IN_POPULATION = "trong Cơ sở dữ liệu quốc gia về dân cư"
IN_BUSINESS_REGISTRY = "trong Cơ sở dữ liệu quốc gia về đăng ký doanh nghiệp"
ACTIVE = "00"


def same_name(a: str, b: str) -> bool:
    """Names as people type them: any case, any spacing, composed or decomposed accents."""
    return " ".join(unicodedata.normalize("NFC", a).casefold().split()) == " ".join(
        unicodedata.normalize("NFC", b).casefold().split()
    )


def citizen_refusal(
    population: Population, so_dinh_danh: str, ho_ten: str, role: str
) -> tuple[Citizen | None, str]:
    """(the citizen, "") when `so_dinh_danh` is a living person named `ho_ten`, else (None, the reason)."""
    citizen = population.citizen(so_dinh_danh)
    if citizen is None:
        return None, f"Không tìm thấy {role} có số định danh cá nhân {so_dinh_danh} {IN_POPULATION}"
    if citizen.da_mat:
        return None, f"Số định danh cá nhân {so_dinh_danh} của {role} là của người đã chết {IN_POPULATION}"
    if not same_name(citizen.ho_va_ten, ho_ten):
        return None, f"Họ tên {role} không khớp với số định danh cá nhân {so_dinh_danh} {IN_POPULATION}"
    return citizen, ""


def enterprise_refusal(
    population: Population, msdn: str, ten: str | None = None
) -> tuple[Enterprise | None, str]:
    """(the enterprise, "") when `msdn` is an active enterprise (named `ten` if given), else (None, why)."""
    enterprise = population.enterprise(msdn)
    if enterprise is None:
        return None, f"Không tìm thấy doanh nghiệp có mã số {msdn} {IN_BUSINESS_REGISTRY}"
    if ten is not None and not same_name(enterprise.ten_tieng_viet, ten):
        return None, f"Tên doanh nghiệp không khớp với mã số {msdn} {IN_BUSINESS_REGISTRY}"
    if enterprise.ma_tinh_trang != ACTIVE:
        return None, f"Doanh nghiệp mã số {msdn} đang ở tình trạng “{enterprise.tinh_trang}”"
    return enterprise, ""

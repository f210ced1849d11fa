"""Checks a dossier service makes of the person who files it, against the population, in Vietnamese."""

from __future__ import annotations

import unicodedata
from datetime import date
from typing import TYPE_CHECKING

from ndxp_sim.core.model import Citizen
from ndxp_sim.mock_services.dossier import Review

if TYPE_CHECKING:
    from ndxp_sim.mock_services.population import Population

REGISTRY = "Cơ sở dữ liệu quốc gia về dân cư"


def same_name(stated: str, registered: str) -> bool:
    """Names compare as people write them: any case, any spacing, composed or decomposed accents."""

    def norm(text: str) -> str:
        return " ".join(unicodedata.normalize("NFC", text).casefold().split())

    return norm(stated) == norm(registered)


def age_on(born: date, day: date) -> int:
    return day.year - born.year - ((day.month, day.day) < (born.month, born.day))


def verify(
    population: Population, so_dinh_danh: str, ho_ten: str, ngay_sinh: date, who: str
) -> Citizen | Review:
    """The living citizen the number names, if the stated name and birth date are theirs; else a refusal."""
    person = population.citizen(so_dinh_danh)
    if person is None:
        return Review(
            "reject", f"Không tìm thấy thông tin {who} (số định danh {so_dinh_danh}) trong {REGISTRY}"
        )
    if not same_name(ho_ten, person.ho_va_ten) or ngay_sinh != person.ngay_sinh:
        return Review(
            "reject",
            f"Họ tên, ngày sinh của {who} không khớp với thông tin của số định danh {so_dinh_danh} "
            f"trong {REGISTRY}",
        )
    if person.da_mat:
        return Review("reject", f"{who[0].upper()}{who[1:]} đã chết theo {REGISTRY}")
    return person

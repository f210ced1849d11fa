"""#9 Driving Licence DB (GPLX): its rules and answers, served by engine L."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from typing import TYPE_CHECKING, Any

from fastapi import APIRouter

from ndxp_sim.core import catalogues
from ndxp_sim.core.identifiers import licence_number_is_valid
from ndxp_sim.mock_services.clock import now_vn
from ndxp_sim.mock_services.context import MockContext
from ndxp_sim.mock_services.engines import Host, Lookup, Param, serve
from ndxp_sim.mock_services.engines.params import CCCD, identifier
from ndxp_sim.mock_services.people import dmy

if TYPE_CHECKING:
    from ndxp_sim.core.model import Citizen, DrivingLicence

SERVICE = "csdl_gplx"
VALID = "Còn hiệu lực"
LICENCE_NUMBER = identifier(licence_number_is_valid, "số GPLX (12 chữ số, 2 số đầu là mã tỉnh)", r"[0-9]{12}")


def licence_card(licence: DrivingLicence, today: date) -> dict[str, Any]:
    """One `gplxDaCap` entry; `conHieuLuc` is as of today (a licence with no points left may not be used)."""
    usable = licence.trang_thai == VALID and licence.diem > 0
    usable = usable and (licence.ngay_het_han is None or licence.ngay_het_han >= today)
    return {
        "soGplx": licence.so_gplx,
        "hangGplx": licence.hang,
        "moTaHang": catalogues.licence_classes()[licence.hang],
        "ngayCapGplx": dmy(licence.ngay_cap),
        "ngayHetHanGplx": dmy(licence.ngay_het_han),
        "noiCapGplx": licence.noi_cap,
        "trangThai": licence.trang_thai,
        "conHieuLuc": usable,
        "soDiemConLai": licence.diem,
    }


def _holder(person: Citizen) -> dict[str, Any]:
    return {"soDinhDanh": person.so_dinh_danh, "hoTen": person.ho_va_ten, "ngaySinh": dmy(person.ngay_sinh)}


def _licence(host: Host, keys: Mapping[str, Any]) -> tuple[DrivingLicence, Citizen] | None:
    licence = host.population.licence(keys["soGplx"])
    holder = host.population.citizen(licence.so_dinh_danh) if licence else None
    return (licence, holder) if licence and holder else None


def _licence_answer(found: tuple[DrivingLicence, Citizen]) -> dict[str, Any]:
    licence, holder = found
    return _holder(holder) | licence_card(licence, now_vn().date())


def _licences_answer(host: Host, person: Citizen) -> dict[str, Any]:
    today = now_vn().date()
    cards = [licence_card(item, today) for item in host.population.licences_of(person.so_dinh_danh)]
    return _holder(person) | {"gplxDaCap": sorted(cards, key=lambda card: card["soGplx"])}


BY_NUMBER = Lookup[tuple["DrivingLicence", "Citizen"]](
    route="/gplx/{soGplx}",
    operation="traCuuGplx",
    keys=(Param("soGplx", LICENCE_NUMBER, "invalid_so_gplx"),),
    resolve=_licence,
    answer=lambda _, found: _licence_answer(found),
    not_found="không tìm thấy giấy phép lái xe {soGplx}",
)

BY_HOLDER = Lookup["Citizen"](
    route="/cong-dan/{soDinhDanh}/gplx",
    operation="traCuuGplxTheoSoDinhDanh",
    keys=(Param("soDinhDanh", CCCD, "invalid_so_dinh_danh"),),
    resolve=lambda host, keys: host.population.citizen(keys["soDinhDanh"]),
    answer=_licences_answer,
    not_found="không tìm thấy công dân {soDinhDanh}",
)


def create_router(ctx: MockContext) -> APIRouter:
    return serve(ctx, SERVICE, BY_NUMBER, BY_HOLDER)

"""#4 National Land DB: the population's parcels on engines L and S, the land-use catalogue on engine C."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from functools import cache
from typing import Any

from fastapi import APIRouter

from ndxp_sim.core import catalogues
from ndxp_sim.core.model import LandParcel
from ndxp_sim.mock_services.context import MockContext
from ndxp_sim.mock_services.engines import (
    Catalogue,
    Filter,
    Host,
    Lookup,
    Param,
    ParamError,
    Search,
    published,
    serve,
)
from ndxp_sim.mock_services.engines.params import integer, pattern

SERVICE = "csdl_dat_dai"
LAND_LAW_2024 = date(2024, 8, 1)  # assumed start of this catalogue version: the Land Law 2024 took effect
GROUPS = {
    "residential": "Nhóm đất phi nông nghiệp",  # residential land belongs to the non-agricultural group
    "non_agricultural": "Nhóm đất phi nông nghiệp",
    "agricultural": "Nhóm đất nông nghiệp",
}
ParcelKey = tuple[str, int, int]
WARD_MESSAGE = "mã xã '{value}' sai định dạng hoặc không có trong danh mục 3.321 xã, phường, đặc khu"


def parcel_answer(host: Host, parcel: LandParcel) -> dict[str, Any]:
    ward = catalogues.ward(parcel.ma_xa)
    assert ward is not None, parcel.ma_xa  # parcels are only generated on wards of admin_units.csv
    holders = [host.population.citizen(number) for number in parcel.chu_su_dung]
    return {
        **summary(parcel),
        "MaXa": parcel.ma_xa,
        "TenXa": parcel.dia_chi.ward_name,
        "MaTinh": parcel.dia_chi.province_code,
        "TenTinh": parcel.dia_chi.province_name,
        "TenMucDichSuDung": parcel.ten_muc_dich,
        "ThoiHanSuDung": parcel.thoi_han.isoformat() if parcel.thoi_han else None,
        "NguonGocSuDung": parcel.nguon_goc,
        "ChuSuDung": [
            {
                "HoTen": person.ho_va_ten,
                "SoDinhDanh": person.so_dinh_danh,
                "NgaySinh": person.ngay_sinh.isoformat(),
            }
            for person in holders
            if person is not None
        ],
        "GiayChungNhan": {
            "SoPhatHanh": parcel.so_phat_hanh,
            "SoVaoSo": parcel.so_vao_so,
            "NgayCap": parcel.ngay_cap.isoformat(),
        },
    }


def summary(parcel: LandParcel) -> dict[str, Any]:
    return {
        "MaThua": parcel.ma_thua,
        "SoHieuBanDo": parcel.so_to,
        "SoThuTuThua": parcel.so_thua,
        "DienTich": parcel.dien_tich,
        "MucDichSuDung": parcel.muc_dich,
        "DiaChiChiTiet": parcel.dia_chi.full(),
    }


def known_ward(value: str) -> str:
    """A commune of the 2025 map: an unknown code is a bad request, not a missing parcel."""
    pattern(r"[0-9]{5}", "5 chữ số")(value)
    if catalogues.ward(value) is None:
        raise ValueError("không có trong danh mục 3.321 xã, phường, đặc khu")
    return value


def _by_key(host: Host, keys: Mapping[str, Any]) -> LandParcel | None:
    return host.population.parcel(keys["maXa"], keys["soHieuBanDo"], keys["soThuTuThua"])


def _by_certificate(host: Host, keys: Mapping[str, Any]) -> LandParcel | None:
    return host.population.parcel_by_certificate(keys["soPhatHanh"])


def _parcel_of(host: Host, key: ParcelKey) -> LandParcel:
    parcel = host.population.parcel(*key)
    assert parcel is not None, key  # the registry lists only parcels it can build
    return parcel


def _ward_required(host: Host, code: str | None) -> list[ParcelKey]:
    """The keys of a commune's parcels; the list never spans the whole country."""
    if code is None:
        raise ParamError("maXa", "thiếu maXa", error="invalid_ma_xa")
    return [key for key in host.population.land_registry.parcels if key[0] == code]


PARCEL = Lookup[LandParcel](
    route="/thua-dat/{maXa}/{soHieuBanDo}/{soThuTuThua}",
    operation="thongTinThuaDat",
    keys=(
        Param("maXa", known_ward, "invalid_ma_xa", WARD_MESSAGE),
        Param("soHieuBanDo", integer(1, 9999), "invalid_so_to"),
        Param("soThuTuThua", integer(1, 99999), "invalid_so_thua"),
    ),
    resolve=_by_key,
    answer=parcel_answer,
    not_found="không có thửa đất {soThuTuThua} tờ bản đồ {soHieuBanDo} tại xã/phường {maXa}",
    log_key="maXa",
)

BY_CERTIFICATE = Lookup[LandParcel](
    route="/giay-chung-nhan/{soPhatHanh}",
    operation="thuaDatTheoGiayChungNhan",
    keys=(Param("soPhatHanh", pattern(r"[A-Z]{2} [0-9]{6}", "AA 123456"), "invalid_so_phat_hanh"),),
    resolve=_by_certificate,
    answer=parcel_answer,
    not_found="không có giấy chứng nhận số phát hành {soPhatHanh}",
)

PARCELS_OF_WARD = Search[ParcelKey](
    route="/thua-dat",
    operation="danhSachThuaDat",
    records=lambda host: _ward_required(host, None),
    item=lambda host, key: summary(_parcel_of(host, key)),
    order={"SoHieuBanDo": lambda key: (key[1], key[2])},
    identity=lambda key: key,
    filters=(
        Filter(
            "maXa",
            lambda key: key[0],
            parse=known_ward,
            error="invalid_ma_xa",
            message=WARD_MESSAGE,
            index=_ward_required,
        ),
    ),
    sort_param=None,
)


@cache
def land_use_catalogue() -> Catalogue:
    items = (
        (item.code, {"ten": item.name, "nhom": GROUPS[item.group]})
        for item in catalogues.land_use_types().values()
    )
    return Catalogue(
        "/danh-muc/muc-dich-su-dung", "danhMucMucDichSuDung", tuple(published(1, LAND_LAW_2024, items))
    )


def create_router(ctx: MockContext) -> APIRouter:
    return serve(ctx, SERVICE, PARCEL, BY_CERTIFICATE, PARCELS_OF_WARD, land_use_catalogue())

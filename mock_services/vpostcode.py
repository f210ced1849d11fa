"""#21 Vpostcode: postal codes of the real communes (real province ranges), map locations, address search."""

from __future__ import annotations

import math
from collections.abc import Mapping
from functools import cache
from typing import Any

import pygeohash
from fastapi import APIRouter

from ndxp_sim.core import catalogues
from ndxp_sim.core.catalogues import Ward
from ndxp_sim.mock_services.context import MockContext
from ndxp_sim.mock_services.engines import Filter, Host, Lookup, Param, Search, serve
from ndxp_sim.mock_services.engines.params import decimal, pattern, province, text

SERVICE = "vpostcode"
EARTH_RADIUS_KM = 6371.0
NEAREST_WITHIN_KM = 60.0  # farther than this from every commune's point is open sea: nothing to answer
GEOHASH_LENGTH = 7  # about 150 m: enough to tell buildings' blocks apart


@cache
def postcodes() -> dict[str, str]:
    """Ward code → postal code. Each province's wards, in code order, are spread over its real ranges;
    the last three digits are this simulator's (see SOURCES.md)."""
    ranges: dict[str, list[int]] = {}
    for row in catalogues.read_csv("postcode_ranges.csv"):
        ranges.setdefault(row["province_code"], []).append(int(row["first"]))
    found: dict[str, str] = {}
    for code, firsts in ranges.items():
        wards = catalogues.wards(code)
        blocks: dict[int, list[Ward]] = {}
        for index, ward in enumerate(wards):
            blocks.setdefault(index * len(firsts) // len(wards), []).append(ward)
        for block, members in blocks.items():
            for position, ward in enumerate(members):
                found[ward.code] = f"{firsts[block] + (position + 1) * 999 // (len(members) + 1):05d}"
    return found


@cache
def wards_by_postcode() -> dict[str, Ward]:
    wards = {ward.code: ward for ward in catalogues.wards()}
    return {postcode: wards[code] for code, postcode in postcodes().items()}


def short_name(ward: Ward) -> str:
    return ward.name.removeprefix(ward.type).strip()


def address(ward: Ward) -> dict[str, Any]:
    found = catalogues.province(ward.province_code)
    assert found is not None, ward.code  # admin_units.csv names only the 34 provinces
    postcode = postcodes()[ward.code]
    return {
        "maBuuChinh": postcode,
        "vpostcode": f"{postcode}-{pygeohash.encode(ward.lat, ward.lon, precision=GEOHASH_LENGTH)}",
        "maXa": ward.code,
        "tenXa": ward.name,
        "maTinh": found.code,
        "tenTinh": found.name,
        "diaChi": f"{ward.name}, {found.name}",
        "viDo": ward.lat,
        "kinhDo": ward.lon,
    }


def _distance_km(lat: float, lon: float, ward: Ward) -> float:
    """Great-circle distance (haversine)."""
    phi1, phi2 = math.radians(lat), math.radians(ward.lat)
    dphi, dlambda = phi2 - phi1, math.radians(ward.lon - lon)
    h = math.sin(dphi / 2) ** 2 + math.cos(phi1) * math.cos(phi2) * math.sin(dlambda / 2) ** 2
    return 2 * EARTH_RADIUS_KM * math.asin(math.sqrt(h))


def _nearest(_: Host, keys: Mapping[str, Any]) -> tuple[Ward, float] | None:
    lat, lon = keys["viDo"], keys["kinhDo"]
    ward = min(catalogues.wards(), key=lambda w: _distance_km(lat, lon, w))
    distance = _distance_km(lat, lon, ward)
    return (ward, distance) if distance <= NEAREST_WITHIN_KM else None


def _ward(_: Host, keys: Mapping[str, Any]) -> Ward | None:
    return catalogues.ward(keys["maXa"])


def _by_postcode(_: Host, keys: Mapping[str, Any]) -> Ward | None:
    return wards_by_postcode().get(keys["maBuuChinh"])


FIVE_DIGITS = pattern(r"[0-9]{5}", "5 chữ số")

BY_COMMUNE = Lookup[Ward](
    route="/xa/{maXa}",
    operation="traCuuMaBuuChinh",
    keys=(Param("maXa", FIVE_DIGITS, "invalid_ma_xa"),),
    resolve=_ward,
    answer=lambda _, ward: address(ward),
    not_found="không có xã/phường mã {maXa}",
)

BY_POSTCODE = Lookup[Ward](
    route="/ma-buu-chinh/{maBuuChinh}",
    operation="traCuuDiaChi",
    keys=(Param("maBuuChinh", FIVE_DIGITS, "invalid_ma_buu_chinh"),),
    resolve=_by_postcode,
    answer=lambda _, ward: address(ward),
    not_found="không có mã bưu chính {maBuuChinh}",
)

BY_LOCATION = Lookup[tuple[Ward, float]](
    route="/vi-tri",
    operation="traCuuViTri",
    keys=(
        Param("viDo", decimal(6.0, 24.0), "invalid_vi_tri"),
        Param("kinhDo", decimal(102.0, 118.0), "invalid_vi_tri"),
    ),
    resolve=_nearest,
    answer=lambda _, found: address(found[0]) | {"khoangCachKm": round(found[1], 3)},
    not_found="không có xã/phường nào trong vòng 60 km quanh ({viDo}, {kinhDo})",
)

SEARCH = Search[Ward](
    route="/xa",
    operation="timKiemDiaChi",
    records=lambda _: catalogues.wards(),
    item=lambda _, ward: address(ward),
    order={"maXa": lambda ward: ward.code},
    identity=lambda ward: ward.code,
    filters=(
        Filter("tenXa", short_name, match="prefix", parse=text(100)),
        Filter(
            "maTinh",
            lambda ward: ward.province_code,
            parse=province,
            error="invalid_province",
            message="mã tỉnh '{value}' không có trong danh mục 34 tỉnh",
            index=lambda _, code: catalogues.wards(code),
        ),
    ),
    sort_param=None,
)


def create_router(ctx: MockContext) -> APIRouter:
    return serve(ctx, SERVICE, BY_COMMUNE, BY_POSTCODE, BY_LOCATION, SEARCH)

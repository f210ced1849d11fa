"""#18 MOF catalogues on engine C: treasury units (assumed codes), budget chapters and items."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from functools import cache
from itertools import groupby
from typing import Any

from fastapi import APIRouter

from ndxp_sim.core import catalogues
from ndxp_sim.core.catalogues import OldProvince
from ndxp_sim.mock_services.context import MockContext
from ndxp_sim.mock_services.engines import Catalogue, Revision, published, serve

SERVICE = "danh_muc_btc"
SIXTY_THREE_PROVINCES = date(2008, 8, 1)
REGIONAL_TREASURIES = date(2025, 3, 1)  # the provincial treasuries became 20 regional ones
REGIONS = 20
BUDGET_INDEX = date(2017, 1, 1)  # Thông tư 324/2016/TT-BTC applies from the 2017 budget year
ROMAN = ("I", "II", "III", "IV", "V", "VI", "VII", "VIII", "IX", "X")


def _roman(number: int) -> str:
    return "X" * (number // 10) + (ROMAN[number % 10 - 1] if number % 10 else "")


def _provincial_code(province: OldProvince) -> str:
    return f"{province.code}01"  # assumed: the old province code, then 01


def _regional_code(region: int) -> str:
    return f"90{region:02d}"  # assumed; no old province code is 90


def regions() -> dict[str, int]:
    """Old province code → region 1–20: the old provinces of each new province stay together.

    Assumed grouping: the 34 new provinces in code order, spread evenly over the 20 regions.
    """
    by_new = groupby(
        sorted(catalogues.old_provinces(), key=lambda p: (p.new_province_code, p.code)),
        key=lambda p: p.new_province_code,
    )
    return {
        old.code: index * REGIONS // len(catalogues.provinces()) + 1
        for index, (_, olds) in enumerate(by_new)
        for old in olds
    }


def _provincial(province: OldProvince, region: int | None) -> Mapping[str, Any]:
    return {
        "ten": f"Kho bạc Nhà nước {province.name.removeprefix('Tỉnh ').removeprefix('Thành phố ')}",
        "cap": "Tỉnh",
        "diaBan": [province.code],
        "maKBNNMoi": _regional_code(region) if region else None,
    }


def treasury_revisions() -> list[Revision]:
    """v1: one treasury per old province from 2008; v2: closed on 1 March 2025 into the 20 regional ones."""
    olds = catalogues.old_provinces()
    region_of = regions()
    served: dict[int, list[str]] = {}
    for code, region in sorted(region_of.items()):
        served.setdefault(region, []).append(code)
    regional = (
        (
            _regional_code(region),
            {"ten": f"Kho bạc Nhà nước khu vực {_roman(region)}", "cap": "Khu vực"}
            | {"diaBan": codes, "maKBNNMoi": None},
        )
        for region, codes in sorted(served.items())
    )
    return [
        *published(1, SIXTY_THREE_PROVINCES, ((_provincial_code(p), _provincial(p, None)) for p in olds)),
        *published(
            2,
            SIXTY_THREE_PROVINCES,
            ((_provincial_code(p), _provincial(p, region_of[p.code])) for p in olds),
            REGIONAL_TREASURIES,
        ),
        *published(2, REGIONAL_TREASURIES, regional),
    ]


@cache
def catalogue_declarations() -> tuple[Catalogue, ...]:
    chapters = catalogues.read_csv("budget_chapters.csv")
    items = catalogues.read_csv("budget_items.csv")
    return (
        Catalogue("/danh-muc/kho-bac", "danhMucKhoBac", tuple(treasury_revisions())),
        Catalogue(
            "/danh-muc/chuong",
            "danhMucChuong",
            tuple(
                published(
                    1, BUDGET_INDEX, ((r["code"], {"ten": r["name"], "cap": r["level"]}) for r in chapters)
                )
            ),
        ),
        Catalogue(
            "/danh-muc/tieu-muc",
            "danhMucTieuMuc",
            tuple(
                published(
                    1,
                    BUDGET_INDEX,
                    (
                        (r["tieu_muc"], {"ten": r["name"], "maMuc": r["muc"], "tenMuc": r["muc_name"]})
                        for r in items
                    ),
                )
            ),
        ),
    )


def create_router(ctx: MockContext) -> APIRouter:
    return serve(ctx, SERVICE, *catalogue_declarations())

"""#6 National Legal Documents DB (CSDLQG về VBQPPL): search and detail, served by engines S and L."""

from __future__ import annotations

from datetime import date
from typing import Any

from fastapi import APIRouter

from ndxp_sim.core.legal_documents import (
    ISSUERS,
    STATUS_AS_OF,
    STATUSES,
    TYPES,
    LegalDocument,
    by_key,
    documents,
)
from ndxp_sim.core.text import fold
from ndxp_sim.mock_services.context import MockContext
from ndxp_sim.mock_services.engines import Filter, Lookup, Param, Search, serve
from ndxp_sim.mock_services.engines.params import text

SERVICE = "csdl_van_ban"
MAX_PAGE_SIZE = 50


def _iso(day: date | None) -> str | None:
    return day.isoformat() if day else None


def summary(document: LegalDocument) -> dict[str, Any]:
    return {
        "SoKyHieu": document.so_ky_hieu,
        "MaLoaiVanBan": document.ma_loai,
        "LoaiVanBan": TYPES[document.ma_loai],
        "TrichYeu": document.trich_yeu,
        "MaCoQuanBanHanh": document.ma_co_quan,
        "CoQuanBanHanh": ISSUERS[document.ma_co_quan][0],
        "NgayBanHanh": document.ngay_ban_hanh.isoformat(),
        "NgayHieuLuc": _iso(document.ngay_hieu_luc),
        "MaTinhTrangHieuLuc": document.tinh_trang,
        "TinhTrangHieuLuc": STATUSES[document.tinh_trang],
        "NguonDuLieu": document.nguon,
    }


def detail(document: LegalDocument) -> dict[str, Any]:
    replaces = [d.so_ky_hieu for d in documents() if document.so_ky_hieu in d.thay_the_boi]
    return summary(document) | {
        "CapBanHanh": ISSUERS[document.ma_co_quan][1],
        "LinhVuc": document.linh_vuc,
        "NgayHetHieuLuc": _iso(document.ngay_het_hieu_luc),
        "ThayTheBoi": list(document.thay_the_boi),
        "ThayTheVanBan": replaces,
        "NgayCapNhatTinhTrang": STATUS_AS_OF,
    }


def _symbol(value: str) -> str:
    return fold(text(64)(value))


SEARCH = Search[LegalDocument](
    route="/van-ban",
    operation="timKiemVanBan",
    records=lambda _: documents(),
    item=lambda _, document: summary(document),
    order={
        "NgayBanHanh": lambda d: d.ngay_ban_hanh,
        "SoKyHieu": lambda d: d.key,
    },
    identity=lambda d: d.key,
    filters=(
        Filter("soKyHieu", lambda d: d.key, "prefix", parse=_symbol),
        Filter(
            "maLoaiVanBan", lambda d: d.ma_loai, "enum", choices=tuple(TYPES), error="invalid_loai_van_ban"
        ),
        Filter(
            "maCoQuanBanHanh", lambda d: d.ma_co_quan, "enum", choices=tuple(ISSUERS), error="invalid_co_quan"
        ),
        Filter(
            "tinhTrangHieuLuc",
            lambda d: d.tinh_trang,
            "enum",
            choices=tuple(STATUSES),
            error="invalid_tinh_trang",
        ),
        Filter("tuNgay", lambda d: d.ngay_ban_hanh, "date_range", end="denNgay", error="invalid_date"),
        Filter("tuKhoa", lambda d: d.searchable, "text", parse=text(200)),
    ),
    default_order="-NgayBanHanh",
    max_size=MAX_PAGE_SIZE,
)

DETAIL = Lookup[LegalDocument](
    route="/van-ban/chi-tiet",
    operation="chiTietVanBan",
    keys=(Param("soKyHieu", _symbol),),
    resolve=lambda _, keys: by_key().get(keys["soKyHieu"]),
    answer=lambda _, document: detail(document),
    not_found="không có văn bản số {soKyHieu}",
)


def create_router(ctx: MockContext) -> APIRouter:
    return serve(ctx, SERVICE, DETAIL, SEARCH)

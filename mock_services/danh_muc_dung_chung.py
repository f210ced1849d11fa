"""#13 Shared e-catalogues (MIC): real admin units, ethnic groups, religions and countries on engine C."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from functools import cache
from typing import Any

from fastapi import APIRouter

from ndxp_sim.core import catalogues
from ndxp_sim.core.catalogues import LegacyWard
from ndxp_sim.mock_services.context import MockContext
from ndxp_sim.mock_services.engines import Catalogue, Host, Lookup, Param, Revision, published, serve
from ndxp_sim.mock_services.engines.params import pattern

SERVICE = "danh_muc_dung_chung"
SIXTY_THREE_PROVINCES = date(2008, 8, 1)  # Nghị quyết 15/2008/QH12: Hà Tây joins Hà Nội, 63 provinces
LEGACY_COMMUNES = date(2025, 1, 1)  # assumed: the commune list as it stood after the 2023–2025 mergers
REORGANISATION = date(2025, 7, 1)  # Nghị quyết 202/2025/QH15: 34 provinces, no district level
ETHNIC_CODES = date(1979, 3, 2)  # Quyết định 121-TCTK/PPCĐ
RELIGION_LAW = date(2018, 1, 1)  # assumed start: the Law on Belief and Religion 2016 took effect
ISO_CATALOGUE = date(2000, 1, 1)  # assumed start of this catalogue; not each country's own history


def _kind(name: str, kinds: tuple[str, ...]) -> str:
    return next(kind for kind in kinds if name.startswith(kind))


def province_revisions() -> list[Revision]:
    """v1: the 63 provinces; v2: each closed on 1 July 2025 with the new province, and the 34 opened."""
    kinds = ("Thành phố", "Tỉnh")
    old = [(p.code, p.name, _kind(p.name, kinds)) for p in catalogues.old_provinces()]
    new_of = {p.code: p.new_province_code for p in catalogues.old_provinces()}
    return [
        *published(
            1, SIXTY_THREE_PROVINCES, ((c, {"ten": n, "loai": k, "maTinhMoi": None}) for c, n, k in old)
        ),
        *published(
            2,
            SIXTY_THREE_PROVINCES,
            ((c, {"ten": n, "loai": k, "maTinhMoi": new_of[c]}) for c, n, k in old),
            REORGANISATION,
        ),
        *published(
            2,
            REORGANISATION,
            ((p.code, {"ten": p.name, "loai": p.type, "maTinhMoi": None}) for p in catalogues.provinces()),
        ),
    ]


def _legacy(ward: LegacyWard, new_code: str | None) -> Mapping[str, Any]:
    return {
        "ten": ward.name,
        "loai": ward.type,
        "maTinh": ward.old_province_code,
        "maQuanHuyen": ward.district_code,
        "tenQuanHuyen": ward.district_name,
        "maXaMoi": new_code,
    }


def commune_revisions() -> list[Revision]:
    """v1: the legacy communes; v2: each closed on 1 July 2025 with its new ward, and the 3,321 opened."""
    legacy = catalogues.legacy_wards()
    new = (
        (
            w.code,
            {"ten": w.name, "loai": w.type, "maTinh": w.province_code, "maQuanHuyen": None}
            | {"tenQuanHuyen": None, "maXaMoi": None},
        )
        for w in catalogues.wards()
    )
    return [
        *published(1, LEGACY_COMMUNES, ((w.code, _legacy(w, None)) for w in legacy)),
        *published(
            2, LEGACY_COMMUNES, ((w.code, _legacy(w, w.new_ward_code)) for w in legacy), REORGANISATION
        ),
        *published(2, REORGANISATION, new),
    ]


def _religion_code(index: int) -> str:
    return f"{index:02d}"  # assumed: "00" none, then the recognised religions in the list's order


@cache
def catalogue_declarations() -> tuple[Catalogue, ...]:
    """Built once per process: the commune catalogue alone holds some 13,000 periods."""
    countries = catalogues.countries()
    return (
        Catalogue("/danh-muc/tinh", "danhMucTinh", tuple(province_revisions())),
        Catalogue("/danh-muc/xa-phuong", "danhMucXaPhuong", tuple(commune_revisions())),
        Catalogue(
            "/danh-muc/dan-toc",
            "danhMucDanToc",
            tuple(
                published(1, ETHNIC_CODES, ((c, {"ten": n}) for c, n in catalogues.ethnic_groups().items()))
            ),
        ),
        Catalogue(
            "/danh-muc/ton-giao",
            "danhMucTonGiao",
            tuple(
                published(
                    1,
                    RELIGION_LAW,
                    ((_religion_code(i), {"ten": n}) for i, n in enumerate(catalogues.religions())),
                )
            ),
        ),
        Catalogue(
            "/danh-muc/quoc-gia",
            "danhMucQuocGia",
            tuple(
                published(
                    1,
                    ISO_CATALOGUE,
                    (
                        (
                            c.alpha_2,
                            {"ten": c.name_vi, "tenTiengAnh": c.name_en, "maAlpha3": c.alpha_3}
                            | {"maSo": c.numeric},
                        )
                        for c in countries
                    ),
                )
            ),
        ),
        Catalogue(
            "/danh-muc/quoc-tich",
            "danhMucQuocTich",
            tuple(
                published(
                    1,
                    ISO_CATALOGUE,
                    (
                        (c.alpha_2, {"ten": c.name_vi, "maAlpha3": c.alpha_3, "maSo": c.numeric})
                        for c in countries
                    ),
                )
            ),
        ),
    )


def conversion(_: Host, ward: LegacyWard) -> dict[str, Any]:
    """A pre-2025 commune with the ward and province it belongs to since 1 July 2025."""
    old_province = next(p for p in catalogues.old_provinces() if p.code == ward.old_province_code)
    new = catalogues.ward(ward.new_ward_code)
    assert new is not None, ward.code  # legacy_wards.csv only names wards of admin_units.csv
    province = catalogues.province(new.province_code)
    assert province is not None, new.code
    return {
        "maXaCu": ward.code,
        "tenXaCu": ward.name,
        "maQuanHuyenCu": ward.district_code,
        "tenQuanHuyenCu": ward.district_name,
        "maTinhCu": old_province.code,
        "tenTinhCu": old_province.name,
        "maXaMoi": new.code,
        "tenXaMoi": new.name,
        "maTinhMoi": province.code,
        "tenTinhMoi": province.name,
        "ngayHieuLuc": REORGANISATION.isoformat(),
    }


CONVERSION = Lookup[LegacyWard](
    route="/chuyen-doi/{maXaCu}",
    operation="chuyenDoiDonViHanhChinh",
    keys=(Param("maXaCu", pattern(r"[0-9]{5}", "5 chữ số"), "invalid_ma_xa"),),
    resolve=lambda _, keys: catalogues.legacy_ward(keys["maXaCu"]),
    answer=conversion,
    not_found="không có xã/phường cũ mã {maXaCu}",
)


def create_router(ctx: MockContext) -> APIRouter:
    return serve(ctx, SERVICE, *catalogue_declarations(), CONVERSION)

"""The legal documents of service #6 (core/data/legal_documents.csv) and the code lists they use."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from functools import cache

from ndxp_sim.core.catalogues import read_csv
from ndxp_sim.core.text import fold

STATUS_AS_OF = "2025-01-01"  # the validity column of core/data/legal_documents.csv is as of this day

TYPES = {"L": "Luật", "ND": "Nghị định", "TT": "Thông tư", "QD": "Quyết định", "NQ": "Nghị quyết"}
ISSUERS = {
    "QH": ("Quốc hội", "Trung ương"),
    "CP": ("Chính phủ", "Trung ương"),
    "BTC": ("Bộ Tài chính", "Trung ương"),
    "UBND-AG": ("Ủy ban nhân dân tỉnh An Giang", "Địa phương"),
    "HDND-AG": ("Hội đồng nhân dân tỉnh An Giang", "Địa phương"),
}
STATUSES = {
    "CON_HIEU_LUC": "Còn hiệu lực",
    "HET_HIEU_LUC": "Hết hiệu lực toàn bộ",
    "HET_HIEU_LUC_MOT_PHAN": "Hết hiệu lực một phần",
    "CHUA_CO_HIEU_LUC": "Chưa có hiệu lực",
}


@dataclass(frozen=True, slots=True)
class LegalDocument:
    so_ky_hieu: str
    ma_loai: str
    trich_yeu: str
    ma_co_quan: str
    ngay_ban_hanh: date
    ngay_hieu_luc: date | None
    ngay_het_hieu_luc: date | None
    tinh_trang: str
    linh_vuc: str
    thay_the_boi: tuple[str, ...]
    nguon: str  # "public": a real document; "synthetic": a made-up provincial one

    @property
    def key(self) -> str:
        """The symbol as a lookup key: "45/2020/nd-cp" finds "45/2020/NĐ-CP"."""
        return fold(self.so_ky_hieu)

    @property
    def searchable(self) -> str:
        return fold(f"{self.so_ky_hieu} {TYPES[self.ma_loai]} {self.trich_yeu} {self.linh_vuc}")


def _day(text: str) -> date | None:
    return date.fromisoformat(text) if text else None


@cache
def documents() -> tuple[LegalDocument, ...]:
    """The shipped documents (core/data/legal_documents.csv), checked against the code lists above."""
    found = []
    for row in read_csv("legal_documents.csv"):
        document = LegalDocument(
            so_ky_hieu=row["so_ky_hieu"],
            ma_loai=row["ma_loai"],
            trich_yeu=row["trich_yeu"],
            ma_co_quan=row["ma_co_quan"],
            ngay_ban_hanh=date.fromisoformat(row["ngay_ban_hanh"]),
            ngay_hieu_luc=_day(row["ngay_hieu_luc"]),
            ngay_het_hieu_luc=_day(row["ngay_het_hieu_luc"]),
            tinh_trang=row["tinh_trang"],
            linh_vuc=row["linh_vuc"],
            thay_the_boi=tuple(filter(None, row["thay_the_boi"].split(";"))),
            nguon=row["nguon"],
        )
        if document.ma_loai not in TYPES or document.ma_co_quan not in ISSUERS:
            raise ValueError(f"legal_documents.csv: {document.so_ky_hieu} has an unknown type or issuer")
        if document.tinh_trang not in STATUSES or document.nguon not in ("public", "synthetic"):
            raise ValueError(f"legal_documents.csv: {document.so_ky_hieu} has an unknown status or source")
        found.append(document)
    return tuple(found)


@cache
def by_key() -> Mapping[str, LegalDocument]:
    return {document.key: document for document in documents()}

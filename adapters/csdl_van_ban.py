"""#6 National Legal Documents DB: search by symbol, issuer, type, issue date, validity and words; detail."""

from __future__ import annotations

from datetime import date
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from ndxp_sim.adapters._base import Operation, RestAdapter
from ndxp_sim.adapters.fields import Answer, PageAnswer, PageRequest, ShortText, ordered
from ndxp_sim.core.fields import IsoDate

# Code lists of core/legal_documents.py; assumed codes (no public schema of this service was found).
DocumentType = Literal["L", "ND", "TT", "QD", "NQ"]
Issuer = Literal["QH", "CP", "BTC", "UBND-AG", "HDND-AG"]
Validity = Literal["CON_HIEU_LUC", "HET_HIEU_LUC", "HET_HIEU_LUC_MOT_PHAN", "CHUA_CO_HIEU_LUC"]
Symbol = Field(
    min_length=1, max_length=64, description="số ký hiệu, e.g. 45/2020/NĐ-CP; case and diacritics ignored"
)


class TimKiemVanBan(PageRequest):
    soKyHieu: str | None = Field(None, min_length=1, max_length=64, description="beginning of the số ký hiệu")
    maLoaiVanBan: DocumentType | None = None
    maCoQuanBanHanh: Issuer | None = None
    tinhTrangHieuLuc: Validity | None = None
    tuNgay: IsoDate | None = Field(None, description="issued on or after")
    denNgay: IsoDate | None = Field(None, description="issued on or before")
    tuKhoa: ShortText | None = Field(
        None, description="words of the symbol or title, with or without diacritics"
    )
    sort: Literal["NgayBanHanh", "-NgayBanHanh", "SoKyHieu", "-SoKyHieu"] | None = None
    pageSize: int = Field(20, ge=1, le=50)

    _range = ordered("tuNgay", "denNgay")


class ChiTietVanBan(BaseModel):
    model_config = ConfigDict(extra="forbid")
    soKyHieu: str = Symbol


# Answers -------------------------------------------------------------------------------------------------


class VanBanTomTat(Answer):
    SoKyHieu: str = Field(..., examples=["45/2020/NĐ-CP"])
    MaLoaiVanBan: DocumentType
    LoaiVanBan: str
    TrichYeu: str
    MaCoQuanBanHanh: Issuer
    CoQuanBanHanh: str
    NgayBanHanh: date
    NgayHieuLuc: date | None = Field(..., description="null when not recorded")
    MaTinhTrangHieuLuc: Validity
    TinhTrangHieuLuc: str
    NguonDuLieu: Literal["public", "synthetic"] = Field(
        ..., description="public: a real document; synthetic: a made-up provincial one"
    )


class TimKiemVanBanAnswer(PageAnswer):
    pageSize: int = Field(..., ge=1, le=50)
    items: list[VanBanTomTat]


class ChiTietVanBanAnswer(VanBanTomTat):
    CapBanHanh: Literal["Trung ương", "Địa phương"]
    LinhVuc: str
    NgayHetHieuLuc: date | None
    ThayTheBoi: list[str] = Field(..., description="documents that replace this one")
    ThayTheVanBan: list[str] = Field(..., description="documents this one replaces")
    NgayCapNhatTinhTrang: date = Field(..., description="the day the validity status is recorded as of")


class CsdlVanBanAdapter(RestAdapter):
    """REST backend; field names are assumed (no public schema), in the PascalCase style of LGSP answers."""

    key = "csdl_van_ban"
    operations = (
        Operation(
            "timKiemVanBan",
            request=TimKiemVanBan,
            backend_path="/van-ban",
            response=TimKiemVanBanAnswer,
            summary="Legal documents by symbol, type, issuer, validity, issue dates and words, newest first",
        ),
        Operation(
            "chiTietVanBan",
            request=ChiTietVanBan,
            backend_path="/van-ban/chi-tiet",
            response=ChiTietVanBanAnswer,
            summary="One legal document by its số ký hiệu",
        ),
    )

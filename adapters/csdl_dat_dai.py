"""#4 National Land Database: parcels by key or certificate, the parcels of a ward, the land-use catalogue."""

from __future__ import annotations

from datetime import date
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

from ndxp_sim.adapters._base import Operation, RestAdapter
from ndxp_sim.adapters.catalogue import CatalogueItem, catalogue_operations
from ndxp_sim.adapters.fields import AssumedAnswer

CommuneCode = Annotated[
    str,
    StringConstraints(pattern=r"^[0-9]{5}$"),
    Field(description="5-digit commune code (since 1 July 2025)"),
]


class ThongTinThuaDat(BaseModel):
    """The natural key of a parcel: commune, map sheet (tờ bản đồ), parcel number on the sheet."""

    model_config = ConfigDict(extra="forbid")
    maXa: CommuneCode
    soHieuBanDo: int = Field(..., ge=1, le=9999, description="map sheet number")
    soThuTuThua: int = Field(..., ge=1, le=99999, description="parcel number on the sheet")


class TheoGiayChungNhan(BaseModel):
    model_config = ConfigDict(extra="forbid")
    soPhatHanh: str = Field(
        ..., pattern=r"^[A-Z]{2} [0-9]{6}$", description="certificate serial: 2 letters, space, 6 digits"
    )


class DanhSachThuaDat(BaseModel):
    model_config = ConfigDict(extra="forbid")
    maXa: CommuneCode
    page: int = Field(1, ge=1, le=10_000)
    pageSize: int = Field(20, ge=1, le=100)


class ChuSuDung(AssumedAnswer):
    HoTen: str
    SoDinhDanh: str
    NgaySinh: date


class GiayChungNhan(AssumedAnswer):
    SoPhatHanh: str = Field(..., examples=["DA 123456"])
    SoVaoSo: str = Field(..., examples=["CS01234"], description="register entry of the certificate")
    NgayCap: date


class ThuaDatTomTat(AssumedAnswer):
    """SoThuTuThua, SoHieuBanDo, DienTich, DiaChiChiTiet as in the ILIS integrations; the rest assumed."""

    MaThua: str = Field(..., examples=["30307-12-345"], description="maXa-soHieuBanDo-soThuTuThua")
    SoHieuBanDo: int
    SoThuTuThua: int
    DienTich: float = Field(..., gt=0, description="m²")
    MucDichSuDung: str = Field(..., examples=["ODT"])
    DiaChiChiTiet: str


class ThuaDat(ThuaDatTomTat):
    """A parcel with its holders and certificate; names beyond the ILIS four are assumed."""

    MaXa: str
    TenXa: str
    MaTinh: str
    TenTinh: str
    TenMucDichSuDung: str
    ThoiHanSuDung: date | None = Field(..., description="null: long-term use (lâu dài)")
    NguonGocSuDung: str
    ChuSuDung: list[ChuSuDung]
    GiayChungNhan: GiayChungNhan


class DanhSachThuaDatAnswer(AssumedAnswer):
    total: int = Field(..., ge=0)
    page: int = Field(..., ge=1)
    pageSize: int = Field(..., ge=1, le=100)
    items: list[ThuaDatTomTat]


class MucDichSuDungItem(CatalogueItem):
    """`ma` is the land-use code of the cadastral records (ONT, ODT, LUC, ...)."""

    ten: str = Field(..., examples=["Đất ở tại đô thị"])
    nhom: str = Field(..., examples=["Nhóm đất phi nông nghiệp"])


class CsdlDatDaiAdapter(RestAdapter):
    """REST backend; ILIS field names for parcels (SoThuTuThua, SoHieuBanDo, DienTich), others assumed."""

    key = "csdl_dat_dai"
    operations = (
        Operation(
            "thongTinThuaDat",
            request=ThongTinThuaDat,
            backend_path="/thua-dat/{maXa}/{soHieuBanDo}/{soThuTuThua}",
            response=ThuaDat,
            summary="A parcel by commune, map sheet and parcel number: area, use, holders, certificate",
        ),
        Operation(
            "thuaDatTheoGiayChungNhan",
            request=TheoGiayChungNhan,
            backend_path="/giay-chung-nhan/{soPhatHanh}",
            response=ThuaDat,
            summary="The parcel of a land-use-right certificate",
        ),
        Operation(
            "danhSachThuaDat",
            request=DanhSachThuaDat,
            backend_path="/thua-dat",
            response=DanhSachThuaDatAnswer,
            summary="The parcels of a commune, by map sheet and parcel number, paged",
        ),
        *catalogue_operations(
            "danhMucMucDichSuDung", "/danh-muc/muc-dich-su-dung", MucDichSuDungItem, "Land-use purposes"
        ),
    )

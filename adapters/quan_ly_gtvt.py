"""#15 Transport management system: road-transport dossiers by status, procedure, dates and applicant."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field

from ndxp_sim.adapters._base import Operation, RestAdapter
from ndxp_sim.adapters.fields import Answer, DossierCode, PageAnswer, PageRequest, PersonalId, ordered
from ndxp_sim.core.fields import IsoDate
from ndxp_sim.core.identifiers import cccd_is_valid

Status = Literal["2", "4", "5", "3", "9", "10"]  # DVCQG status codes: core/transport.py
ProcedureCode = Literal[
    "GT01", "GT02", "GT03", "GT04", "GT05", "GT06", "GT07"
]  # core/data/transport_procedures.csv


def _issued_shape(number: str) -> str:
    if not cccd_is_valid(number):
        raise ValueError("not a số định danh cá nhân: unknown province prefix")
    return number


Applicant = Annotated[PersonalId, AfterValidator(_issued_shape)]


class TimKiemHoSo(PageRequest):
    trangThai: Status | None = Field(
        None,
        description="2 new, 4 processing, 5 waiting for documents, 3 refused, 9 result ready, 10 returned",
    )
    maTTHC: ProcedureCode | None = None
    tuNgay: IsoDate | None = Field(None, description="received on or after")
    denNgay: IsoDate | None = Field(None, description="received on or before")
    soDinhDanh: Applicant | None = Field(None, description="the applicant's số định danh")
    sort: Literal["NgayTiepNhan", "-NgayTiepNhan", "MaHoSo", "-MaHoSo"] | None = None

    _range = ordered("tuNgay", "denNgay")


class ChiTietHoSo(BaseModel):
    model_config = ConfigDict(extra="forbid")
    maHoSo: DossierCode


# Answers -------------------------------------------------------------------------------------------------


class XeCuaHoSo(Answer):
    BienSo: str
    LoaiXe: str
    NhanHieu: str
    SoLoai: str
    NamSanXuat: int


class GplxCuaHoSo(Answer):
    SoGPLX: str
    HangGPLX: str
    NgayCap: date
    NgayHetHan: date | None


class HoSoTomTat(Answer):
    MaHoSo: str = Field(..., examples=["000.00.27.H91-241104-9001"])
    MaTTHC: ProcedureCode
    TenTTHC: str
    ChuHoSo: str = Field(
        ..., description="the applicant's full name (personal data: masked in the exchange log)"
    )
    SoDinhDanhChuHoSo: str
    NgayTiepNhan: date
    NgayHenTra: date
    NgayKetThucXuLy: date | None
    TrangThaiHoSo: Status
    TenTrangThaiHoSo: str
    DonViXuLy: str
    KenhNop: Literal["Trực tuyến", "Trực tiếp", "Dịch vụ bưu chính"]
    LePhi: int = Field(..., ge=0, description="VND")
    PhuongTien: XeCuaHoSo | None = Field(..., description="the vehicle, when the procedure concerns one")
    GiayPhepLaiXe: GplxCuaHoSo | None = Field(..., description="the licence, when the procedure concerns one")


class BuocXuLy(Answer):
    ThoiDiemXuLy: date
    TrangThaiHoSo: Status
    NoiDungXuLy: str


class ChiTietHoSoAnswer(HoSoTomTat):
    QuaTrinhXuLy: list[BuocXuLy]


class TimKiemHoSoAnswer(PageAnswer):
    items: list[HoSoTomTat]


class QuanLyGtvtAdapter(RestAdapter):
    """REST backend; field names follow DVCQG dossier sync (HoSo) where they exist, others assumed."""

    key = "quan_ly_gtvt"
    operations = (
        Operation(
            "timKiemHoSo",
            request=TimKiemHoSo,
            backend_path="/ho-so",
            response=TimKiemHoSoAnswer,
            summary="Road-transport dossiers by status, procedure, dates and applicant, newest first",
        ),
        Operation(
            "chiTietHoSo",
            request=ChiTietHoSo,
            backend_path="/ho-so/{maHoSo}",
            dossier_field="maHoSo",
            response=ChiTietHoSoAnswer,
            summary="One dossier with its processing steps",
        ),
    )

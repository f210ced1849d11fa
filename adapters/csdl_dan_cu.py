"""#2 National Population Database: SOAP backend (namespace http://dancuquocgia.bca), JSON at the gateway."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, model_validator

from ndxp_sim.adapters._base import Operation, SoapAdapter
from ndxp_sim.adapters.fields import Answer, LegacyIdCard, PersonalId, ShortText


class FullName(BaseModel):
    model_config = ConfigDict(extra="forbid")
    Ho: ShortText
    ChuDem: str = ""
    Ten: ShortText


class BirthDate(BaseModel):
    """Year of birth, or the full date as yyyyMMdd (the SOAP service's two forms)."""

    model_config = ConfigDict(extra="forbid")
    Nam: Annotated[str, StringConstraints(pattern=r"^[0-9]{4}$")] | None = None
    NgayThangNam: Annotated[str, StringConstraints(pattern=r"^[0-9]{8}$")] | None = None

    @model_validator(mode="after")
    def _has_one(self) -> BirthDate:
        if not (self.Nam or self.NgayThangNam):
            raise ValueError("Nam or NgayThangNam is required")
        return self


class _CongDanRequest(BaseModel):
    """The fields every population-DB request carries (MaYeuCau … MaCanBo identify the caller)."""

    model_config = ConfigDict(extra="forbid")
    MaYeuCau: ShortText
    MaDVC: str | None = None
    MaTichHop: str | None = None
    MaCanBo: ShortText
    SoDinhDanh: PersonalId | None = None
    SoCMND: LegacyIdCard | None = None
    HoVaTen: FullName | None = None
    NgayThangNamSinh: BirthDate | None = None


class TraCuuThongTinCongDan(_CongDanRequest):
    @model_validator(mode="after")
    def _has_key(self) -> TraCuuThongTinCongDan:
        if not (self.SoDinhDanh or self.SoCMND):
            raise ValueError("SoDinhDanh or SoCMND is required")
        return self


class XacThucThongTinCongDan(_CongDanRequest):
    SoDinhDanh: PersonalId
    HoVaTen: FullName
    NgayThangNamSinh: BirthDate
    GioiTinh: Annotated[str, StringConstraints(pattern=r"^(Nam|Nữ)$")] | None = None


class XacMinhTinhTrangHonNhan(_CongDanRequest):
    SoDinhDanh: PersonalId


class DangKyThuongTru(_CongDanRequest):
    """Register a permanent residence in a household (a step of the chained procedures, NĐ 63/2024)."""

    SoDinhDanh: PersonalId
    SoSoHoKhau: ShortText
    QuanHeChuHo: ShortText
    MaHoSo: ShortText


class XoaDangKyThuongTru(_CongDanRequest):
    """Remove a permanent residence (Luật Cư trú art. 24); LyDo "Chết" needs the death in the register."""

    SoDinhDanh: PersonalId
    LyDo: ShortText
    MaHoSo: ShortText


# Answers: SOAP carries no nulls, so a field without a value is left out (hence the many `= None`).

Sex = Literal["Nam", "Nữ"]
MaritalStatus = Literal["Chưa kết hôn", "Đã kết hôn", "Ly hôn", "Góa"]
LifeStatus = Literal["Còn sống", "Đã chết"]
MismatchedField = Literal["HoVaTen", "NgayThangNamSinh", "GioiTinh"]


class HoVaTenCongDan(Answer):
    Ho: str
    ChuDem: str | None = None
    Ten: str


class NgaySinhCongDan(Answer):
    Nam: str = Field(..., pattern=r"^[0-9]{4}$")
    NgayThangNam: str = Field(..., pattern=r"^[0-9]{8}$", description="yyyyMMdd")


class DiaChiCongDan(Answer):
    MaTinhThanh: str = Field(..., pattern=r"^[0-9]{2}$")
    TenTinhThanh: str
    MaPhuongXa: str = Field(..., pattern=r"^[0-9]{5}$")
    TenPhuongXa: str
    ChiTiet: str | None = None
    QuocGia: str


class NguoiLienQuan(Answer):
    """A parent or spouse: name and nationality when the person is in the population."""

    HoVaTen: str | None = None
    SoDinhDanh: str
    QuocTich: str | None = None


class ThongTinChuHo(Answer):
    QuanHe: str = Field(..., examples=["Chủ hộ", "Vợ", "Con"])
    SoDinhDanh: str
    HoVaTen: str | None = None


class ThongTinCongDan(Answer):
    SoDinhDanh: str = Field(..., pattern=r"^[0-9]{12}$")
    SoCMND: str | None = None
    HoVaTen: HoVaTenCongDan
    GioiTinh: Sex
    DanToc: str = Field(..., pattern=r"^[0-9]{2}$")
    TonGiao: str
    TinhTrangHonNhan: MaritalStatus
    NhomMau: str | None = None
    NgayThangNamSinh: NgaySinhCongDan
    NoiDangKyKhaiSinh: DiaChiCongDan
    QueQuan: DiaChiCongDan
    ThuongTru: DiaChiCongDan
    NoiOHienTai: DiaChiCongDan
    QuocTich: str
    Cha: NguoiLienQuan | None = None
    Me: NguoiLienQuan | None = None
    VoChong: NguoiLienQuan | None = None
    ChuHo: ThongTinChuHo
    SoSoHoKhau: str
    TrangThai: LifeStatus
    NgayMat: str | None = Field(None, pattern=r"^[0-9]{8}$", description="yyyyMMdd")


class DanhSachCongDan(Answer):
    CongDan: list[ThongTinCongDan] = Field(..., description="always a list, even for one citizen")


class TraCuuThongTinCongDanAnswer(Answer):
    MaYeuCau: str | None = None
    CongdanCollection: DanhSachCongDan


class XacThucThongTinCongDanAnswer(Answer):
    MaYeuCau: str | None = None
    SoDinhDanh: str
    KetQua: Literal["true", "false"]
    TruongKhongKhop: list[MismatchedField] = Field(..., description="the given fields that disagree")
    TrangThai: LifeStatus


class XacMinhTinhTrangHonNhanAnswer(Answer):
    MaYeuCau: str | None = None
    SoDinhDanh: str
    HoVaTen: str
    TinhTrangHonNhan: MaritalStatus
    VoChong: NguoiLienQuan | None = Field(None, description="only when married")


class DangKyThuongTruAnswer(Answer):
    MaYeuCau: str | None = None
    SoDinhDanh: str
    SoSoHoKhau: str
    QuanHeChuHo: str
    ThuongTru: DiaChiCongDan
    NgayDangKy: str = Field(..., pattern=r"^[0-9]{8}$", description="yyyyMMdd")


class XoaDangKyThuongTruAnswer(Answer):
    MaYeuCau: str | None = None
    SoDinhDanh: str
    SoSoHoKhau: str
    LyDo: str
    NgayXoa: str = Field(..., pattern=r"^[0-9]{8}$", description="yyyyMMdd")
    ChuHo: NguoiLienQuan = Field(..., description="the household's head after the removal")


def _as_list(value: Any) -> list[Any]:
    """A repeated element parses to a value when it occurs once and is absent when it never does."""
    return [] if value is None else value if isinstance(value, list) else [value]


class CsdlDanCuAdapter(SoapAdapter):
    """The provincial LGSP wraps the SOAP service in JSON; this adapter is that wrapper."""

    key = "csdl_dan_cu"
    namespace = "http://dancuquocgia.bca"
    not_found_codes = frozenset({"CD-404"})
    operations = (
        Operation(
            "TraCuuThongTinCongDan",
            method="POST",
            request=TraCuuThongTinCongDan,
            idempotent=True,
            response=TraCuuThongTinCongDanAnswer,
            summary="Look up a citizen by số định danh (or CMND)",
        ),
        Operation(
            "XacThucThongTinCongDan",
            method="POST",
            request=XacThucThongTinCongDan,
            idempotent=True,
            response=XacThucThongTinCongDanAnswer,
            summary="Check a name and date of birth against the record of a số định danh",
        ),
        Operation(
            "XacMinhTinhTrangHonNhan",
            method="POST",
            request=XacMinhTinhTrangHonNhan,
            idempotent=True,
            response=XacMinhTinhTrangHonNhanAnswer,
            summary="Marital status of a citizen, and the spouse if married",
        ),
        Operation(
            "DangKyThuongTru",
            method="POST",
            request=DangKyThuongTru,
            idempotent=True,  # the backend answers the same registration again
            dossier_field="MaHoSo",
            response=DangKyThuongTruAnswer,
            summary="Register a citizen's permanent residence in a household (chained procedures)",
        ),
        Operation(
            "XoaDangKyThuongTru",
            method="POST",
            request=XoaDangKyThuongTru,
            idempotent=True,  # removing twice changes nothing
            dossier_field="MaHoSo",
            response=XoaDangKyThuongTruAnswer,
            summary="Remove a citizen's permanent residence, e.g. after a registered death (death chain)",
        ),
    )

    def shape_response(self, operation: Operation, payload: dict[str, Any]) -> dict[str, Any]:
        # Repeated elements: clients always get a list, whether the backend sent none, one or several.
        collection = payload.get("CongdanCollection")
        if isinstance(collection, dict):
            collection["CongDan"] = _as_list(collection.get("CongDan"))
        if operation.name == "XacThucThongTinCongDan":
            payload["TruongKhongKhop"] = _as_list(payload.get("TruongKhongKhop"))
        return payload

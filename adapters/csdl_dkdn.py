"""#1 National Business Registration Database: enterprise details, lists by province, dossier status."""

from __future__ import annotations

from datetime import date
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from ndxp_sim.adapters._base import Operation, RestAdapter
from ndxp_sim.adapters.fields import Answer, DossierCode, EnterpriseCode, ProvinceCode


class ChiTietDoanhNghiep(BaseModel):
    model_config = ConfigDict(extra="forbid")
    msdn: EnterpriseCode


class DanhSachDoanhNghiep(BaseModel):
    model_config = ConfigDict(extra="forbid")
    maTinh: ProvinceCode
    page: int = Field(1, ge=1)
    pageSize: int = Field(20, ge=1, le=100)


class TrangThaiHoSo(BaseModel):
    model_config = ConfigDict(extra="forbid")
    maHoSo: DossierCode


# Answers -------------------------------------------------------------------------------------------------


class TinhTrangPhapLy(Answer):
    TinhTrangPhapLy: str = Field(..., examples=["Đang hoạt động"])
    MaTinhTrangPhapLy: str = Field(
        ..., pattern=r"^[0-9]{2}$", description="00 active, 01 suspended, 02 dissolved"
    )
    NgayBatDauTamNgung: date | None
    NgayKetThucTamNgung: date | None
    LyDoTamNgung: str | None


class ThongTinCaNhan(Answer):
    HoVaTen: str | None = Field(..., description="upper case, as on the certificate")
    LoaiGiayToChungThuc: str
    MaLoaiGiayToChungThuc: str
    SoGiayChungThuc: str
    NgayCap: date
    NoiCap: str
    QuocTich: str
    MaQuocTich: str


class DaiDienPhapLuat(Answer):
    ThongTinCaNhan: list[ThongTinCaNhan]


class DiaChiDoanhNghiep(Answer):
    QuocGia: str
    MaQuocGia: str
    TenTinhThanh: str
    MaTinhThanh: int = Field(..., description="province code as an integer: LGSP drops the leading zero")
    TenPhuongXa: str
    MaPhuongXa: int = Field(..., description="commune code as an integer: LGSP drops the leading zero")
    DiaChi: str
    SoNha: str


class DiaChiTruSo(Answer):
    DiaChi: list[DiaChiDoanhNghiep]


class NganhNghe(Answer):
    MaNganh: str = Field(..., description="VSIC 2018 code")
    TenNganh: str
    LaNganhChinh: Literal[0, 1]


class GiayChungNhan(Answer):
    """One GetEntCert entry: the enterprise registration certificate."""

    MaNoiBo: str
    MaSoDoanhNghiep: str
    SoGCNDKKD: str
    MaLoaiHinhDN: str
    LoaiHinhDN: str
    TenTiengViet: str
    TenNuocNgoai: str | None
    TenVietTat: str | None
    NgayDangKyLanDau: date
    NgayDangKyThayDoi: date | None
    SoLanDangKyThayDoi: int
    VonDieuLe: int = Field(..., description="charter capital, VND")
    TinhTrangPhapLy: list[TinhTrangPhapLy]
    DaiDienPhapLuat: list[DaiDienPhapLuat]
    DiaChiTruSo: list[DiaChiTruSo]
    NganhNgheKinhDoanh: list[NganhNghe]


class ChiTietDoanhNghiepAnswer(Answer):
    GetEntCert: list[GiayChungNhan]


class DoanhNghiepTomTat(Answer):
    MaSoDoanhNghiep: str
    TenTiengViet: str
    LoaiHinhDN: str
    MaTinhTrangPhapLy: str
    TinhTrangPhapLy: str
    MaTinhThanh: int
    NgayDangKyLanDau: date


class DanhSachDoanhNghiepAnswer(Answer):
    total: int = Field(..., ge=0)
    page: int = Field(..., ge=1)
    pageSize: int = Field(..., ge=1, le=100)
    items: list[DoanhNghiepTomTat]


class TrangThaiHoSoAnswer(Answer):
    MaHoSo: str
    MaSoDoanhNghiep: str
    TenTiengViet: str
    LoaiHoSo: Literal["Đăng ký thành lập doanh nghiệp", "Đăng ký thay đổi nội dung đăng ký doanh nghiệp"]
    TrangThai: Literal["DA_CAP_GCN", "DANG_XU_LY", "TU_CHOI"]
    TenTrangThai: str
    NgayNopHoSo: date
    NgayHenTra: date
    NgayXuLy: date | None
    GhiChu: str


class CsdlDkdnAdapter(RestAdapter):
    """REST backend (NGSP style `apiCSDLDKDN/1.0/chiTietDoanhNghiep?msdn=`)."""

    key = "csdl_dkdn"
    operations = (
        Operation(
            "chiTietDoanhNghiep",
            request=ChiTietDoanhNghiep,
            backend_path="/doanh-nghiep/{msdn}",
            response=ChiTietDoanhNghiepAnswer,
            summary="Details of an enterprise's registration certificate by mã số doanh nghiệp",
        ),
        Operation(
            "danhSachDoanhNghiep",
            request=DanhSachDoanhNghiep,
            backend_path="/doanh-nghiep",
            response=DanhSachDoanhNghiepAnswer,
            summary="Enterprises registered in a province, paged",
        ),
        Operation(
            "trangThaiHoSo",
            request=TrangThaiHoSo,
            backend_path="/ho-so/{maHoSo}",
            response=TrangThaiHoSoAnswer,
            summary="Processing status of a business-registration dossier",
        ),
    )

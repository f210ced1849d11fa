"""#8 Vehicle Inspection DB (đăng kiểm): a vehicle's technical data and inspection certificate by plate."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field

from ndxp_sim.adapters._base import Operation, RestAdapter
from ndxp_sim.adapters.fields import Answer, Plate

DDMMYYYY = r"^[0-9]{2}/[0-9]{2}/[0-9]{4}$"


class TraCuuDangKiem(BaseModel):
    model_config = ConfigDict(extra="forbid")
    BienSo: Plate


class GiayChungNhanKiemDinh(Answer):
    """The current periodic-inspection certificate and stamp (no public schema: names are x-assumed)."""

    SoGiayChungNhan: str
    SoTemKiemDinh: str
    NgayKiemDinh: str = Field(..., pattern=DDMMYYYY)
    HanKiemDinh: str = Field(..., pattern=DDMMYYYY, description="last day the certificate is valid")
    MaDonViDangKiem: str = Field(..., pattern=r"^[0-9]{2}-[0-9]{2}V$", examples=["67-01V"])
    ConHieuLuc: bool = Field(..., description="valid today; false means overdue for inspection")


class PhuongTienAnswer(Answer):
    BienSo: str
    LoaiPhuongTien: str = Field(..., examples=["Ô tô con", "Ô tô tải"])
    NhanHieu: str
    SoLoai: str
    MauSon: str
    NamSanXuat: int
    SoKhung: str = Field(..., description="17-character VIN")
    SoMay: str
    DungTich: int = Field(..., ge=0, description="cm³; 0 for electric")
    SoChoNgoi: int = Field(..., ge=1)
    TaiTrong: int = Field(..., ge=0, description="payload, kg (trucks; 0 otherwise)")
    GiayChungNhan: GiayChungNhanKiemDinh


class CsdlDangKiemAdapter(RestAdapter):
    """REST backend of the vehicle-inspection database behind `apiDangKiem/1.0/...`."""

    key = "csdl_dang_kiem"
    operations = (
        Operation(
            "traCuuDangKiem",
            request=TraCuuDangKiem,
            backend_path="/phuong-tien/{BienSo}",
            response=PhuongTienAnswer,
            summary="A car's or truck's technical data and inspection certificate by plate",
        ),
    )

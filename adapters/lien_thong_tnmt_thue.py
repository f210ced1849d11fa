"""#14 Land–tax gateway: transfer slips from the land office, tax notices and status back from tax offices."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from ndxp_sim.adapters._base import RestAdapter
from ndxp_sim.adapters.dossier_models import (
    Btp,
    CancellableStatus,
    HoSo,
    TraCuuHoSo,
    TrangThaiHoSo,
    status_lookup,
    submission,
    supplement,
)
from ndxp_sim.adapters.fields import (
    Answer,
    CitizenId,
    CommuneCode,
    DossierCode,
    EnterpriseCode,
    IsoDate,
    ProvinceCode,
    ShortText,
)
from ndxp_sim.core import catalogues
from ndxp_sim.core.places import commune_of


class ThuaDat(BaseModel):
    """The parcel as the cadastre records it (service #4's thửa đất)."""

    model_config = ConfigDict(extra="forbid")
    maTinh: ProvinceCode
    maXa: CommuneCode
    soTo: int = Field(..., ge=1, le=9999, description="map sheet")
    soThua: int = Field(..., ge=1, le=99999, description="parcel number on the sheet")
    dienTich: float = Field(..., gt=0, le=10_000_000, description="m²")
    mucDichSuDung: str = Field(..., pattern=r"^[A-Z]{3}$", examples=["ODT"])
    soPhatHanhGCN: str = Field(..., pattern=r"^[A-Z]{2} [0-9]{6}$", description="certificate serial")

    _commune = commune_of("maTinh", "maXa")

    @field_validator("mucDichSuDung")
    @classmethod
    def _land_use(cls, value: str) -> str:
        if value not in catalogues.land_use_types():
            raise ValueError(f"{value} is not a land-use code of the catalogue (danhMucMucDichSuDung)")
        return value


class NguoiChuyen(BaseModel):
    model_config = ConfigDict(extra="forbid")
    hoTen: ShortText
    soDinhDanh: CitizenId


class BenNhan(BaseModel):
    """The receiver: a person (soDinhDanh, also their tax code since 2025-07) or an enterprise (maSoThue)."""

    model_config = ConfigDict(extra="forbid")
    hoTen: ShortText
    soDinhDanh: CitizenId | None = None
    maSoThue: EnterpriseCode | None = None

    @model_validator(mode="after")
    def _one_identity(self) -> BenNhan:
        if (self.soDinhDanh is None) == (self.maSoThue is None):
            raise ValueError("give soDinhDanh (a person) or maSoThue (an organisation), not both")
        return self


class GiaoDich(BaseModel):
    model_config = ConfigDict(extra="forbid")
    loai: Literal["chuyen-nhuong", "tang-cho", "thua-ke"]
    soHopDong: ShortText
    ngayHopDong: IsoDate
    giaChuyenNhuong: int | None = Field(
        None, gt=0, le=10**13, description="VND; a sale without it is asked for it"
    )


class GuiPhieuChuyen(BaseModel):
    """Phiếu chuyển thông tin địa chính để xác định nghĩa vụ tài chính về đất đai."""

    model_config = ConfigDict(extra="forbid")
    maHoSo: DossierCode
    coQuanGui: ShortText
    ngayLapPhieu: IsoDate
    callbackUrl: str | None = Field(None, max_length=500)
    thuaDat: ThuaDat
    benChuyen: list[NguoiChuyen] = Field(..., min_length=1, max_length=10, description="every holder")
    benNhan: BenNhan
    giaoDich: GiaoDich


class BoSungHoSo(TraCuuHoSo):
    giaChuyenNhuong: int = Field(..., gt=0, le=10**13)
    ghiChu: str | None = Field(None, max_length=500)


class KhoanNop(Answer):
    tieuMuc: str = Field(..., description="budget sub-item: 1006 personal income tax, 2801 registration fee")
    noiDung: str
    nguoiNop: str
    maSoThue: str
    soTien: int = Field(..., ge=0)


class ThongBaoNopTien(Answer):
    """The tax notice (thông báo nộp tiền), the dossier's result once done."""

    soThongBao: str
    ngayThongBao: str
    coQuanThue: str
    donGiaBangGia: int
    giaTriTheoBangGia: int
    giaTinhThue: int
    khoanNop: list[KhoanNop]
    tongSoTien: int
    hanNop: str
    mienGiam: str | None = None


class LienThongTnmtThueAdapter(RestAdapter):
    key = "lien_thong_tnmt_thue"
    operations = (
        submission(
            "guiPhieuChuyen",
            GuiPhieuChuyen,
            "/phieu-chuyen",
            "Send the land office's transfer slip to the tax office; status and the tax notice come "
            "back to callbackUrl",
        ),
        status_lookup(
            Btp[HoSo[CancellableStatus, ThongBaoNopTien]],
            "The slip's hops (gateway → tax office → back; nguoiXuLy: Cổng liên thông TNMT - Thuế "
            "or Cơ quan thuế) and the tax notice once issued",
        ),
        supplement(
            BoSungHoSo,
            Btp[TrangThaiHoSo[CancellableStatus]],
            "Supply the contract price the tax office asked for",
        ),
    )

"""#16 Off-plan housing notices (MOC): developer's notice, the province's decision pushed."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from ndxp_sim.adapters._base import Operation, RestAdapter
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
from ndxp_sim.core.places import commune_of


class VanBan(BaseModel):
    model_config = ConfigDict(extra="forbid")
    so: ShortText
    ngay: IsoDate


class NguoiDaiDien(BaseModel):
    model_config = ConfigDict(extra="forbid")
    hoTen: ShortText
    soDinhDanh: CitizenId


class ChuDauTu(BaseModel):
    model_config = ConfigDict(extra="forbid")
    maSoDoanhNghiep: EnterpriseCode
    tenDoanhNghiep: ShortText
    nguoiDaiDien: NguoiDaiDien


class DuAn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    maDuAn: str = Field(..., pattern=r"^[A-Za-z0-9.\-]{3,32}$")
    tenDuAn: ShortText
    maTinh: ProvinceCode
    maXa: CommuneCode
    diaChi: ShortText
    quyetDinhChapThuanChuTruong: VanBan
    giayPhepXayDung: VanBan
    bienBanNghiemThuMong: VanBan | None = Field(None, description="foundation finished; missing → supplement")

    _commune = commune_of("maTinh", "maXa")


class NhaO(BaseModel):
    model_config = ConfigDict(extra="forbid")
    loai: Literal["can-ho-chung-cu", "nha-o-rieng-le"]
    soLuong: int = Field(..., ge=1, le=10_000)
    tongDienTichSan: float = Field(..., gt=0, le=5_000_000, description="m²")
    hinhThuc: list[Literal["ban", "cho-thue-mua"]] = Field(..., min_length=1, max_length=2)


class BaoLanh(BaseModel):
    model_config = ConfigDict(extra="forbid")
    maNganHang: str = Field(..., pattern=r"^[0-9]{6}$", description="NAPAS BIN of the guaranteeing bank")
    soHopDong: ShortText


class GuiThongBao(BaseModel):
    """The developer's notice that a project's future housing may be sold or lease-purchased."""

    model_config = ConfigDict(extra="forbid")
    maHoSo: DossierCode
    ngayTiepNhan: IsoDate | None = None
    callbackUrl: str | None = Field(None, max_length=500)
    chuDauTu: ChuDauTu
    duAn: DuAn
    nhaO: NhaO
    baoLanh: BaoLanh


class BoSungHoSo(TraCuuHoSo):
    bienBanNghiemThuMong: VanBan
    ghiChu: str | None = Field(None, max_length=500)


class KetQuaTinh(BaseModel):
    """The province's written answer (văn bản thông báo), pushed to the ministry's system."""

    model_config = ConfigDict(extra="forbid")
    maHoSo: DossierCode
    ketLuan: Literal["du-dieu-kien", "khong-du-dieu-kien"]
    soVanBan: ShortText
    ngayBanHanh: IsoDate
    nguoiKy: ShortText
    lyDo: str | None = Field(None, max_length=1000, description="required when khong-du-dieu-kien")

    @model_validator(mode="after")
    def _reason_when_refused(self) -> KetQuaTinh:
        if self.ketLuan != "du-dieu-kien" and not (self.lyDo or "").strip():
            raise ValueError("lyDo is required when ketLuan is khong-du-dieu-kien")
        return self


class CongKhai(Answer):
    """The ministry's publication of the province's notice."""

    ketLuan: Literal["du-dieu-kien"]
    soVanBan: str
    ngayBanHanh: str
    coQuanBanHanh: str
    nguoiKy: str
    maDuAn: str
    soLuongNhaO: int
    hinhThuc: list[str]
    maCongKhai: str
    ngayCongKhai: str


class NhaOTuongLaiAdapter(RestAdapter):
    key = "nha_o_tuong_lai"
    operations = (
        submission(
            "guiThongBao",
            GuiThongBao,
            "/thong-bao",
            "Send a developer's off-plan housing notice; the ministry's system pushes each status to "
            "callbackUrl",
        ),
        status_lookup(
            Btp[HoSo[CancellableStatus, CongKhai]], "Status, history and the published result of a notice"
        ),
        supplement(
            BoSungHoSo,
            Btp[TrangThaiHoSo[CancellableStatus]],
            "Supply the foundation acceptance record a notice is waiting for",
        ),
        Operation(
            "dongBoKetQuaTinh",
            method="POST",
            request=KetQuaTinh,
            backend_method="POST",
            backend_path="/ho-so/{maHoSo}/ket-qua-tinh",
            dossier_field="maHoSo",
            idempotent=False,
            response=Btp[TrangThaiHoSo[CancellableStatus]],
            summary="The province (Sở Xây dựng) pushes its decision on a notice awaiting it",
        ),
    )

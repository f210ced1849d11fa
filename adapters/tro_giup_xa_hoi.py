"""#17 Social assistance: monthly allowance dossiers (Nghị định 20/2021/NĐ-CP), status sync and decisions."""

from __future__ import annotations

from datetime import date
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from ndxp_sim.adapters._base import RestAdapter
from ndxp_sim.adapters.dossier_models import (
    Btp,
    BtpDossier,
    DossierStatus,
    HoSo,
    TraCuuHoSo,
    TrangThaiHoSo,
    status_lookup,
    submission,
    supplement,
)
from ndxp_sim.adapters.fields import (
    AssumedAnswer,
    CommuneCode,
    PersonalId,
    ShortText,
)

Category = Literal["NCT_HO_NGHEO", "NCT_TU_80", "NKT_DAC_BIET_NANG", "NKT_NANG"]


class DoiTuong(BaseModel):
    """The person the allowance is for (tờ khai Mẫu số 1a–1d), checked against the population."""

    model_config = ConfigDict(extra="allow")  # the real forms carry more than the mock reads
    hoTen: ShortText
    soDinhDanh: PersonalId
    ngaySinh: date
    gioiTinh: Literal["Nam", "Nữ"]
    danToc: str = Field(..., pattern=r"^[0-9]{2}$", description="one of the 54 groups, 01 Kinh")
    loaiDoiTuong: Category = Field(
        ...,
        description="NCT_HO_NGHEO elderly of a poor household, NCT_TU_80 aged 80+ without a pension, "
        "NKT_DAC_BIET_NANG / NKT_NANG people with a (very) severe disability",
    )
    maHoNgheo: str | None = Field(None, max_length=30, description="NCT_HO_NGHEO: missing → supplement")
    soGiayXacNhanKhuyetTat: str | None = Field(None, max_length=30, description="NKT_*: missing → supplement")


class NguoiKhai(BaseModel):
    model_config = ConfigDict(extra="forbid")
    hoTen: ShortText
    soDinhDanh: PersonalId
    quanHe: ShortText


class DangKyTroCap(BtpDossier):
    maXa: CommuneCode = Field(..., description="the commune where the person lives, which decides")
    doiTuong: DoiTuong
    nguoiKhai: NguoiKhai | None = None


class BoSungHoSo(TraCuuHoSo):
    maHoNgheo: str | None = Field(None, min_length=1, max_length=30)
    soGiayXacNhanKhuyetTat: str | None = Field(None, min_length=1, max_length=30)
    ghiChu: str | None = Field(None, max_length=500)


class QuyetDinhTroCap(AssumedAnswer):
    """The decision: soTienHangThang = mucChuan × heSo (Nghị định 20/2021/NĐ-CP Điều 4 and 6)."""

    soQuyetDinh: str
    ngayQuyetDinh: date
    coQuanQuyetDinh: str
    loaiDoiTuong: Category
    tenLoaiDoiTuong: str
    mucChuan: int = Field(
        ..., description="mức chuẩn trợ giúp xã hội, VND a month (500,000 since 1 July 2024)"
    )
    heSo: float
    soTienHangThang: int = Field(..., description="VND a month")
    thoiDiemHuong: date = Field(..., description="first day of the month the decision was signed")
    canCu: str


class TroGiupXaHoiAdapter(RestAdapter):
    key = "tro_giup_xa_hoi"
    operations = (
        submission(
            "dangKyTroCapHangThang",
            DangKyTroCap,
            "/tro-cap-hang-thang",
            "Submit a monthly social-allowance dossier; status callbacks go to callbackUrl",
        ),
        status_lookup(
            Btp[HoSo[DossierStatus, QuyetDinhTroCap]],
            "Status, history and, once done, the decision with the monthly amount",
        ),
        supplement(
            BoSungHoSo,
            Btp[TrangThaiHoSo[DossierStatus]],
            "Supply the certificate (poor household, disability) a dossier is waiting for",
        ),
    )

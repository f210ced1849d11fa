"""#12 Budget-unit code system (mã số ĐVQHNS): code requests as dossiers, their status and the issued code."""

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
    ProvinceCode,
    ShortText,
)


class DiaChi(BaseModel):
    model_config = ConfigDict(extra="forbid")
    maTinh: ProvinceCode
    maXa: CommuneCode = Field(..., description="a commune of the 2025 map")
    chiTiet: str = Field("", max_length=200)


class DonVi(BaseModel):
    """The unit asking for a code (tờ khai đăng ký mã số ĐVQHNS, Thông tư 185/2015/TT-BTC)."""

    model_config = ConfigDict(extra="allow")
    tenDonVi: str = Field(..., min_length=5, max_length=200)
    loaiDonVi: Literal["1", "3", "7"] = Field(
        ...,
        description="the code's first digit: 1 đơn vị dự toán/sử dụng ngân sách, 3 đơn vị khác, 7 dự án",
    )
    capNganSach: Literal["1", "2", "4"] = Field(
        ..., description="1 trung ương, 2 tỉnh, 4 xã (no district budget since 1 July 2025)"
    )
    maChuong: str = Field(..., pattern=r"^[0-9]{3}$", description="budget chapter (chương)")
    maDonViCapTren: str | None = Field(None, pattern=r"^[0-9]{7}$", description="the superior unit's code")
    diaChi: DiaChi
    soQuyetDinhThanhLap: str | None = Field(
        None, min_length=1, max_length=50, description="founding decision; missing → supplement_requested"
    )
    ngayQuyetDinhThanhLap: date | None = None
    coQuanQuyetDinh: str | None = Field(None, max_length=200)


class NguoiDeNghi(BaseModel):
    """Who signs the request: the unit's head or chief accountant, checked against the population."""

    model_config = ConfigDict(extra="forbid")
    hoTen: ShortText
    soDinhDanh: PersonalId
    ngaySinh: date
    chucVu: ShortText


class DangKyMaSoDVQHNS(BtpDossier):
    donVi: DonVi
    nguoiDeNghi: NguoiDeNghi


class BoSungHoSo(TraCuuHoSo):
    soQuyetDinhThanhLap: str = Field(..., min_length=1, max_length=50)
    ngayQuyetDinhThanhLap: date | None = None
    coQuanQuyetDinh: str | None = Field(None, max_length=200)
    ghiChu: str | None = Field(None, max_length=500)


class KetQuaMaDVQHNS(AssumedAnswer):
    """The issued code and its certificate."""

    maSoDVQHNS: str = Field(..., pattern=r"^[0-9]{7}$", description="7 digits, the first the unit type")
    ngayCap: date
    tenDonVi: str
    loaiDonVi: str
    capNganSach: str
    maChuong: str
    coQuanCap: str
    giayChungNhan: str


class MaDvqhnsAdapter(RestAdapter):
    key = "ma_dvqhns"
    operations = (
        submission(
            "dangKyMaSoDVQHNS",
            DangKyMaSoDVQHNS,
            "/cap-ma-so",
            "Submit a request for a budget-unit code; status callbacks go to callbackUrl",
        ),
        status_lookup(
            Btp[HoSo[DossierStatus, KetQuaMaDVQHNS]],
            "Status, history and, once done, the issued 7-digit code",
        ),
        supplement(
            BoSungHoSo,
            Btp[TrangThaiHoSo[DossierStatus]],
            "Supply the founding decision a dossier in supplement_requested is waiting for",
        ),
    )

"""#3 National Insurance DB (BHXH/BHYT): lookups, BHYT card check, and the chained procedures' two writes."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from ndxp_sim.adapters._base import Operation, RestAdapter
from ndxp_sim.adapters.fields import (
    Answer,
    BhxhNumber,
    CitizenId,
    CommuneCode,
    DossierCode,
    PersonalId,
    ProvinceCode,
)
from ndxp_sim.core import catalogues

# ngaySinh of the criteria search, by loaiNgaySinh: 0 full date, 1 month and year, 2 year only (BHXH style).
_BIRTH_FORMATS = {0: "%Y%m%d", 1: "%Y%m", 2: "%Y"}
_BIRTH_SHAPES = {0: "yyyymmdd", 1: "yyyymm", 2: "yyyy"}
DDMMYYYY = r"^[0-9]{2}/[0-9]{2}/[0-9]{4}$"
PersonName = Field(..., min_length=1, max_length=100, pattern=r"^[^\d\x00-\x1f]+$")


class MaSoBhxhTheoTieuChi(BaseModel):
    """`getMaSoBhxhTheoTieuChi` of the NGSP BHXH API; maHuyenKs is gone with the districts (2025)."""

    model_config = ConfigDict(extra="forbid")
    hoTen: str = PersonName
    ngaySinh: str = Field(..., pattern=r"^[0-9]{4}([0-9]{2}([0-9]{2})?)?$")
    loaiNgaySinh: Literal[0, 1, 2] = Field(0, description="0 yyyymmdd, 1 yyyymm, 2 yyyy")
    gioiTinh: Literal[1, 2, 3] = Field(..., description="1 Nam, 2 Nữ, 3 not known (not filtered)")
    maTinhKs: ProvinceCode | None = Field(None, description="province of birth registration")
    maXaKs: CommuneCode | None = Field(None, description="ward of birth registration; needs maTinhKs")
    soCccd: CitizenId | None = Field(None, description="narrows the search to one person (x-assumed)")

    @model_validator(mode="after")
    def _birth_date_matches_its_kind(self) -> MaSoBhxhTheoTieuChi:
        try:
            datetime.strptime(self.ngaySinh, _BIRTH_FORMATS[self.loaiNgaySinh])
        except ValueError:
            shape = _BIRTH_SHAPES[self.loaiNgaySinh]
            kind = self.loaiNgaySinh
            raise ValueError(f"ngaySinh must be a real date {shape} for loaiNgaySinh {kind}") from None
        if self.maTinhKs and catalogues.province(self.maTinhKs) is None:
            raise ValueError(f"maTinhKs {self.maTinhKs} is not one of the 34 provinces")
        if self.maXaKs:
            ward = catalogues.ward(self.maXaKs)
            if ward is None or ward.province_code != self.maTinhKs:
                raise ValueError(f"maXaKs {self.maXaKs} is not a ward of maTinhKs {self.maTinhKs}")
        return self


class TraCuuHoGiaDinh(BaseModel):
    model_config = ConfigDict(extra="forbid")
    maSoBhxh: BhxhNumber


class KiemTraTheBhyt(BaseModel):
    """The card check hospitals send to the BHXH gateway: card, holder, and the officer who asks."""

    model_config = ConfigDict(extra="forbid")
    maThe: str = Field(
        ...,
        pattern=r"^([A-Z]{2}[1-5][0-9]{2})?[0-9]{10}$",
        description="15-character card number, or the 10-digit mã số BHXH printed on cards since 2021",
    )
    hoTen: str = PersonName
    ngaySinh: str = Field(..., pattern=r"^([0-9]{2}/[0-9]{2}/)?[0-9]{4}$", description="dd/mm/yyyy or yyyy")
    hoTenCb: str = PersonName
    cccdCb: CitizenId

    @model_validator(mode="after")
    def _birth_date_is_real(self) -> KiemTraTheBhyt:
        if len(self.ngaySinh) == len("dd/mm/yyyy"):
            try:
                datetime.strptime(self.ngaySinh, "%d/%m/%Y")
            except ValueError:
                raise ValueError("ngaySinh is not a real date dd/mm/yyyy") from None
        return self


# Answers -------------------------------------------------------------------------------------------------


class MaSoBhxhAnswer(Answer):
    errorCode: Literal["0", "2"] = Field(..., description="0 one person found, 2 several: add criteria")
    trangThai: str
    maSoBhxh: str | None
    soKetQua: int = Field(..., ge=1, description="how many people match (x-assumed)")


class ThanhVienHoGiaDinh(Answer):
    maSoBhxh: str | None
    hoTen: str
    ngaySinh: str = Field(..., pattern=DDMMYYYY)
    gioiTinh: Literal["Nam", "Nữ"]
    quanHeChuHo: str
    maThe: str | None
    gtTheTu: str | None
    gtTheDen: str | None
    thamGiaTheoHgd: bool = Field(..., description="insured through the household (group GD)")
    thuTuThamGia: int | None = Field(..., description="order of enrolment in the household (1 pays most)")
    soTienNam: int | None = Field(..., description="yearly household contribution, VND")


class HoGiaDinhAnswer(Answer):
    maHoGiaDinh: str
    hoTenChuHo: str
    diaChi: str
    soThanhVien: int
    thanhVien: list[ThanhVienHoGiaDinh]


class KetQuaTheAnswer(Answer):
    """egw card check: `maKetQua` says what matched; the card's data only when the card is known."""

    maKetQua: str = Field(..., pattern=r"^[0-9]{3}$", examples=["000"])
    ghiChu: str
    maThe: str | None
    hoTen: str | None
    ngaySinh: str | None
    gioiTinh: Literal["Nam", "Nữ"] | None
    diaChi: str | None
    maDKBD: str | None
    tenDKBD: str | None
    gtTheTu: str | None
    gtTheDen: str | None
    maKV: str | None
    ngayDu5Nam: str | None
    maSoBHXH: str | None
    maTheMoi: str | None
    gtTheTuMoi: str | None
    gtTheDenMoi: str | None


class CapTheBhytTreEm(BaseModel):
    """Issue the free BHYT card of a child under 6 (the last step of the birth chain, NĐ 63/2024)."""

    model_config = ConfigDict(extra="forbid")
    soDinhDanh: PersonalId
    hoTen: str = PersonName
    ngaySinh: str = Field(..., pattern=DDMMYYYY)
    maHoSo: DossierCode


class NguoiNhanTroCap(BaseModel):
    model_config = ConfigDict(extra="forbid")
    soDinhDanh: PersonalId
    hoTen: str = PersonName
    quanHe: str = Field(..., min_length=1, max_length=50)


class GiaiQuyetCheDoTuTuat(BaseModel):
    """Funeral allowance and survivor benefit of a deceased insured person (last step of the death chain)."""

    model_config = ConfigDict(extra="forbid")
    soDinhDanh: PersonalId
    hoTen: str = PersonName
    ngayChet: str = Field(..., pattern=DDMMYYYY)
    maHoSo: DossierCode
    nguoiNhan: NguoiNhanTroCap


class TheBhytTreEmAnswer(Answer):
    maSoBhxh: str = Field(..., pattern=r"^[0-9]{10}$")
    maThe: str = Field(..., pattern=r"^TE[1-5][0-9]{2}[0-9]{10}$")
    hoTen: str
    ngaySinh: str
    gtTheTu: str
    gtTheDen: str = Field(..., description="the day before the child is 72 months old, or 30/09 of that year")
    maDKBD: str
    tenDKBD: str
    mucHuong: int
    trangThai: str


class CheDoTuTuatAnswer(Answer):
    soDinhDanh: str
    maSoBhxh: str | None
    ngayChet: str
    soThangDongBhxh: int
    troCapMaiTang: int = Field(..., description="VND: 10 × mức tham chiếu (Luật BHXH 2024)")
    loaiTroCapTuat: Literal["Tuất hằng tháng", "Tuất một lần"]
    troCapTuatMotLan: int | None = Field(None, description="VND, for a lump sum (simplified rule)")
    nguoiNhan: NguoiNhanTroCap
    maHoSo: str
    ngayGiaiQuyet: str


class CsdlBaoHiemAdapter(RestAdapter):
    """REST backend of Bảo hiểm Xã hội Việt Nam behind `apiCSDLBaoHiem/1.0/...`."""

    key = "csdl_bao_hiem"
    operations = (
        Operation(
            "getMaSoBhxhTheoTieuChi",
            method="POST",
            request=MaSoBhxhTheoTieuChi,
            backend_method="POST",
            backend_path="/ma-so-bhxh/tra-cuu",
            response=MaSoBhxhAnswer,
            summary="Mã số BHXH of a person found by name, birth date, sex, birth registration place, CCCD",
            idempotent=True,
        ),
        Operation(
            "getTraCuuTtHgdByMaSoBhxh",
            request=TraCuuHoGiaDinh,
            backend_path="/ho-gia-dinh/{maSoBhxh}",
            response=HoGiaDinhAnswer,
            summary="The household of a BHXH number and how each member is insured",
        ),
        Operation(
            "kiemTraTheBhyt",
            method="POST",
            request=KiemTraTheBhyt,
            backend_method="POST",
            backend_path="/the-bhyt/kiem-tra",
            response=KetQuaTheAnswer,
            summary="BHYT card check: validity, first-care facility, five-year date and a result code",
            idempotent=True,
        ),
        Operation(
            "capTheBhytTreEm",
            method="POST",
            request=CapTheBhytTreEm,
            backend_method="POST",
            backend_path="/the-bhyt/tre-em",
            dossier_field="maHoSo",
            idempotent=True,  # one card per child: the same request answers the same card
            response=TheBhytTreEmAnswer,
            summary="Issue the free BHYT card of a child under 6 (chained birth procedure)",
        ),
        Operation(
            "giaiQuyetCheDoTuTuat",
            method="POST",
            request=GiaiQuyetCheDoTuTuat,
            backend_method="POST",
            backend_path="/che-do-tu-tuat",
            dossier_field="maHoSo",
            idempotent=True,  # settled once per deceased person
            response=CheDoTuTuatAnswer,
            summary="Funeral allowance and survivor benefit of a deceased insured person (death chain)",
        ),
    )

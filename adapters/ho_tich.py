"""#11 Civil-status system (hộ tịch): birth and death registration dossiers, status progression, callbacks."""

from __future__ import annotations

from datetime import date, datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from ndxp_sim.adapters._base import Operation, RestAdapter
from ndxp_sim.adapters.fields import Answer, CommuneCode, DossierCode, PersonalId, ProvinceCode, ShortText


class NoiSinh(BaseModel):
    model_config = ConfigDict(extra="forbid")
    maTinh: ProvinceCode
    maXa: CommuneCode
    dcChiTiet: str = ""


class HoTichKhaiSinh(BaseModel):
    """The birth part of the BTP liên thông envelope (nks* child, me*/cha* parents, nyc* requester)."""

    model_config = ConfigDict(extra="allow")  # the real form has many more optional fields
    maGCS: str | None = Field(None, description="hospital birth certificate number; missing → supplement")
    ngayCapGCS: date | None = None
    nksHoTen: ShortText
    nksGioiTinh: str = Field(..., pattern=r"^(Nam|Nữ)$")
    nksNgaySinh: date
    nksNoiSinh: NoiSinh
    nksDanToc: str = Field("01", pattern=r"^[0-9]{2}$")
    nksQuocTich: str = "VN"
    meHoTen: ShortText
    meSoDDCN: PersonalId
    chaHoTen: str | None = None
    chaSoDDCN: PersonalId | None = None
    nycHoTen: ShortText
    nycQuanHe: ShortText


class DangKyKhaiSinh(BaseModel):
    model_config = ConfigDict(extra="forbid")
    maDonVi: ShortText
    maTinh: ProvinceCode
    maTTHC: str | None = "1.001193"
    maHoSo: DossierCode
    ngayTiepNhan: date
    callbackUrl: str | None = Field(None, max_length=500)
    hoTich: HoTichKhaiSinh


class NoiChet(BaseModel):
    model_config = ConfigDict(extra="forbid")
    maTinh: ProvinceCode
    maXa: CommuneCode
    dcChiTiet: str = ""


class HoTichKhaiTu(BaseModel):
    """The death part of the BTP liên thông envelope (nkt* the deceased, nyc* the requester)."""

    model_config = ConfigDict(extra="allow")  # the real form has many more optional fields
    maGBT: str | None = Field(None, description="death notice (giấy báo tử) number; missing → supplement")
    nktHoTen: ShortText
    nktSoDDCN: PersonalId
    nktNgayChet: date
    nktGioPhutChet: str | None = Field(None, pattern=r"^[0-2][0-9]:[0-5][0-9]$")
    nktNoiChet: NoiChet
    nktNguyenNhanChet: str | None = Field(None, max_length=500)
    nycHoTen: ShortText
    nycSoDDCN: PersonalId
    nycQuanHe: ShortText


class DangKyKhaiTu(BaseModel):
    model_config = ConfigDict(extra="forbid")
    maDonVi: ShortText
    maTinh: ProvinceCode
    maTTHC: str | None = "1.000656"
    maHoSo: DossierCode
    ngayTiepNhan: date
    callbackUrl: str | None = Field(None, max_length=500)
    hoTich: HoTichKhaiTu


class TraCuuHoSo(BaseModel):
    model_config = ConfigDict(extra="forbid")
    maHoSo: DossierCode


class BoSungHoSo(BaseModel):
    """The document a waiting dossier asked for: birth certificate (khai sinh) or death notice (khai tử)."""

    model_config = ConfigDict(extra="forbid")
    maHoSo: DossierCode
    maGCS: ShortText | None = None
    ngayCapGCS: date | None = None
    maGBT: ShortText | None = None
    ghiChu: str | None = None

    @model_validator(mode="after")
    def _a_document(self) -> BoSungHoSo:
        if self.maGCS is None and self.maGBT is None:
            raise ValueError("give maGCS (birth certificate) or maGBT (death notice)")
        return self


# Answers: the BTP envelope {status, statusDescription, value} around a receipt or a dossier view.

DossierStatus = Literal["received", "processing", "supplement_requested", "done", "rejected"]


class BienNhan(Answer):
    """The receipt of a submitted dossier."""

    maHoSo: str
    maHoSoLT: str = Field(..., description="the liên thông code the backend gives the dossier")
    trangThai: Literal["received"]
    ngayTiepNhan: str


class BuocXuLy(Answer):
    trangThai: DossierStatus
    thoiGianThucHien: datetime
    nguoiXuLy: str
    noiDungXuLy: str


class KetQuaKhaiSinh(Answer):
    """The registration result: the child's new số định danh and the register entry."""

    soDinhDanh: str = Field(..., pattern=r"^[0-9]{12}$")
    ngayDangKy: date
    soDangKy: str
    quyenSo: str = Field(..., examples=["01/2025"])
    trangSo: str
    ndkksMaTinh: str
    ndkksMaXa: str
    giayKhaiSinh: str
    maGiayToKetQua: str


class KetQuaKhaiTu(Answer):
    """The death registration result: the extract of the death register."""

    soDinhDanh: str = Field(..., pattern=r"^[0-9]{12}$")
    ngayChet: date
    ngayDangKy: date
    soDangKy: str
    quyenSo: str = Field(..., examples=["01/2025"])
    trangSo: str
    ndktMaTinh: str
    ndktMaXa: str
    trichLucKhaiTu: str
    maGiayToKetQua: str


class HoSo(Answer):
    maHoSo: str
    maHoSoLT: str
    trangThai: DossierStatus
    lichSu: list[BuocXuLy]
    hanBoSungHoSo: datetime | None = Field(None, description="while supplement_requested")
    ketQuaXuLy: KetQuaKhaiSinh | KetQuaKhaiTu | None = Field(None, description="once done")


class HoSoBoSung(Answer):
    maHoSo: str
    maHoSoLT: str
    trangThai: DossierStatus


class DangKyKhaiSinhAnswer(Answer):
    status: Literal[1]
    statusDescription: str
    value: BienNhan


class TraCuuHoSoAnswer(Answer):
    status: Literal[1]
    statusDescription: str
    value: HoSo


class BoSungHoSoAnswer(Answer):
    status: Literal[1]
    statusDescription: str
    value: HoSoBoSung


class HoTichAdapter(RestAdapter):
    key = "ho_tich"
    operations = (
        Operation(
            "dangKyKhaiSinh",
            method="POST",
            request=DangKyKhaiSinh,
            backend_method="POST",
            backend_path="/khai-sinh",
            dossier_field="maHoSo",
            idempotent=True,  # the backend deduplicates by maHoSo
            callback_field="callbackUrl",
            response=DangKyKhaiSinhAnswer,
            summary="Submit a birth registration (khai sinh) dossier; status callbacks go to callbackUrl",
        ),
        Operation(
            "dangKyKhaiTu",
            method="POST",
            request=DangKyKhaiTu,
            backend_method="POST",
            backend_path="/khai-tu",
            dossier_field="maHoSo",
            idempotent=True,  # the backend deduplicates by maHoSo
            callback_field="callbackUrl",
            response=DangKyKhaiSinhAnswer,
            summary="Submit a death registration (khai tử) dossier; status callbacks go to callbackUrl",
        ),
        Operation(
            "traCuuHoSo",
            request=TraCuuHoSo,
            backend_path="/ho-so/{maHoSo}",
            dossier_field="maHoSo",
            response=TraCuuHoSoAnswer,
            summary="Status, history and result of a civil-status dossier",
        ),
        Operation(
            "boSungHoSo",
            method="POST",
            request=BoSungHoSo,
            backend_method="POST",
            backend_path="/ho-so/{maHoSo}/bo-sung",
            dossier_field="maHoSo",
            idempotent=False,
            response=BoSungHoSoAnswer,
            summary="Supply the documents a dossier in supplement_requested is waiting for",
        ),
    )

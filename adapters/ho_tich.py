"""#11 Civil-status system (hộ tịch): birth and death registration dossiers, status progression, callbacks."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from ndxp_sim.adapters._base import Operation, RestAdapter
from ndxp_sim.adapters.dossier_models import (
    BienNhan,
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
from ndxp_sim.adapters.fields import Answer, CommuneCode, PersonalId, ProvinceCode, ShortText


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


class DangKyKhaiSinh(BtpDossier):
    maTTHC: str | None = "1.001193"
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


class DangKyKhaiTu(BtpDossier):
    maTTHC: str | None = "1.000656"
    hoTich: HoTichKhaiTu


class ThuongTruTre(BaseModel):
    model_config = ConfigDict(extra="forbid")
    soSoHoKhau: ShortText
    quanHeChuHo: ShortText


class DangKyLienThongKhaiSinh(DangKyKhaiSinh):
    """Group 1 of NĐ 63/2024: birth → permanent residence → BHYT card of a child under 6, in one call."""

    thuongTru: ThuongTruTre | None = Field(None, description="default: the mother's household")


class NguoiNhanTroCap(BaseModel):
    model_config = ConfigDict(extra="forbid")
    soDinhDanh: PersonalId
    hoTen: ShortText
    quanHe: ShortText


class DangKyLienThongKhaiTu(DangKyKhaiTu):
    """Group 2 of NĐ 63/2024: death → residence removed → funeral allowance and survivor benefit."""

    nguoiNhanTroCap: NguoiNhanTroCap | None = Field(None, description="default: the requester (nyc*)")


class BoSungHoSo(TraCuuHoSo):
    """The document a waiting dossier asked for: birth certificate (khai sinh) or death notice (khai tử)."""

    maGCS: ShortText | None = None
    ngayCapGCS: date | None = None
    maGBT: ShortText | None = None
    ghiChu: str | None = None

    @model_validator(mode="after")
    def _a_document(self) -> BoSungHoSo:
        if self.maGCS is None and self.maGBT is None:
            raise ValueError("give maGCS (birth certificate) or maGBT (death notice)")
        return self


# Answers, in the BTP envelope {status, statusDescription, value} (Btp).


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


ChainStatus = Literal["processing", "failed", "done", "rejected"]
StepStatus = Literal["pending", "running", "done", "failed", "rejected", "skipped"]


class BienNhanLienThong(BienNhan):
    maYeuCau: str = Field(..., description="the chain's correlation id (request id, MaYeuCau of steps)")
    lienThong: Literal["khai-sinh", "khai-tu"]


class BuocLienThong(Answer):
    ten: str = Field(..., description="the step's operation", examples=["DangKyThuongTru"])
    moTa: str
    trangThai: StepStatus
    soLanThu: int = Field(..., description="attempts so far")
    thoiGian: datetime | None = None
    loi: str | None = Field(None, description="why the last attempt failed")
    ketQua: dict[str, Any] | None = Field(None, description="what the step's service answered")


class LienThong(Answer):
    maHoSo: str
    loaiLienThong: Literal["khai-sinh", "khai-tu"]
    maYeuCau: str
    trangThai: ChainStatus
    buoc: list[BuocLienThong]


class HoTichAdapter(RestAdapter):
    key = "ho_tich"
    operations = (
        submission(
            "dangKyKhaiSinh",
            DangKyKhaiSinh,
            "/khai-sinh",
            "Submit a birth registration (khai sinh) dossier; status callbacks go to callbackUrl",
        ),
        submission(
            "dangKyKhaiTu",
            DangKyKhaiTu,
            "/khai-tu",
            "Submit a death registration (khai tử) dossier; status callbacks go to callbackUrl",
        ),
        submission(
            "dangKyLienThongKhaiSinh",
            DangKyLienThongKhaiSinh,
            "/lien-thong/khai-sinh",
            "Chained birth procedure: khai sinh, then thường trú and the child's BHYT card",
            response=Btp[BienNhanLienThong],
        ),
        submission(
            "dangKyLienThongKhaiTu",
            DangKyLienThongKhaiTu,
            "/lien-thong/khai-tu",
            "Chained death procedure: khai tử, then xóa thường trú and the funeral/survivor benefits",
            response=Btp[BienNhanLienThong],
        ),
        Operation(
            "traCuuLienThong",
            request=TraCuuHoSo,
            backend_path="/lien-thong/{maHoSo}",
            dossier_field="maHoSo",
            response=Btp[LienThong],
            summary="Status of a chained procedure, step by step",
        ),
        Operation(
            "tiepTucLienThong",
            method="POST",
            request=TraCuuHoSo,
            backend_method="POST",
            backend_path="/lien-thong/{maHoSo}/tiep-tuc",
            dossier_field="maHoSo",
            idempotent=False,
            response=Btp[LienThong],
            summary="Resume a failed chained procedure from its failed step",
        ),
        status_lookup(
            Btp[HoSo[DossierStatus, KetQuaKhaiSinh | KetQuaKhaiTu]],
            "Status, history and result of a civil-status dossier",
        ),
        supplement(
            BoSungHoSo,
            Btp[TrangThaiHoSo[DossierStatus]],
            "Supply the documents a dossier in supplement_requested is waiting for",
        ),
    )

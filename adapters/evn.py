"""#22 EVN services: new connections with papers (sent on as multipart), outage schedules, monthly kWh."""

from __future__ import annotations

import base64
import binascii
from datetime import datetime
from typing import Any, Literal

import httpx
import orjson
from pydantic import BaseModel, ConfigDict, Field, ValidationInfo, field_validator

from ndxp_sim.adapters._base import Operation, RestAdapter
from ndxp_sim.adapters.dossier_models import (
    Btp,
    CancellableStatus,
    HoSo,
    status_lookup,
    submission,
)
from ndxp_sim.adapters.fields import (
    Answer,
    CommuneCode,
    DossierCode,
    EnterpriseCode,
    IsoDate,
    PersonalId,
    ProvinceCode,
    ShortText,
)
from ndxp_sim.core.identifiers import phone_is_valid
from ndxp_sim.core.places import commune_of

MAX_FILES = 5
MAX_FILE_BYTES = 512 * 1024  # decoded; the gateway's body limit holds a few such papers in base64
FILE_MAGIC = {"application/pdf": b"%PDF-", "image/jpeg": b"\xff\xd8\xff", "image/png": b"\x89PNG\r\n\x1a\n"}
NEW_CONNECTION = "dangKyCapDienMoi"
Month = Field(..., pattern=r"^(19|20)[0-9]{2}-(0[1-9]|1[0-2])$", description="YYYY-MM", examples=["2025-06"])


class KhachHang(BaseModel):
    model_config = ConfigDict(extra="forbid")
    hoTen: ShortText
    soDinhDanh: PersonalId
    soDienThoai: str = Field(..., pattern=r"^(0|\+84)[0-9]{9}$")
    email: str | None = Field(None, max_length=100)
    maSoThue: EnterpriseCode | None = Field(None, description="an organisation's request: its MST")

    @field_validator("soDienThoai")
    @classmethod
    def _carrier(cls, value: str) -> str:
        if not phone_is_valid(value):
            raise ValueError("not a Vietnamese phone number with a carrier's prefix")
        return value


class DiaChiDungDien(BaseModel):
    model_config = ConfigDict(extra="forbid")
    maTinh: ProvinceCode
    maXa: CommuneCode
    chiTiet: ShortText

    _commune = commune_of("maTinh", "maXa")


class TepDinhKem(BaseModel):
    """A paper (land-use certificate, house ownership, business licence) as base64, in the LGSP file shape."""

    model_config = ConfigDict(extra="forbid")
    fileName: str = Field(..., min_length=1, max_length=200, pattern=r"^[^/\\\x00-\x1f]+$")
    contentType: Literal["application/pdf", "image/jpeg", "image/png"]
    size: int = Field(..., ge=1, le=MAX_FILE_BYTES, description=f"bytes, at most {MAX_FILE_BYTES}")
    fileByte: str = Field(..., description="the file, base64")

    @field_validator("fileByte")
    @classmethod
    def _content(cls, value: str, info: ValidationInfo) -> str:
        try:
            content = base64.b64decode(value, validate=True)
        except binascii.Error:
            raise ValueError("not base64") from None
        size, kind = info.data.get("size"), info.data.get("contentType")
        if size is not None and len(content) != size:
            raise ValueError(f"decodes to {len(content)} bytes, not the declared size {size}")
        if kind is not None and not content.startswith(FILE_MAGIC[kind]):
            raise ValueError(f"the content is not a {kind.split('/')[1].upper()} file")
        return value


class DangKyCapDienMoi(BaseModel):
    model_config = ConfigDict(extra="forbid")
    maHoSo: DossierCode
    ngayTiepNhan: IsoDate | None = None
    callbackUrl: str | None = Field(None, max_length=500)
    khachHang: KhachHang
    diaChiDungDien: DiaChiDungDien
    mucDichSuDung: Literal["sinh-hoat", "kinh-doanh", "san-xuat"]
    congSuatDangKy: float = Field(..., gt=0, le=2000, description="kW; a single-phase meter carries 15 kW")
    soPha: Literal[1, 3]
    tepDinhKem: list[TepDinhKem] = Field(..., min_length=1, max_length=MAX_FILES)


class LichNgungCapDien(BaseModel):
    model_config = ConfigDict(extra="forbid")
    maXa: CommuneCode
    ngay: IsoDate


class SanLuongDien(BaseModel):
    model_config = ConfigDict(extra="forbid")
    maKhachHang: str = Field(
        ..., pattern=r"^P[A-E][0-9]{11}$", description="EVN customer code, 13 characters"
    )
    tuThang: str = Month
    denThang: str = Month

    @field_validator("denThang")
    @classmethod
    def _not_before(cls, value: str, info: ValidationInfo) -> str:
        first = info.data.get("tuThang")
        if first is not None and value < first:
            raise ValueError("denThang must not be before tuThang")
        return value


# Answers, in the BTP envelope {status, statusDescription, value}.


class KetQuaCapDien(Answer):
    maKhachHang: str
    soHopDong: str
    maCongTo: str
    chiSoDau: int
    ngayDongDien: str
    giaBieu: str


class LichNgung(Answer):
    maLich: str
    khuVuc: str
    tuGio: datetime
    denGio: datetime
    lyDo: str
    donViThucHien: str


class LichNgungList(Answer):
    maXa: str
    ngay: str
    items: list[LichNgung]


class SanLuongThang(Answer):
    thang: str
    dienNangTieuThu: int = Field(..., ge=0, description="kWh")
    tienDienChuaVat: int = Field(..., ge=0, description="VND, household tiered tariff, before VAT")


class SanLuong(Answer):
    maKhachHang: str
    donVi: Literal["kWh"]
    items: list[SanLuongThang]


class EvnAdapter(RestAdapter):
    key = "evn"
    operations = (
        submission(
            NEW_CONNECTION,
            DangKyCapDienMoi,
            "/cap-dien-moi",
            "Request a new electricity connection with its papers (PDF/JPG/PNG, base64); status "
            "callbacks go to callbackUrl",
        ),
        status_lookup(
            Btp[HoSo[CancellableStatus, KetQuaCapDien]],
            "Status, history and result (customer code, contract, meter) of a new-connection request",
        ),
        Operation(
            "lichNgungCapDien",
            request=LichNgungCapDien,
            backend_path="/lich-ngung-cap-dien",
            response=Btp[LichNgungList],
            summary="Planned outages in a commune on a day (announced a week ahead)",
        ),
        Operation(
            "sanLuongDienTieuThu",
            request=SanLuongDien,
            backend_path="/khach-hang/{maKhachHang}/san-luong",
            response=Btp[SanLuong],
            summary="A customer's monthly consumption (kWh) and bill before VAT, at most 24 months",
        ),
    )

    def encode_body(self, operation: Operation, params: dict[str, Any]) -> tuple[bytes, str]:
        """The new-connection request goes to EVN as multipart/form-data: the papers as files, the rest as
        the JSON part `hoSo`."""
        if operation.name != NEW_CONNECTION:
            return super().encode_body(operation, params)
        fields = {key: value for key, value in params.items() if key != "tepDinhKem"}
        files = [
            ("tepDinhKem", (paper["fileName"], base64.b64decode(paper["fileByte"]), paper["contentType"]))
            for paper in params["tepDinhKem"]
        ]
        form = httpx.Request("POST", "http://form", data={"hoSo": orjson.dumps(fields).decode()}, files=files)
        return form.read(), form.headers["content-type"]

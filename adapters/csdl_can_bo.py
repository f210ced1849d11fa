"""#5 National Civil-Servant DB (CBCCVC): a province pushes its staff; search and look up servants."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from ndxp_sim.adapters._base import Operation, RestAdapter
from ndxp_sim.adapters.fields import AgencyCode, Answer, CitizenId

MAX_BATCH = 100
ISO_DATE = r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$"


class CapNhatCanBo(BaseModel):
    """A batch of staff records. Each record is checked by the backend, which accepts or rejects it alone
    (fields of a record: `HoSoCanBo` in contracts/backends/csdl_can_bo.openapi.yaml)."""

    model_config = ConfigDict(extra="forbid")
    danhSach: list[dict[str, Any]] = Field(..., min_length=1, max_length=MAX_BATCH)


class TraCuuCanBo(BaseModel):
    model_config = ConfigDict(extra="forbid")
    soDinhDanh: CitizenId


class DanhSachCanBo(BaseModel):
    model_config = ConfigDict(extra="forbid")
    maCoQuan: AgencyCode | None = None
    maNgach: str | None = Field(None, pattern=r"^[0-9]{2}\.[0-9]{3}$", description="mã ngạch, e.g. 01.003")
    hoTen: str | None = Field(None, min_length=1, max_length=100, description="prefix of the full name")
    sort: (
        Literal["hoTen", "-hoTen", "ngayTuyenDung", "-ngayTuyenDung", "soDinhDanh", "-soDinhDanh"] | None
    ) = None
    page: int = Field(1, ge=1)
    pageSize: int = Field(20, ge=1, le=100)


# Answers -------------------------------------------------------------------------------------------------


class LoiTruong(Answer):
    truong: str = Field(..., description="the field of the record, e.g. soDinhDanh")
    lyDo: str


class KetQuaBanGhi(Answer):
    viTri: int = Field(..., ge=0, description="position of the record in danhSach")
    khoa: str | None = Field(..., description="its số định danh, when it could be read")
    trangThai: Literal["accepted", "rejected"]
    thaoTac: Literal["created", "updated", "unchanged"] | None = None
    loi: list[LoiTruong] | None = None


class CapNhatCanBoAnswer(Answer):
    tongSo: int
    soChapNhan: int
    soTuChoi: int
    ketQua: list[KetQuaBanGhi]


class CanBo(Answer):
    soDinhDanh: str
    hoTen: str
    ngaySinh: str = Field(..., pattern=ISO_DATE)
    gioiTinh: Literal["Nam", "Nữ"]
    maCoQuan: str
    tenCoQuan: str
    chucVu: str
    maNgach: str
    tenNgach: str
    bacLuong: int = Field(..., ge=1)
    heSoLuong: float
    ngayTuyenDung: str = Field(..., pattern=ISO_DATE)
    nguon: Literal["CSDL", "CAP_NHAT"] = Field(..., description="national data, or pushed by a province")
    phienBan: int | None = Field(..., description="version of a pushed record; null for national data")
    capNhatLuc: str | None


class DanhSachCanBoAnswer(Answer):
    total: int = Field(..., ge=0)
    page: int = Field(..., ge=1)
    pageSize: int = Field(..., ge=1, le=100)
    items: list[CanBo]


class CsdlCanBoAdapter(RestAdapter):
    """REST backend of the Ministry of Home Affairs' civil-servant database behind `apiCSDLCBCCVC/1.0/...`."""

    key = "csdl_can_bo"
    operations = (
        Operation(
            "capNhatCanBo",
            method="POST",
            request=CapNhatCanBo,
            backend_method="POST",
            backend_path="/can-bo/cap-nhat",
            response=CapNhatCanBoAnswer,
            summary="Upsert a batch of a province's staff; each record accepted, or rejected with its errors",
            idempotent=True,  # an upsert by số định danh: the same batch twice changes nothing
        ),
        Operation(
            "traCuuCanBo",
            request=TraCuuCanBo,
            backend_path="/can-bo/{soDinhDanh}",
            response=CanBo,
            summary="A civil servant by số định danh (a pushed update wins over the national data)",
        ),
        Operation(
            "danhSachCanBo",
            request=DanhSachCanBo,
            backend_path="/can-bo",
            response=DanhSachCanBoAnswer,
            summary="Civil servants by agency, rank and name prefix, paged",
        ),
    )

"""#7 National Price DB: a province pushes monthly price reports up; prices by goods, province, period."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field

from ndxp_sim.adapters._base import Operation, RestAdapter
from ndxp_sim.adapters.fields import Answer, PageAnswer, PageRequest, ProvinceCode, ShortText, ordered
from ndxp_sim.core import catalogues
from ndxp_sim.core.prices import GoodsCode, Period

PriceKind = Literal["BL", "BB"]
REPORT_KEY = r"^[0-9]{2}-[A-Z]{2}[0-9]{2}-(BL|BB)-[0-9]{4}-(0[1-9]|1[0-2])$"
MAX_BATCH = 100


def _known_province(code: str) -> str:
    if catalogues.province(code) is None:
        raise ValueError("not one of the 34 provinces")
    return code


Province = Annotated[ProvinceCode, AfterValidator(_known_province)]


class DongBoGia(BaseModel):
    model_config = ConfigDict(extra="forbid")
    danhSach: list[dict[str, Any]] = Field(
        min_length=1,
        max_length=MAX_BATCH,
        description="price reports (fields in the backend contract); the backend checks each one and answers "
        "per record, so one bad record does not refuse the batch",
    )


class TraCuuBanGhiGia(BaseModel):
    model_config = ConfigDict(extra="forbid")
    khoa: str = Field(pattern=REPORT_KEY, description="<maTinh>-<maHangHoa>-<loaiGia>-<kyBaoCao>")


class TraCuuGia(PageRequest):
    maHangHoa: GoodsCode | None = None
    maTinh: Province | None = None
    loaiGia: PriceKind | None = None
    tuKy: Period | None = None
    denKy: Period | None = None
    sort: Literal["kyBaoCao", "-kyBaoCao", "maTinh", "-maTinh", "giaBinhQuan", "-giaBinhQuan"] | None = None

    _range = ordered("tuKy", "denKy")


class DanhMucHangHoa(PageRequest):
    tuKhoa: ShortText | None = Field(
        None, description="words of the code, name or group, diacritics optional"
    )


# Answers -------------------------------------------------------------------------------------------------


class Loi(Answer):
    truong: str = Field(..., description="the field at fault")
    lyDo: str


class KetQuaBanGhi(Answer):
    viTri: int = Field(..., ge=0, description="position in danhSach")
    khoa: str | None = Field(..., description="null when the record could not be read")
    trangThai: Literal["accepted", "rejected"]
    thaoTac: Literal["created", "updated", "unchanged"] | None = None
    loi: list[Loi] | None = None


class DongBoGiaAnswer(Answer):
    tongSo: int = Field(..., ge=0)
    soChapNhan: int = Field(..., ge=0)
    soTuChoi: int = Field(..., ge=0)
    ketQua: list[KetQuaBanGhi]


class BaoCaoGia(Answer):
    khoa: str
    maTinh: str
    maHangHoa: str
    loaiGia: PriceKind
    kyBaoCao: str
    donViTinh: str
    giaBinhQuan: int
    giaThapNhat: int
    giaCaoNhat: int
    nguonThongTin: str | None


class TraCuuBanGhiGiaAnswer(Answer):
    khoa: str
    phienBan: int = Field(..., ge=1, description="1, then +1 for each push that changed the record")
    capNhatLuc: datetime
    duLieu: BaoCaoGia


class Gia(Answer):
    khoa: str
    maTinh: str
    tenTinh: str | None
    maHangHoa: str
    tenHangHoa: str
    donViTinh: str
    loaiGia: PriceKind
    tenLoaiGia: str
    kyBaoCao: str
    giaBinhQuan: int = Field(..., description="VND per donViTinh")
    giaThapNhat: int
    giaCaoNhat: int
    nguonDuLieu: Literal["reported", "synthetic"] = Field(
        ..., description="reported: pushed through dongBoGia; synthetic: the mock's 2024–2025 history"
    )
    phienBan: int | None
    capNhatLuc: datetime | None


class TraCuuGiaAnswer(PageAnswer):
    items: list[Gia]


class HangHoa(Answer):
    maHangHoa: str
    tenHangHoa: str
    donViTinh: str
    nhom: str


class DanhMucHangHoaAnswer(PageAnswer):
    items: list[HangHoa]


class CsdlGiaAdapter(RestAdapter):
    """REST backend; paths and field names assumed (no public schema), camelCase like the push engine's."""

    key = "csdl_gia"
    operations = (
        Operation(
            "dongBoGia",
            method="POST",
            request=DongBoGia,
            backend_method="POST",
            backend_path="/bao-cao-gia",
            idempotent=True,  # an unchanged record pushed again stays unchanged
            response=DongBoGiaAnswer,
            summary="Push monthly price reports of the province: accepted or rejected record by record",
        ),
        Operation(
            "traCuuBanGhiGia",
            request=TraCuuBanGhiGia,
            backend_path="/bao-cao-gia/{khoa}",
            response=TraCuuBanGhiGiaAnswer,
            summary="A pushed report as stored, with its version",
        ),
        Operation(
            "traCuuGia",
            request=TraCuuGia,
            backend_path="/gia",
            response=TraCuuGiaAnswer,
            summary="Prices by goods code, province, price kind and period, newest period first",
        ),
        Operation(
            "danhMucHangHoa",
            request=DanhMucHangHoa,
            backend_path="/hang-hoa",
            response=DanhMucHangHoaAnswer,
            summary="The catalogue of goods and services whose prices are reported",
        ),
    )

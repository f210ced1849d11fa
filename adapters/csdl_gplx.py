"""#9 Driving Licence DB (GPLX): a licence by its number, and every licence of a holder by số định danh."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from ndxp_sim.adapters._base import Operation, RestAdapter
from ndxp_sim.adapters.fields import Answer, CitizenId, LicenceNumber

LicenceClass = Literal[
    "A1", "A", "B1", "B", "C1", "C", "D1", "D2", "D", "BE", "C1E", "CE", "D1E", "D2E", "DE"
]
DDMMYYYY = r"^[0-9]{2}/[0-9]{2}/[0-9]{4}$"


class TraCuuGplx(BaseModel):
    model_config = ConfigDict(extra="forbid")
    soGplx: LicenceNumber


class TraCuuGplxTheoSoDinhDanh(BaseModel):
    model_config = ConfigDict(extra="forbid")
    soDinhDanh: CitizenId


# Answers -------------------------------------------------------------------------------------------------


class GplxDaCap(Answer):
    """One licence card; field names after the transport ministry's GPLX connector (`gplxDaCap`)."""

    soGplx: str
    hangGplx: LicenceClass = Field(..., description="class under the 2024 road-traffic law, Art. 57")
    moTaHang: str = Field(..., description="the vehicles the class allows")
    ngayCapGplx: str = Field(..., pattern=DDMMYYYY)
    ngayHetHanGplx: str | None = Field(..., pattern=DDMMYYYY, description="null: no expiry (A1, A, B1)")
    noiCapGplx: str
    trangThai: Literal["Còn hiệu lực", "Hết hạn", "Bị thu hồi"]
    conHieuLuc: bool = Field(..., description="may be used to drive today: valid, not expired, points left")
    soDiemConLai: int = Field(
        ..., ge=0, le=12, description="points left of 12 (2024 law, Art. 58; x-assumed)"
    )


class GplxAnswer(GplxDaCap):
    soDinhDanh: str
    hoTen: str
    ngaySinh: str = Field(..., pattern=DDMMYYYY)


class GplxCuaCongDanAnswer(Answer):
    soDinhDanh: str
    hoTen: str
    ngaySinh: str = Field(..., pattern=DDMMYYYY)
    gplxDaCap: list[GplxDaCap] = Field(..., description="every licence card issued, empty for none")


class CsdlGplxAdapter(RestAdapter):
    """REST backend of the driving-licence database behind `apiGPLX/1.0/...`."""

    key = "csdl_gplx"
    operations = (
        Operation(
            "traCuuGplx",
            request=TraCuuGplx,
            backend_path="/gplx/{soGplx}",
            response=GplxAnswer,
            summary="A driving licence by its number: holder, class, validity, status and points",
        ),
        Operation(
            "traCuuGplxTheoSoDinhDanh",
            request=TraCuuGplxTheoSoDinhDanh,
            backend_path="/cong-dan/{soDinhDanh}/gplx",
            response=GplxCuaCongDanAnswer,
            summary="Every driving licence of a citizen, by số định danh",
        ),
    )

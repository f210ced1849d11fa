"""#21 Vpostcode: postal code and map location of a commune, both ways, and address search."""

from __future__ import annotations

from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

from ndxp_sim.adapters._base import Operation, RestAdapter
from ndxp_sim.adapters.fields import AssumedAnswer, ShortText

FiveDigits = Annotated[str, StringConstraints(pattern=r"^[0-9]{5}$")]
TwoDigits = Annotated[str, StringConstraints(pattern=r"^[0-9]{2}$")]


class TheoMaXa(BaseModel):
    model_config = ConfigDict(extra="forbid")
    maXa: FiveDigits = Field(..., description="5-digit commune code (since 1 July 2025)")


class TheoMaBuuChinh(BaseModel):
    model_config = ConfigDict(extra="forbid")
    maBuuChinh: FiveDigits = Field(
        ..., description="5-digit postal code; the first two digits are the province"
    )


class TheoViTri(BaseModel):
    """A point on Vietnam's territory, islands included."""

    model_config = ConfigDict(extra="forbid")
    viDo: float = Field(..., ge=6.0, le=24.0, description="latitude, WGS 84")
    kinhDo: float = Field(..., ge=102.0, le=118.0, description="longitude, WGS 84")


class TimKiemDiaChi(BaseModel):
    model_config = ConfigDict(extra="forbid")
    tenXa: ShortText | None = Field(
        None, description="start of the commune's name without its type, any case"
    )
    maTinh: TwoDigits | None = None
    page: int = Field(1, ge=1, le=10_000)
    pageSize: int = Field(20, ge=1, le=100)


class DiaChiBuuChinh(AssumedAnswer):
    maBuuChinh: str = Field(
        ..., examples=["91040"], description="first two digits from the province's real range"
    )
    vpostcode: str = Field(..., description="assumed form: postal code, '-', geohash of the location (7)")
    maXa: str
    tenXa: str = Field(..., examples=["Phường Long Xuyên"])
    maTinh: str
    tenTinh: str
    diaChi: str = Field(..., examples=["Phường Long Xuyên, Tỉnh An Giang"])
    viDo: float
    kinhDo: float


class ViTriAnswer(DiaChiBuuChinh):
    khoangCachKm: float = Field(
        ..., ge=0, description="from the point asked to the commune's reference point"
    )


class TimKiemDiaChiAnswer(AssumedAnswer):
    total: int = Field(..., ge=0)
    page: int = Field(..., ge=1)
    pageSize: int = Field(..., ge=1, le=100)
    items: list[DiaChiBuuChinh]


class VpostcodeAdapter(RestAdapter):
    """REST backend (assumed paths and names; VNPost publishes no API specification)."""

    key = "vpostcode"
    operations = (
        Operation(
            "traCuuMaBuuChinh",
            request=TheoMaXa,
            backend_path="/xa/{maXa}",
            response=DiaChiBuuChinh,
            summary="Postal code and map location of a commune",
        ),
        Operation(
            "traCuuDiaChi",
            request=TheoMaBuuChinh,
            backend_path="/ma-buu-chinh/{maBuuChinh}",
            response=DiaChiBuuChinh,
            summary="The commune of a postal code",
        ),
        Operation(
            "traCuuViTri",
            request=TheoViTri,
            backend_path="/vi-tri",
            response=ViTriAnswer,
            summary="The commune nearest to a point, with its postal code",
        ),
        Operation(
            "timKiemDiaChi",
            request=TimKiemDiaChi,
            backend_path="/xa",
            response=TimKiemDiaChiAnswer,
            summary="Communes by the start of their name and province, paged",
        ),
    )

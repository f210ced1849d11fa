"""#19 State Bank of Vietnam catalogues: banks by NAPAS BIN (versioned), central and reference rates."""

from __future__ import annotations

from datetime import date

from pydantic import BaseModel, ConfigDict, Field

from ndxp_sim.adapters._base import Operation, RestAdapter
from ndxp_sim.adapters.catalogue import CatalogueItem, catalogue_operations
from ndxp_sim.adapters.fields import AssumedAnswer, IsoDate

SYNTHETIC = "synthetic: deterministic by the population seed, near the published levels, never the real rate"


class NganHangItem(CatalogueItem):
    """`ma` is the NAPAS/VietQR BIN (6 digits)."""

    maNganHang: str = Field(..., examples=["VCB"], description="VietQR short code")
    tenVietTat: str = Field(..., examples=["Vietcombank"])
    ten: str = Field(..., examples=["Ngân hàng TMCP Ngoại thương Việt Nam"])
    loaiHinh: str = Field(..., examples=["Ngân hàng thương mại cổ phần"])


class TheoNgay(BaseModel):
    model_config = ConfigDict(extra="forbid")
    ngay: IsoDate


class TyGiaTrungTamAnswer(AssumedAnswer):
    ngay: date
    ngayCongBo: date = Field(..., description="the working day whose rate applies (Friday's on a weekend)")
    maNgoaiTe: str = Field(..., examples=["USD"])
    tyGiaTrungTam: int = Field(..., description=f"VND per USD; {SYNTHETIC}")
    bienDo: float = Field(..., description="trading band, %: 3 before 17/10/2022, 5 since")
    tyGiaTran: int = Field(..., description="ceiling: central rate × (1 + band)")
    tyGiaSan: int = Field(..., description="floor: central rate × (1 − band)")
    moPhong: bool = Field(..., description="always true: the simulator's rates are synthetic")


class TyGiaTinhCheo(AssumedAnswer):
    maNgoaiTe: str = Field(..., pattern=r"^[A-Z]{3}$", examples=["EUR"])
    tenNgoaiTe: str = Field(..., examples=["Euro"])
    tyGia: float = Field(..., gt=0, description=f"VND per unit; {SYNTHETIC}")


class TyGiaThamChieuAnswer(AssumedAnswer):
    ngay: date
    ngayCongBo: date
    tyGiaMuaUSD: int = Field(..., description="Sở giao dịch buying reference (assumed: floor + 50)")
    tyGiaBanUSD: int = Field(..., description="Sở giao dịch selling reference (assumed: ceiling − 50)")
    tyGiaTinhCheo: list[TyGiaTinhCheo] = Field(..., description="VND cross rates with other currencies")
    moPhong: bool


class DanhMucNhnnAdapter(RestAdapter):
    """REST backend: the bank list on the mock's engine C, the rates on engine L (one answer per day)."""

    key = "danh_muc_nhnn"
    operations = (
        *catalogue_operations(
            "danhMucNganHang", "/danh-muc/ngan-hang", NganHangItem, "Banks and credit institutions by BIN"
        ),
        Operation(
            "tyGiaTrungTam",
            request=TheoNgay,
            backend_path="/ty-gia-trung-tam",
            response=TyGiaTrungTamAnswer,
            summary="The central VND/USD rate of a day, with the trading band",
        ),
        Operation(
            "tyGiaThamChieu",
            request=TheoNgay,
            backend_path="/ty-gia-tham-chieu",
            response=TyGiaThamChieuAnswer,
            summary="The Sở giao dịch USD reference rates and the VND cross rates of a day",
        ),
    )

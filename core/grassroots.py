"""Service #24 (thông tin cơ sở): the bulletins it publishes and the records stations' devices upload."""

from __future__ import annotations

import re
from datetime import date
from functools import cache
from typing import Any, Literal

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field, ValidationInfo, field_validator

from ndxp_sim.core import catalogues
from ndxp_sim.core.catalogues import read_csv
from ndxp_sim.core.fields import IsoDate

DEVICE_ID = r"^TTN-[0-9]{5}-[0-9]{3}$"  # TTN-<ward code>-<number in the ward>; assumed (no public format)
DeviceKind = Literal["CUM_LOA_IP", "BANG_TIN_DIEN_TU", "DAI_FM"]
DeviceState = Literal["HOAT_DONG", "MAT_KET_NOI", "HONG", "BAO_TRI"]
ContentKind = Literal["BAN_TIN", "CHUONG_TRINH", "THONG_BAO", "THONG_BAO_KHAN"]
_WARD_OF_DEVICE = re.compile(r"TTN-([0-9]{5})-[0-9]{3}")


@cache
def bulletins() -> tuple[dict[str, Any], ...]:
    """The published items (core/data/grassroots_bulletins.csv, synthetic), as the service answers them."""
    return tuple(
        {
            "maBanTin": row["ma_ban_tin"],
            "tieuDe": row["tieu_de"],
            "loaiNoiDung": row["loai_noi_dung"],
            "linhVuc": row["linh_vuc"],
            "donViBienSoan": row["don_vi_bien_soan"],
            "ngayPhatHanh": date.fromisoformat(row["ngay_phat_hanh"]).isoformat(),
            "thoiLuongGiay": int(row["thoi_luong_giay"]),
            "ngonNgu": row["ngon_ngu"],
            "tomTat": row["tom_tat"],
        }
        for row in read_csv("grassroots_bulletins.csv")
    )


class _Upload(BaseModel):
    model_config = ConfigDict(extra="forbid")

    maThietBi: str = Field(pattern=DEVICE_ID, description="TTN-<5-digit ward code>-<3-digit number>")
    maXa: str = Field(pattern=r"^[0-9]{5}$", description="ward (xã, phường, đặc khu) where the device stands")

    @field_validator("maXa")
    @classmethod
    def _known_ward_of_the_device(cls, value: str, info: ValidationInfo) -> str:
        if catalogues.ward(value) is None:
            raise ValueError("not a commune (xã, phường, đặc khu) of the catalogue")
        device = _WARD_OF_DEVICE.fullmatch(str(info.data.get("maThietBi", "")))
        if device is not None and device.group(1) != value:
            raise ValueError("must be the ward code inside maThietBi")
        return value


class DeviceStatus(_Upload):
    """A station device's state; the newest report of a device replaces the one before."""

    loaiThietBi: DeviceKind
    trangThai: DeviceState
    thoiDiem: AwareDatetime = Field(description="when the device was in this state, with its UTC offset")
    cuongDoTinHieu: int | None = Field(None, ge=0, le=100, description="signal strength, %")
    phienBanPhanMem: str | None = Field(None, max_length=32)


class PlayStatistics(_Upload):
    """How often a device played one bulletin on one day; every report is kept."""

    maBanTin: str = Field(min_length=1, max_length=32)
    ngayPhat: IsoDate
    soLanPhat: int = Field(ge=0, le=200)
    tongThoiLuongGiay: int = Field(ge=0, le=86_400)

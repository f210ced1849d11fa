"""#18 Ministry of Finance catalogues: State Treasury units, budget chapters and budget items (versioned)."""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from ndxp_sim.adapters._base import RestAdapter
from ndxp_sim.adapters.catalogue import CatalogueItem, catalogue_operations


class KhoBacItem(CatalogueItem):
    """`ma` is a 4-digit treasury code (số hiệu kho bạc); codes and the regional grouping are assumed."""

    ten: str = Field(..., examples=["Kho bạc Nhà nước An Giang"])
    cap: Literal["Tỉnh", "Khu vực"]
    diaBan: list[str] = Field(..., description="the pre-2025 province codes the unit serves")
    maKBNNMoi: str | None = Field(..., description="for a provincial unit closed in 2025: its regional unit")


class ChuongItem(CatalogueItem):
    """`ma` is the 3-digit budget chapter (chương) of the state budget index."""

    ten: str = Field(..., examples=["Hộ gia đình, cá nhân"])
    cap: Literal["Trung ương", "Tỉnh", "Huyện", "Xã"]


class TieuMucItem(CatalogueItem):
    """`ma` is the 4-digit budget sub-item (tiểu mục); `maMuc` the item (mục) it belongs to."""

    ten: str = Field(..., examples=["Lệ phí trước bạ nhà đất"])
    maMuc: str = Field(..., pattern=r"^[0-9]{4}$", examples=["2800"])
    tenMuc: str


class DanhMucBtcAdapter(RestAdapter):
    """REST backend; each catalogue is served by the mock's engine C (download, changes, as of a day)."""

    key = "danh_muc_btc"
    operations = (
        *catalogue_operations("danhMucKhoBac", "/danh-muc/kho-bac", KhoBacItem, "State Treasury units"),
        *catalogue_operations("danhMucChuong", "/danh-muc/chuong", ChuongItem, "Budget chapters (chương)"),
        *catalogue_operations(
            "danhMucTieuMuc", "/danh-muc/tieu-muc", TieuMucItem, "Budget items and sub-items (mục, tiểu mục)"
        ),
    )

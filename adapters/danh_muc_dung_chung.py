"""#13 Shared e-catalogues (MIC): administrative units new and legacy, ethnic groups, religions, countries."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

from ndxp_sim.adapters._base import Operation, RestAdapter
from ndxp_sim.adapters.catalogue import CatalogueItem, catalogue_operations
from ndxp_sim.adapters.fields import AssumedAnswer

LegacyCommuneCode = Annotated[
    str, StringConstraints(pattern=r"^[0-9]{5}$"), Field(description="5-digit pre-2025 commune code")
]


class TinhItem(CatalogueItem):
    ten: str = Field(..., examples=["Tỉnh An Giang"])
    loai: Literal["Tỉnh", "Thành phố"]
    maTinhMoi: str | None = Field(..., description="for a province closed on 1 July 2025: the one it joined")


class XaPhuongItem(CatalogueItem):
    ten: str = Field(..., examples=["Phường Long Xuyên"])
    loai: Literal["Xã", "Phường", "Đặc khu", "Thị trấn"]
    maTinh: str = Field(..., description="the province of the period (old code before 1 July 2025)")
    maQuanHuyen: str | None = Field(..., description="district (3 digits) before 2025; null after")
    tenQuanHuyen: str | None
    maXaMoi: str | None = Field(..., description="for a commune closed on 1 July 2025: the ward it went into")


class DanTocItem(CatalogueItem):
    ten: str = Field(..., examples=["Kinh"])


class TonGiaoItem(CatalogueItem):
    ten: str = Field(..., examples=["Phật giáo"], description="codes assumed: no official numeric list")


class QuocGiaItem(CatalogueItem):
    ten: str = Field(..., examples=["Việt Nam"])
    tenTiengAnh: str = Field(..., examples=["Viet Nam"])
    maAlpha3: str = Field(..., pattern=r"^[A-Z]{3}$")
    maSo: str = Field(..., pattern=r"^[0-9]{3}$", description="ISO 3166-1 numeric")


class QuocTichItem(CatalogueItem):
    ten: str = Field(..., examples=["Việt Nam"])
    maAlpha3: str = Field(..., pattern=r"^[A-Z]{3}$")
    maSo: str = Field(..., pattern=r"^[0-9]{3}$")


class ChuyenDoiDonViHanhChinh(BaseModel):
    model_config = ConfigDict(extra="forbid")
    maXaCu: LegacyCommuneCode


class ChuyenDoiDonViHanhChinhAnswer(AssumedAnswer):
    maXaCu: str
    tenXaCu: str
    maQuanHuyenCu: str
    tenQuanHuyenCu: str
    maTinhCu: str
    tenTinhCu: str
    maXaMoi: str
    tenXaMoi: str
    maTinhMoi: str
    tenTinhMoi: str
    ngayHieuLuc: str = Field(..., description="the day the new units took effect", examples=["2025-07-01"])


class DanhMucDungChungAdapter(RestAdapter):
    """REST backend; each catalogue is served by the mock's engine C (download, changes, as of a day)."""

    key = "danh_muc_dung_chung"
    operations = (
        *catalogue_operations(
            "danhMucTinh", "/danh-muc/tinh", TinhItem, "Provinces: the 63 before and the 34 since 1 July 2025"
        ),
        *catalogue_operations(
            "danhMucXaPhuong",
            "/danh-muc/xa-phuong",
            XaPhuongItem,
            "Communes: the pre-2025 communes and the 3,321 wards since 1 July 2025",
        ),
        *catalogue_operations("danhMucDanToc", "/danh-muc/dan-toc", DanTocItem, "The 54 ethnic groups"),
        *catalogue_operations("danhMucTonGiao", "/danh-muc/ton-giao", TonGiaoItem, "Recognised religions"),
        *catalogue_operations("danhMucQuocGia", "/danh-muc/quoc-gia", QuocGiaItem, "Countries (ISO 3166-1)"),
        *catalogue_operations("danhMucQuocTich", "/danh-muc/quoc-tich", QuocTichItem, "Nationalities"),
        Operation(
            "chuyenDoiDonViHanhChinh",
            request=ChuyenDoiDonViHanhChinh,
            backend_path="/chuyen-doi/{maXaCu}",
            response=ChuyenDoiDonViHanhChinhAnswer,
            summary="The new ward and province of a pre-2025 commune",
        ),
    )

"""#24 Central source-information system (thông tin cơ sở): bulletins, device uploads; engine B."""

from __future__ import annotations

from fastapi import APIRouter

from ndxp_sim.core.grassroots import DeviceStatus, PlayStatistics, bulletins
from ndxp_sim.mock_services.context import MockContext
from ndxp_sim.mock_services.engines import Broadcast, Upload, serve

SERVICE = "thong_tin_nguon"

BULLETINS = Broadcast(
    route="/ban-tin",
    operation="banTin",
    items=bulletins(),
    id_field="maBanTin",
    published_field="ngayPhatHanh",
    summary_fields=(
        "maBanTin",
        "tieuDe",
        "loaiNoiDung",
        "linhVuc",
        "ngayPhatHanh",
        "thoiLuongGiay",
        "ngonNgu",
    ),
    uploads=(
        Upload(
            "/thiet-bi/trang-thai", "trangThaiThietBi", DeviceStatus, device="maThietBi", latest_only=True
        ),
        Upload(
            "/thong-ke",
            "thongKePhat",
            PlayStatistics,
            device="maThietBi",
            item_field="maBanTin",
            day="ngayPhat",
        ),
    ),
)


def create_router(ctx: MockContext) -> APIRouter:
    return serve(ctx, SERVICE, BULLETINS)

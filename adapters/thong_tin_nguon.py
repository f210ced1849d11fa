"""#24 Central source-information system: bulletins for grassroots stations, device status, statistics."""

from __future__ import annotations

from datetime import date, datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from ndxp_sim.adapters._base import Operation, RestAdapter
from ndxp_sim.adapters.fields import Answer, PageAnswer, PageRequest, ordered
from ndxp_sim.core.fields import IsoDate
from ndxp_sim.core.grassroots import DEVICE_ID, ContentKind, DeviceStatus, PlayStatistics

BULLETIN_ID = r"^[A-Za-z0-9-]{1,32}$"


class _DateRange(PageRequest):
    tuNgay: IsoDate | None = None
    denNgay: IsoDate | None = None

    _range = ordered("tuNgay", "denNgay")


class DanhSachBanTin(_DateRange):
    sort: Literal["ngayPhatHanh", "-ngayPhatHanh", "maBanTin", "-maBanTin"] | None = None


class ChiTietBanTin(BaseModel):
    model_config = ConfigDict(extra="forbid")
    maBanTin: str = Field(pattern=BULLETIN_ID)


class TraCuuTrangThaiThietBi(PageRequest):
    maThietBi: str | None = Field(None, pattern=DEVICE_ID)


class TraCuuThongKe(_DateRange):
    maThietBi: str | None = Field(None, pattern=DEVICE_ID)
    maBanTin: str | None = Field(None, pattern=BULLETIN_ID)


# Answers -------------------------------------------------------------------------------------------------

Language = Literal["vi", "km"]


class BanTinTomTat(Answer):
    maBanTin: str
    tieuDe: str
    loaiNoiDung: ContentKind
    linhVuc: str
    ngayPhatHanh: date
    thoiLuongGiay: int = Field(..., ge=1, description="duration, seconds")
    ngonNgu: Language = Field(..., description="ISO 639-1: vi Vietnamese, km Khmer")


class BanTin(BanTinTomTat):
    donViBienSoan: str
    tomTat: str


class DanhSachBanTinAnswer(PageAnswer):
    items: list[BanTinTomTat]


class _Stored(Answer):
    maBanGhi: str = Field(..., description="device id (status) or a running number (statistics)")
    thoiGianNhan: datetime


class TrangThaiThietBiDaNhan(_Stored, DeviceStatus):
    pass


class ThongKeDaNhan(_Stored, PlayStatistics):
    pass


class TraCuuTrangThaiThietBiAnswer(PageAnswer):
    items: list[TrangThaiThietBiDaNhan]


class TraCuuThongKeAnswer(PageAnswer):
    items: list[ThongKeDaNhan]


class ThongTinNguonAdapter(RestAdapter):
    """REST backend; paths and field names assumed (no public schema), camelCase like the engine's fields."""

    key = "thong_tin_nguon"
    operations = (
        Operation(
            "danhSachBanTin",
            request=DanhSachBanTin,
            backend_path="/ban-tin",
            response=DanhSachBanTinAnswer,
            summary="Bulletins and programmes published for grassroots stations, newest first",
        ),
        Operation(
            "chiTietBanTin",
            request=ChiTietBanTin,
            backend_path="/ban-tin/{maBanTin}",
            response=BanTin,
            summary="One bulletin or programme",
        ),
        Operation(
            "baoCaoTrangThaiThietBi",
            method="POST",
            request=DeviceStatus,
            backend_method="POST",
            backend_path="/thiet-bi/trang-thai",
            idempotent=True,  # the newest report of a device replaces the one before
            response=TrangThaiThietBiDaNhan,
            summary="A station device reports its state (loudspeaker cluster, e-board, FM station)",
        ),
        Operation(
            "traCuuTrangThaiThietBi",
            request=TraCuuTrangThaiThietBi,
            backend_path="/thiet-bi/trang-thai",
            response=TraCuuTrangThaiThietBiAnswer,
            summary="The latest state of each device, or of one",
        ),
        Operation(
            "guiThongKe",
            method="POST",
            request=PlayStatistics,
            backend_method="POST",
            backend_path="/thong-ke",
            idempotent=False,  # every report is kept: a retry would count twice
            response=ThongKeDaNhan,
            summary="A device uploads how often it played a bulletin on a day",
        ),
        Operation(
            "traCuuThongKe",
            request=TraCuuThongKe,
            backend_path="/thong-ke",
            response=TraCuuThongKeAnswer,
            summary="Play statistics by device, bulletin and day",
        ),
    )

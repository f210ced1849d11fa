"""#7 National Price DB (CSDLQG về giá): provinces push monthly price reports (engine P), queries (S)."""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Sequence
from functools import cache
from typing import Any, Literal

from fastapi import APIRouter
from pydantic import BaseModel, ConfigDict, Field, computed_field

from ndxp_sim.core import catalogues
from ndxp_sim.core.prices import PRICE_KINDS, GoodsCode, Period, goods, goods_code, period
from ndxp_sim.mock_services.clock import now_vn
from ndxp_sim.mock_services.context import MockContext
from ndxp_sim.mock_services.engines import Filter, Host, Push, Search, serve
from ndxp_sim.mock_services.engines.params import province, text

SERVICE = "csdl_gia"
HISTORY = [f"{year}-{month:02d}" for year in (2024, 2025) for month in range(1, 13)]  # synthetic, retail
PLAUSIBLE = 5  # a reported average more than 5x off the catalogue's reference price is refused
Item = dict[str, Any]


class PriceReport(BaseModel):
    """One monthly price of one item in one province, as a province's price DB pushes it."""

    model_config = ConfigDict(extra="forbid")

    maTinh: str = Field(pattern=r"^[0-9]{2}$")
    maHangHoa: GoodsCode
    loaiGia: Literal["BL", "BB"]
    kyBaoCao: Period
    donViTinh: str = Field(min_length=1, max_length=32)
    giaBinhQuan: int = Field(gt=0, le=10**12, description="average price, VND")
    giaThapNhat: int = Field(gt=0, le=10**12)
    giaCaoNhat: int = Field(gt=0, le=10**12)
    nguonThongTin: str | None = Field(None, max_length=200)

    @computed_field  # type: ignore[prop-decorator]
    @property
    def khoa(self) -> str:
        return f"{self.maTinh}-{self.maHangHoa}-{self.loaiGia}-{self.kyBaoCao}"


def report_rules(_: Host, report: PriceReport) -> Sequence[tuple[str, str]]:
    """Rules on one report beyond its shape: (field, reason) for each one broken."""
    broken = []
    item = goods()[report.maHangHoa]
    if catalogues.province(report.maTinh) is None:
        broken.append(("maTinh", "không có trong danh mục 34 tỉnh"))
    if report.donViTinh != item.unit:
        broken.append(("donViTinh", f"đơn vị tính của {item.code} là '{item.unit}'"))
    if not report.giaThapNhat <= report.giaBinhQuan <= report.giaCaoNhat:
        broken.append(("giaBinhQuan", "phải nằm giữa giaThapNhat và giaCaoNhat"))
    if not item.reference_price / PLAUSIBLE <= report.giaBinhQuan <= item.reference_price * PLAUSIBLE:
        broken.append(("giaBinhQuan", "ngoài khoảng hợp lý so với giá tham chiếu của mặt hàng"))
    if report.kyBaoCao > now_vn().strftime("%Y-%m"):
        broken.append(("kyBaoCao", "kỳ báo cáo chưa đến"))
    return broken


PUSH = Push[PriceReport](
    route="/bao-cao-gia",
    operation="dongBoGia",
    model=PriceReport,
    key="khoa",
    rules=report_rules,
)


def _share(text: str, spread: float) -> float:
    """A stable number in [-spread, spread] drawn from `text`."""
    draw = int.from_bytes(hashlib.sha256(text.encode()).digest()[:4], "big") / 0xFFFFFFFF
    return (draw * 2 - 1) * spread


def _rounded(price: float) -> int:
    step = 100 if price >= 10_000 else 10
    return max(step, round(price / step) * step)


@cache
def history() -> dict[str, tuple[Item, ...]]:
    """Synthetic retail prices of every item in every province for 2024–2025, by goods code."""
    found: dict[str, tuple[Item, ...]] = {}
    for item in goods().values():
        rows = []
        for place in catalogues.provinces():
            level = 1 + _share(f"{place.code}:{item.code}", 0.08)
            for month, ky in enumerate(HISTORY):
                average = (
                    item.reference_price * level * (1 + 0.002 * month) * (1 + _share(ky + item.code, 0.03))
                )
                report = {
                    "maTinh": place.code,
                    "maHangHoa": item.code,
                    "loaiGia": "BL",
                    "kyBaoCao": ky,
                    "donViTinh": item.unit,
                    "giaBinhQuan": _rounded(average),
                    "giaThapNhat": _rounded(average * 0.95),
                    "giaCaoNhat": _rounded(average * 1.05),
                }
                rows.append(
                    report | {"khoa": f"{place.code}-{item.code}-BL-{ky}", "nguonDuLieu": "synthetic"}
                )
        found[item.code] = tuple(rows)
    return found


def _reported(host: Host) -> Iterable[Item]:
    for held in host.engines.store(PUSH.store_name(SERVICE)).values():
        yield held["duLieu"] | {
            "nguonDuLieu": "reported",
            "phienBan": held["phienBan"],
            "capNhatLuc": held["capNhatLuc"],
        }


def _prices(host: Host, code: str | None = None) -> list[Item]:
    """Reported prices, and the synthetic history where nothing was reported for the same key."""
    reported = [r for r in _reported(host) if code is None or r["maHangHoa"] == code]
    taken = {r["khoa"] for r in reported}
    seeded = history()[code] if code else [row for rows in history().values() for row in rows]
    return reported + [row for row in seeded if row["khoa"] not in taken]


def price_item(report: Item) -> Item:
    item = goods()[report["maHangHoa"]]
    place = catalogues.province(report["maTinh"])
    return {
        "khoa": report["khoa"],
        "maTinh": report["maTinh"],
        "tenTinh": place.name if place else None,
        "maHangHoa": item.code,
        "tenHangHoa": item.name,
        "donViTinh": report["donViTinh"],
        "loaiGia": report["loaiGia"],
        "tenLoaiGia": PRICE_KINDS[report["loaiGia"]],
        "kyBaoCao": report["kyBaoCao"],
        "giaBinhQuan": report["giaBinhQuan"],
        "giaThapNhat": report["giaThapNhat"],
        "giaCaoNhat": report["giaCaoNhat"],
        "nguonDuLieu": report["nguonDuLieu"],
        "phienBan": report.get("phienBan"),
        "capNhatLuc": report.get("capNhatLuc"),
    }


PRICES = Search[Item](
    route="/gia",
    operation="traCuuGia",
    records=_prices,
    item=lambda _, report: price_item(report),
    order={
        "kyBaoCao": lambda r: r["kyBaoCao"],
        "maTinh": lambda r: r["maTinh"],
        "giaBinhQuan": lambda r: r["giaBinhQuan"],
    },
    identity=lambda r: r["khoa"],
    filters=(
        Filter(
            "maHangHoa",
            lambda r: r["maHangHoa"],
            parse=goods_code,
            error="invalid_ma_hang_hoa",
            index=_prices,
        ),
        Filter("maTinh", lambda r: r["maTinh"], parse=province, error="invalid_province"),
        Filter(
            "loaiGia", lambda r: r["loaiGia"], "enum", choices=tuple(PRICE_KINDS), error="invalid_loai_gia"
        ),
        Filter("tuKy", lambda r: r["kyBaoCao"], "range", parse=period, end="denKy", error="invalid_ky"),
    ),
    default_order="-kyBaoCao",
)

GOODS = Search[Any](
    route="/hang-hoa",
    operation="danhMucHangHoa",
    records=lambda _: goods().values(),
    item=lambda _, item: {
        "maHangHoa": item.code,
        "tenHangHoa": item.name,
        "donViTinh": item.unit,
        "nhom": item.group,
    },
    order={"maHangHoa": lambda item: item.code},
    identity=lambda item: item.code,
    filters=(
        Filter("tuKhoa", lambda item: f"{item.code} {item.name} {item.group}", "text", parse=text(200)),
    ),
    sort_param=None,
)


def create_router(ctx: MockContext) -> APIRouter:
    return serve(ctx, SERVICE, PUSH, PRICES, GOODS)

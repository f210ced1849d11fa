"""Service #7: the catalogue of goods and services whose prices provinces report, and the report period."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache
from typing import Annotated

from pydantic import AfterValidator, Field

from ndxp_sim.core.catalogues import read_csv

PERIOD = re.compile(r"[0-9]{4}-(0[1-9]|1[0-2])")  # YYYY-MM: prices are reported per month
PRICE_KINDS = {"BL": "Giá bán lẻ", "BB": "Giá bán buôn"}


@dataclass(frozen=True, slots=True)
class Goods:
    """One item of core/data/price_goods.csv; codes assumed, reference prices synthetic."""

    code: str
    name: str
    unit: str
    group: str
    reference_price: int  # VND per unit; bounds a plausible report and seeds the synthetic history


@cache
def goods() -> Mapping[str, Goods]:
    return {
        row["ma_hang_hoa"]: Goods(
            row["ma_hang_hoa"], row["ten"], row["don_vi_tinh"], row["nhom"], int(row["gia_tham_chieu"])
        )
        for row in read_csv("price_goods.csv")
    }


def period(value: str) -> str:
    """A report period YYYY-MM; ValueError otherwise."""
    if not PERIOD.fullmatch(value):
        raise ValueError("must be a month in YYYY-MM form")
    return value


def goods_code(value: str) -> str:
    """A code of the goods catalogue; ValueError otherwise."""
    if value not in goods():
        raise ValueError("not in the catalogue of goods and services (danhMucHangHoa)")
    return value


Period = Annotated[str, AfterValidator(period), Field(description="report month, YYYY-MM")]
GoodsCode = Annotated[str, AfterValidator(goods_code), Field(description="code of the goods catalogue")]

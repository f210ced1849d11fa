"""Service #15: the province's road-transport procedures (core/data/transport_procedures.csv) and statuses."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache
from typing import Literal

from ndxp_sim.core.catalogues import read_csv

Concerns = Literal["GPLX", "PHUONG_TIEN", ""]  # a driving licence, a vehicle, or neither

_CONCERNS: Mapping[str, Concerns] = {"GPLX": "GPLX", "PHUONG_TIEN": "PHUONG_TIEN", "": ""}

# DVCQG dossier status codes (the subset a transport department's dossiers pass through).
STATUSES: Mapping[str, str] = {
    "2": "Mới tiếp nhận",
    "4": "Đang xử lý",
    "5": "Chờ bổ sung",
    "3": "Từ chối",
    "9": "Chờ trả kết quả",
    "10": "Đã trả kết quả",
}


@dataclass(frozen=True, slots=True)
class Procedure:
    code: str  # assumed code, not one of the national TTHC database
    name: str
    concerns: Concerns
    days: int  # working days the department has to decide
    fee: int  # VND, synthetic


@cache
def procedures() -> Mapping[str, Procedure]:
    return {
        row["ma_tthc"]: Procedure(
            row["ma_tthc"],
            row["ten"],
            _CONCERNS[row["doi_tuong"]],  # a KeyError names a bad value at load
            int(row["so_ngay_giai_quyet"]),
            int(row["le_phi"]),
        )
        for row in read_csv("transport_procedures.csv")
    }

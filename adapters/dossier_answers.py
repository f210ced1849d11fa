"""Answers of the BTP-envelope dossier services (pattern D): receipt, status with history, supplement."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import BaseModel, Field, create_model

from ndxp_sim.adapters.fields import Answer

DossierStatus = Literal["received", "processing", "supplement_requested", "done", "rejected"]


class BienNhan(Answer):
    """The receipt of a submitted dossier."""

    maHoSo: str
    maHoSoLT: str = Field(..., description="the liên thông code the backend gives the dossier")
    trangThai: Literal["received"]
    ngayTiepNhan: str


class BuocXuLy(Answer):
    trangThai: DossierStatus
    thoiGianThucHien: datetime
    nguoiXuLy: str
    noiDungXuLy: str = Field(
        ..., description="what was done; on a refusal, the reason in the service's words"
    )


class HoSoBoSung(Answer):
    maHoSo: str
    maHoSoLT: str
    trangThai: DossierStatus


def envelope(name: str, value: type[BaseModel]) -> type[Answer]:
    """The BTP envelope `{status: 1, statusDescription, value}` around `value`."""
    return create_model(
        name,
        __base__=Answer,
        status=(Literal[1], ...),
        statusDescription=(str, ...),
        value=(value, ...),
    )


def dossier_view(name: str, result: type[BaseModel]) -> type[Answer]:
    """A dossier's status, history and, once done, its result `ketQuaXuLy`."""
    return create_model(
        name,
        __base__=Answer,
        maHoSo=(str, ...),
        maHoSoLT=(str, ...),
        trangThai=(DossierStatus, ...),
        lichSu=(list[BuocXuLy], ...),
        hanBoSungHoSo=(datetime | None, Field(None, description="while supplement_requested")),
        ketQuaXuLy=(result | None, Field(None, description="once done")),  # type: ignore[arg-type]
    )

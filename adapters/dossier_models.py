"""What the BTP-envelope dossier services share: request and answer envelopes, lookup, receipt, operations."""

from __future__ import annotations

from datetime import date, datetime
from typing import Generic, Literal, TypeVar

from pydantic import BaseModel, ConfigDict, Field
from typing_extensions import TypeAliasType

from ndxp_sim.adapters._base import Operation
from ndxp_sim.adapters.fields import Answer, DossierCode, ProvinceCode, ShortText

# Named aliases: a schema name says which set a service answers with (HoSo_DossierStatus__…).
DossierStatus = TypeAliasType(
    "DossierStatus", Literal["received", "processing", "supplement_requested", "done", "rejected"]
)
# The services whose contract also names a dossier stopped before its end.
CancellableStatus = TypeAliasType(
    "CancellableStatus",
    Literal["received", "processing", "supplement_requested", "done", "rejected", "cancelled"],
)

StatusT = TypeVar("StatusT", bound=str)
ResultT = TypeVar("ResultT", bound=BaseModel)
ValueT = TypeVar("ValueT", bound=BaseModel)


class BtpDossier(BaseModel):
    """The BTP liên thông envelope of a submitted dossier: the receiving unit, the province, the procedure,
    the dossier's code and date, where status callbacks go; a service adds its form."""

    model_config = ConfigDict(extra="forbid")
    maDonVi: ShortText = Field(..., description="the một cửa unit that received the dossier")
    maTinh: ProvinceCode
    maTTHC: str | None = Field(None, max_length=50)
    maHoSo: DossierCode
    ngayTiepNhan: date
    callbackUrl: str | None = Field(None, max_length=500)


class TraCuuHoSo(BaseModel):
    model_config = ConfigDict(extra="forbid")
    maHoSo: DossierCode


class BienNhan(Answer):
    """The receipt of a submitted dossier."""

    maHoSo: str
    maHoSoLT: str = Field(..., description="the liên thông code the backend gives the dossier")
    trangThai: Literal["received"]
    ngayTiepNhan: str


class BuocXuLy(Answer, Generic[StatusT]):
    trangThai: StatusT
    thoiGianThucHien: datetime
    nguoiXuLy: str = Field(..., description="who handled the step; on a multi-hop service, the hop")
    noiDungXuLy: str = Field(
        ..., description="what was done; on a refusal, the reason in the service's words"
    )


class TrangThaiHoSo(Answer, Generic[StatusT]):
    """Where a dossier stands after a supplement or a pushed decision."""

    maHoSo: str
    maHoSoLT: str
    trangThai: StatusT


class HoSo(Answer, Generic[StatusT, ResultT]):
    """A dossier's status, history and, once done, its result `ketQuaXuLy`."""

    maHoSo: str
    maHoSoLT: str
    trangThai: StatusT
    lichSu: list[BuocXuLy[StatusT]]
    hanBoSungHoSo: datetime | None = Field(None, description="while supplement_requested")
    ketQuaXuLy: ResultT | None = Field(None, description="once done")


class Btp(Answer, Generic[ValueT]):
    """The BTP envelope `{status: 1, statusDescription, value}`."""

    status: Literal[1]
    statusDescription: str
    value: ValueT


# The operations every dossier service declares alike; a service names its paths, models and summaries.


def submission(
    name: str,
    request: type[BaseModel],
    backend_path: str,
    summary: str,
    response: type[BaseModel] = Btp[BienNhan],
) -> Operation:
    """Submitting a dossier: a POST deduplicated by maHoSo, with status callbacks to callbackUrl."""
    return Operation(
        name,
        method="POST",
        request=request,
        backend_method="POST",
        backend_path=backend_path,
        dossier_field="maHoSo",
        idempotent=True,
        callback_field="callbackUrl",
        response=response,
        summary=summary,
    )


def status_lookup(response: type[BaseModel], summary: str) -> Operation:
    """traCuuHoSo: a dossier's status, history and result (`response`: Btp[HoSo[status set, result]])."""
    return Operation(
        "traCuuHoSo",
        request=TraCuuHoSo,
        backend_path="/ho-so/{maHoSo}",
        dossier_field="maHoSo",
        response=response,
        summary=summary,
    )


def supplement(request: type[BaseModel], response: type[BaseModel], summary: str) -> Operation:
    """boSungHoSo: what a dossier in supplement_requested waits for (`request` extends TraCuuHoSo)."""
    return Operation(
        "boSungHoSo",
        method="POST",
        request=request,
        backend_method="POST",
        backend_path="/ho-so/{maHoSo}/bo-sung",
        dossier_field="maHoSo",
        idempotent=False,
        response=response,
        summary=summary,
    )

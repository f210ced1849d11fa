"""#2 National Population Database: SOAP backend (namespace http://dancuquocgia.bca), JSON at the gateway."""

from __future__ import annotations

from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, StringConstraints, model_validator

from ndxp_sim.adapters._base import Operation, SoapAdapter
from ndxp_sim.adapters.fields import LegacyIdCard, PersonalId, ShortText
from ndxp_sim.core import identities


class FullName(BaseModel):
    model_config = ConfigDict(extra="forbid")
    Ho: ShortText
    ChuDem: str = ""
    Ten: ShortText


class BirthDate(BaseModel):
    """Year of birth, or the full date as yyyyMMdd (the SOAP service's two forms)."""

    model_config = ConfigDict(extra="forbid")
    Nam: Annotated[str, StringConstraints(pattern=r"^[0-9]{4}$")] | None = None
    NgayThangNam: Annotated[str, StringConstraints(pattern=r"^[0-9]{8}$")] | None = None

    @model_validator(mode="after")
    def _has_one(self) -> BirthDate:
        if not (self.Nam or self.NgayThangNam):
            raise ValueError("Nam or NgayThangNam is required")
        return self


class _CongDanRequest(BaseModel):
    """The fields every population-DB request carries (MaYeuCau … MaCanBo identify the caller)."""

    model_config = ConfigDict(extra="forbid")
    MaYeuCau: ShortText
    MaDVC: str | None = None
    MaTichHop: str | None = None
    MaCanBo: ShortText
    SoDinhDanh: PersonalId | None = None
    SoCMND: LegacyIdCard | None = None
    HoVaTen: FullName | None = None
    NgayThangNamSinh: BirthDate | None = None


class TraCuuThongTinCongDan(_CongDanRequest):
    @model_validator(mode="after")
    def _has_key(self) -> TraCuuThongTinCongDan:
        if not (self.SoDinhDanh or self.SoCMND):
            raise ValueError("SoDinhDanh or SoCMND is required")
        return self


class XacThucThongTinCongDan(_CongDanRequest):
    SoDinhDanh: PersonalId
    HoVaTen: FullName
    NgayThangNamSinh: BirthDate
    GioiTinh: Annotated[str, StringConstraints(pattern=r"^(Nam|Nữ)$")] | None = None


class XacMinhTinhTrangHonNhan(_CongDanRequest):
    SoDinhDanh: PersonalId


_CALLER = {"MaYeuCau": "DIAG-0001", "MaDVC": "1.000656", "MaTichHop": "LGSP", "MaCanBo": "CB-DIAG"}


class CsdlDanCuAdapter(SoapAdapter):
    """The provincial LGSP wraps the SOAP service in JSON; this adapter is that wrapper."""

    key = "csdl_dan_cu"
    namespace = "http://dancuquocgia.bca"
    not_found_codes = frozenset({"CD-404"})
    operations = (
        Operation(
            "TraCuuThongTinCongDan",
            method="POST",
            request=TraCuuThongTinCongDan,
            idempotent=True,
            summary="Look up a citizen by số định danh (or CMND)",
            sample={**_CALLER, "SoDinhDanh": identities.CITIZEN_EXISTS},
        ),
        Operation(
            "XacThucThongTinCongDan",
            method="POST",
            request=XacThucThongTinCongDan,
            idempotent=True,
            summary="Check a name and date of birth against the record of a số định danh",
        ),
        Operation(
            "XacMinhTinhTrangHonNhan",
            method="POST",
            request=XacMinhTinhTrangHonNhan,
            idempotent=True,
            summary="Marital status of a citizen, and the spouse if married",
        ),
    )

    def shape_response(self, operation: Operation, payload: dict[str, Any]) -> dict[str, Any]:
        # One citizen parses to a dict and several to a list; clients always get a list.
        collection = payload.get("CongdanCollection")
        if isinstance(collection, dict):
            people = collection.get("CongDan")
            collection["CongDan"] = [] if people is None else people if isinstance(people, list) else [people]
        return payload

"""Reusable request field types with the real Vietnamese identifier rules, and the base of answer models."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from functools import lru_cache
from typing import Annotated, Any

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    StringConstraints,
    ValidationInfo,
    field_validator,
)

from ndxp_sim.core.identifiers import (
    agency_code_is_valid,
    bhxh_is_valid,
    cccd_is_valid,
    licence_number_is_valid,
    mst_is_valid,
    plate_is_valid,
)


@lru_cache(maxsize=65_536)  # every call of an enterprise operation checks its code; the answer never changes
def _check_mst(value: str) -> str:
    if not mst_is_valid(value):
        raise ValueError("mã số doanh nghiệp has a wrong check digit")
    return value


PersonalId = Annotated[
    str, StringConstraints(pattern=r"^[0-9]{12}$"), Field(description="12-digit personal id")
]
LegacyIdCard = Annotated[
    str, StringConstraints(pattern=r"^[0-9]{9}$"), Field(description="9-digit legacy id card")
]
EnterpriseCode = Annotated[
    str,
    StringConstraints(pattern=r"^[0-9]{10}$"),
    AfterValidator(_check_mst),
    Field(description="10-digit enterprise code with a mod-11 check digit"),
]
ProvinceCode = Annotated[
    str, StringConstraints(pattern=r"^[0-9]{2}$"), Field(description="2-digit province code")
]
CommuneCode = Annotated[
    str, StringConstraints(pattern=r"^[0-9]{5}$"), Field(description="5-digit commune code")
]


def _not_a_dot_segment(value: str) -> str:
    # "." and ".." go into backend paths (/ho-so/{maHoSo}), where they mean "here" and "up".
    if value.strip(".") == "":
        raise ValueError("a dossier code cannot be made of dots only")
    return value


DossierCode = Annotated[
    str, StringConstraints(pattern=r"^[A-Za-z0-9._\-]{1,64}$"), AfterValidator(_not_a_dot_segment)
]
ShortText = Annotated[str, StringConstraints(min_length=1, max_length=200)]


def ordered(start: str, end: str) -> Any:
    """A validator for a model with the range fields `start`..`end`: the end may not come before the start.

    Declare it in the class body (`_range = ordered("tuNgay", "denNgay")`); the error names `end`.
    """

    def check(cls: type[BaseModel], value: Any, info: ValidationInfo) -> Any:
        first = info.data.get(start)
        if value is not None and first is not None and value < first:
            raise ValueError(f"{end} must not be before {start}")
        return value

    return field_validator(end)(check)


def _calendar_day(value: str) -> str:
    date.fromisoformat(value)  # the pattern admits 2025-02-30; the calendar does not
    return value


# A day as YYYY-MM-DD only: pydantic's own date type would also take a Unix time such as "1751328000".
IsoDate = Annotated[
    str,
    StringConstraints(pattern=r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$"),
    AfterValidator(_calendar_day),
    Field(description="a day, YYYY-MM-DD", examples=["2025-07-01"]),
]


class Answer(BaseModel):
    """Base of the models that describe a success answer: closed, so a field the backend adds is drift."""

    model_config = ConfigDict(extra="forbid")


# Identifiers of people in the other national databases (insurance, licences, civil service). Patterns use
# [0-9], not \d: \d also matches non-ASCII digits, which no national system issues.


def _checked(check: Callable[[str], bool], what: str) -> Callable[[str], str]:
    def validate(value: str) -> str:
        if not check(value):
            raise ValueError(f"{what} is not one that could be issued")
        return value

    return validate


CitizenId = Annotated[
    str,
    StringConstraints(pattern=r"^[0-9]{12}$"),
    AfterValidator(_checked(cccd_is_valid, "số định danh (its province/century prefix)")),
    Field(description="12-digit số định danh cá nhân with a known province prefix"),
]
BhxhNumber = Annotated[
    str,
    StringConstraints(pattern=r"^[0-9]{10}$"),
    AfterValidator(_checked(bhxh_is_valid, "mã số BHXH (its province prefix)")),
    Field(description="10-digit mã số BHXH, the first two digits the issuing province"),
]
LicenceNumber = Annotated[
    str,
    StringConstraints(pattern=r"^[0-9]{12}$"),
    AfterValidator(_checked(licence_number_is_valid, "số GPLX (its province prefix)")),
    Field(description="12-digit driving-licence number, the first two digits the issuing province"),
]
Plate = Annotated[
    str,
    StringConstraints(pattern=r"^[0-9]{2}[A-Z]-[0-9]{3}\.[0-9]{2}$|^[0-9]{2}-[A-Z][1-9] [0-9]{3}\.[0-9]{2}$"),
    AfterValidator(_checked(plate_is_valid, "biển số (its locality code or serial)")),
    Field(
        description="car `67A-123.45` or motorbike `67-B1 234.56` plate; the first two digits a locality code"
    ),
]
AgencyCode = Annotated[
    str,
    StringConstraints(pattern=r"^000\.00\.[0-9]{2}\.H[0-9]{2}$"),
    AfterValidator(_checked(agency_code_is_valid, "mã cơ quan (its province code)")),
    Field(description="provincial agency code 000.00.NN.Hpp: NN the agency, pp the province"),
]


class PageRequest(BaseModel):
    """The paging of a search request (page from 1, pageSize 1–100); subclasses add the filters."""

    model_config = ConfigDict(extra="forbid")
    page: int = Field(1, ge=1)
    pageSize: int = Field(20, ge=1, le=100)


class PageAnswer(Answer):
    """The envelope of one page of a search answer; subclasses add `items`."""

    total: int = Field(..., ge=0)
    page: int = Field(..., ge=1)
    pageSize: int = Field(..., ge=1, le=100)


class AssumedAnswer(Answer):
    """An answer whose names and shape are this simulator's design: no public specification was found."""

    model_config = ConfigDict(extra="forbid", json_schema_extra={"x-assumed": True})

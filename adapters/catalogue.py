"""Operations of a versioned catalogue (engine C at the backend): full download, changes since a version."""

from __future__ import annotations

from datetime import date

from pydantic import BaseModel, ConfigDict, Field, create_model

from ndxp_sim.adapters._base import Operation
from ndxp_sim.adapters.fields import AssumedAnswer, IsoDate

MAX_VERSION = 1_000_000  # far above any real catalogue; keeps a huge number from reaching the backend


class TaiDanhMuc(BaseModel):
    """Download: everything as of a version (default the latest), or only the periods valid on a day."""

    model_config = ConfigDict(extra="forbid")
    phienBan: int | None = Field(None, ge=1, le=MAX_VERSION, description="version; default the latest")
    ngayHieuLuc: IsoDate | None = Field(None, description="only the items valid on this day")


class ThayDoiDanhMuc(BaseModel):
    """Changes: the timelines of the items changed after a version the consumer already holds."""

    model_config = ConfigDict(extra="forbid")
    tuPhienBan: int = Field(..., ge=0, le=MAX_VERSION, description="the version held; 0 = everything")


class CatalogueItem(AssumedAnswer):
    """One validity period of an item; a catalogue's own fields come between `ma` and `hieuLucTu`."""

    ma: str
    hieuLucTu: date
    hieuLucDen: date | None = Field(..., description="exclusive; null while still valid")
    phienBan: int = Field(..., ge=1, description="the version that published this period")


def catalogue_operations(
    name: str, route: str, item: type[CatalogueItem], summary: str
) -> tuple[Operation, Operation]:
    """`name` (download, GET `route`) and `nameThayDoi` (changes, GET `route/thay-doi`)."""
    title = name[0].upper() + name[1:]
    download = create_model(
        f"{title}Answer",
        __base__=AssumedAnswer,
        phienBan=(int, Field(..., ge=1)),
        ngayHieuLuc=(date | None, Field(None, description="present when the request asked for a day")),
        items=(list[item], ...),  # type: ignore[valid-type]
    )
    changes = create_model(
        f"{title}ThayDoiAnswer",
        __base__=AssumedAnswer,
        tuPhienBan=(int, Field(..., ge=0)),
        phienBan=(int, Field(..., ge=1, description="the latest version")),
        items=(list[item], ...),  # type: ignore[valid-type]
    )
    return (
        Operation(name, request=TaiDanhMuc, backend_path=route, response=download, summary=summary),
        Operation(
            f"{name}ThayDoi",
            request=ThayDoiDanhMuc,
            backend_path=f"{route}/thay-doi",
            response=changes,
            summary=f"{summary}: what changed after a version",
        ),
    )

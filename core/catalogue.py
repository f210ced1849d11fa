"""The 24 NDXP services as data, loaded from services.yaml."""

from __future__ import annotations

from collections.abc import Mapping
from functools import cache
from pathlib import Path
from types import MappingProxyType
from typing import Literal

import yaml
from pydantic import BaseModel, ConfigDict

Pattern = Literal["L", "S", "C", "P", "D", "A", "B"]
Protocol = Literal["rest", "soap", "oidc"]

PATTERN_NAMES: Mapping[str, str] = MappingProxyType(
    {
        "L": "lookup by identifier",
        "S": "search / list",
        "C": "catalogue download",
        "P": "push / sync upward",
        "D": "dossier submission, status and callbacks",
        "A": "single sign-on (OpenID Connect)",
        "B": "broadcast content and device telemetry",
    }
)


class ServiceInfo(BaseModel):
    """One row of the appendix: who owns the service and how it is reached."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    number: int
    key: str
    name_vi: str
    name_en: str
    owner: str
    owner_2025: str
    lead: str
    pattern: Pattern
    protocol: Protocol
    context: str
    version: str


@cache
def services() -> Mapping[str, ServiceInfo]:
    """All 24 services keyed by service key, in appendix order."""
    rows = yaml.safe_load((Path(__file__).parent / "services.yaml").read_text(encoding="utf-8"))
    infos = [ServiceInfo.model_validate(row) for row in rows]
    return MappingProxyType({info.key: info for info in sorted(infos, key=lambda i: i.number)})

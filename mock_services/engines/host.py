"""What an engine route needs of the mock process: population, access log, engine stores."""

from __future__ import annotations

from collections import deque
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Protocol

from ndxp_sim.mock_services.clock import now_vn

if TYPE_CHECKING:
    from ndxp_sim.mock_services.population import Population


@dataclass(slots=True)
class EngineState:
    """Records pushed or uploaded to engine services, one store per service route; `clear()` on reset."""

    _stores: dict[str, dict[str, Any]] = field(default_factory=dict)

    def store(self, name: str) -> dict[str, Any]:
        return self._stores.setdefault(name, {})

    def clear(self) -> None:
        self._stores.clear()


class Host(Protocol):
    """The part of `MockContext` engines use (a test can pass anything shaped like it)."""

    @property
    def population(self) -> Population: ...

    @property
    def access_log(self) -> deque[dict[str, Any]]: ...

    @property
    def engines(self) -> EngineState: ...


def mask(identifier: str) -> str:
    """Keep the first and last three characters: enough to tell records apart, not to identify anyone."""
    return identifier[:3] + "*" * (len(identifier) - 6) + identifier[-3:] if len(identifier) > 6 else "***"


def log_access(
    host: Host, service: str, operation: str, caller: Mapping[str, Any], key: str | None, outcome: str
) -> None:
    """One access-log line (same shape as the SOAP lookups'): the lookup key is masked."""
    host.access_log.append(
        {
            "thoiGian": now_vn().isoformat(timespec="milliseconds"),
            "service": service,
            "operation": operation,
            "MaCanBo": caller.get("MaCanBo"),
            "MaYeuCau": caller.get("MaYeuCau"),
            "SoDinhDanh": mask(key) if key else None,
            "ketQua": outcome,
        }
    )

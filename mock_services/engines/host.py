"""What an engine route needs of the mock process: population, access log, engine stores."""

from __future__ import annotations

from collections import deque
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Protocol

from ndxp_sim.mock_services.clock import now_vn

if TYPE_CHECKING:
    from ndxp_sim.mock_services.journal import MockJournal
    from ndxp_sim.mock_services.population import Population


class EngineState:
    """Records pushed or uploaded to engine services, one store per service route, written through to
    the journal so a restarted mock has them again; `clear()` on reset (the journal is emptied there)."""

    def __init__(self, journal: MockJournal | None = None) -> None:
        self._journal = journal
        self._stores: dict[str, dict[str, dict[str, Any]]] = {}

    def store(self, name: str) -> Mapping[str, dict[str, Any]]:
        return self._stores.setdefault(name, {})

    def put(self, name: str, key: str, record: dict[str, Any]) -> None:
        self._stores.setdefault(name, {})[key] = record
        if self._journal is not None:
            self._journal.save_record(name, key, record)

    def restore(self) -> None:
        if self._journal is not None:
            for name, key, record in self._journal.records():
                self._stores.setdefault(name, {})[key] = record

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

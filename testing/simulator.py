"""What a test gets from the plugin: a running simulator's URLs, a ready client, and its admin controls."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from types import ModuleType
from typing import Any

import httpx

from ndxp_sim.core import identities as test_identities
from ndxp_sim.core.settings import Settings
from ndxp_sim.mock_services.admin import admin_headers
from ndxp_sim.testing.settings import SimulatorStartError

# The fake consumer and operator shipped in core/config/default.yaml.
CONSUMER = ("000.00.00.H91", "demo-secret-H91")
OPERATOR = ("ops.ndxp-sim", "demo-secret-ops")

_ADMIN_TIMEOUT_S = 10.0


def fetch_token(gateway_url: str, credentials: tuple[str, str]) -> str:
    """An access token for `credentials` (client credentials grant), or SimulatorStartError saying why not."""
    try:
        response = httpx.post(
            f"{gateway_url}/token",
            data={"grant_type": "client_credentials"},
            auth=credentials,
            timeout=_ADMIN_TIMEOUT_S,
        )
    except httpx.HTTPError as exc:
        raise SimulatorStartError(f"the gateway at {gateway_url} did not answer /token: {exc}") from None
    if response.status_code != 200:
        raise SimulatorStartError(
            f"the gateway refused a token for {credentials[0]} "
            f"(HTTP {response.status_code}: {response.text}); is it in the configured consumers?"
        )
    return str(response.json()["access_token"])


@dataclass
class Simulator:
    """A running simulator: gateway and mock URLs, a client holding the test consumer's token, settings."""

    gateway_url: str
    mock_url: str
    settings: Settings
    client: httpx.Client
    token: str
    exchange_log: bool
    identities: ModuleType = field(default=test_identities, repr=False)
    consumer: tuple[str, str] = CONSUMER
    operator: tuple[str, str] = OPERATOR
    state_dir: Path | None = None  # the simulator's files: store, spool, and each process's log

    @classmethod
    def connect(cls, gateway_url: str, mock_url: str, settings: Settings, *, exchange_log: bool) -> Simulator:
        token = fetch_token(gateway_url, CONSUMER)
        client = httpx.Client(
            base_url=gateway_url, headers={"Authorization": f"Bearer {token}"}, timeout=30.0
        )
        return cls(gateway_url, mock_url, settings, client, token, exchange_log)

    def close(self) -> None:
        self.client.close()

    def reset(self) -> None:
        """Forget dossiers, callbacks, fault profiles and registered births on the mocks."""
        self._admin("POST", "/_admin/reset")

    def set_fault(self, service: str, **profile: Any) -> dict[str, Any]:
        """A fault profile for every call to `service` (see mock_services/BACKENDS.md, admin API)."""
        stored: dict[str, Any] = self._admin("PUT", f"/_admin/faults/{service}", json=profile)
        return stored

    def clear_fault(self, service: str) -> None:
        self._admin("DELETE", f"/_admin/faults/{service}")

    def operator_headers(self) -> dict[str, str]:
        """Authorization for the operator API (/_ops)."""
        return {"Authorization": f"Bearer {fetch_token(self.gateway_url, OPERATOR)}"}

    def _admin(self, method: str, path: str, **kwargs: Any) -> Any:
        response = httpx.request(
            method,
            f"{self.mock_url}{path}",
            headers=admin_headers(self.settings),  # the mocks' admin API needs mocks.admin_token
            timeout=_ADMIN_TIMEOUT_S,
            **kwargs,
        )
        if response.status_code >= 400:
            raise ValueError(f"{method} {path} on the mocks: HTTP {response.status_code} {response.text}")
        return response.json() if response.content else None

"""The exchange records one test caused, read back through the operator API once they are indexed."""

from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx

from ndxp_sim.testing.simulator import Simulator

_PAGE = 500
_EPOCH = "2000-01-01T00:00:00Z"


def _iso(moment: datetime) -> str:
    return moment.astimezone(UTC).isoformat().replace("+00:00", "Z")


class ExchangeRecords:
    """Call it to get the records of exchanges that began after `since`, oldest first.

    Each call first waits until the store holds a record of every exchange the gateway has served
    (its `submitted` counter), so a call made just before is never missed, whichever client made it.
    """

    def __init__(self, simulator: Simulator, since: datetime, *, timeout_s: float = 60.0) -> None:
        if not simulator.exchange_log:
            raise ValueError("exchange records need the simulator with its exchange log (ndxp_sim_with_log)")
        self.simulator = simulator
        self.since = since
        self.timeout_s = timeout_s
        self._http = httpx.Client(base_url=simulator.gateway_url, timeout=10.0)
        self._headers = simulator.operator_headers()

    def __call__(self, **filters: str) -> list[dict[str, Any]]:
        """Listed records (no bodies); `filters` are those of GET /_ops/exchanges, e.g. service="ho_tich"."""
        self.wait_indexed()
        items: list[dict[str, Any]] = []
        params: dict[str, Any] = {"from": _iso(self.since), "limit": _PAGE, **filters}
        while True:
            page = self._get("/_ops/exchanges", params)
            items += page["items"]
            if not page.get("next_cursor"):
                return items[::-1]
            params["cursor"] = page["next_cursor"]

    def full(self, exchange_id: str) -> dict[str, Any]:
        """One record with its (masked) bodies."""
        self.wait_indexed()
        return self._get(f"/_ops/exchanges/{exchange_id}", {})  # type: ignore[no-any-return]

    def wait_indexed(self) -> None:
        deadline = time.monotonic() + self.timeout_s
        while True:
            submitted, indexed = self._submitted(), self._indexed()
            if indexed >= submitted:
                return
            if time.monotonic() > deadline:
                raise TimeoutError(
                    f"only {indexed} of {submitted} exchange records reached the store "
                    f"in {self.timeout_s:.0f} s (logs: {self.simulator.state_dir})"
                )
            time.sleep(0.1)

    def close(self) -> None:
        self._http.close()

    def _submitted(self) -> int:
        ready = self._http.get("/health/ready").json()  # 503 when degraded still carries the counters
        return int(ready["checks"]["exchange_log"]["submitted"])

    def _indexed(self) -> int:
        until = _iso(datetime.now(UTC) + timedelta(days=1))
        stats = self._get("/_ops/stats", {"from": _EPOCH, "to": until})
        return sum(int(row["count"]) for row in stats["items"])

    def _get(self, path: str, params: dict[str, Any]) -> Any:
        response = self._http.get(path, params=params, headers=self._headers)
        response.raise_for_status()
        return response.json()

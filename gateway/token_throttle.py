"""Throttles POST /token: attempts per client address, and failed attempts per client id."""

from __future__ import annotations

import math
import time
from collections.abc import Callable

from ndxp_sim.core.errors import QuotaExceededError

WINDOW_S = 60.0
PER_ADDRESS = 60  # token requests a minute from one address (a TTHC system needs one an hour)
FAILURES_PER_CLIENT = 10  # wrong secrets a minute for one client id, whoever sends them
_MAX_TRACKED = 100_000  # keys kept at most; a spray of random ids cannot grow memory without bound


class FixedWindows:
    """Counts per key in fixed windows of WINDOW_S."""

    def __init__(self, limit: int, clock: Callable[[], float]) -> None:
        self.limit = limit
        self._clock = clock
        self._counts: dict[str, tuple[int, int]] = {}  # key -> (window number, count)

    def full(self, key: str) -> int | None:
        """Seconds until `key` may try again, or None when it may now."""
        now = self._clock()
        window = int(now // WINDOW_S)
        seen, count = self._counts.get(key, (window, 0))
        if seen == window and count >= self.limit:
            return max(1, math.ceil((window + 1) * WINDOW_S - now))
        return None

    def add(self, key: str) -> None:
        window = int(self._clock() // WINDOW_S)
        seen, count = self._counts.get(key, (window, 0))
        if len(self._counts) >= _MAX_TRACKED and key not in self._counts:
            self._counts = {k: v for k, v in self._counts.items() if v[0] == window}
            if len(self._counts) >= _MAX_TRACKED:
                self._counts.clear()
        self._counts[key] = (window, count + 1 if seen == window else 1)


class TokenThrottle:
    """429 with Retry-After before any PBKDF2 work once an address or a client id has used its share."""

    def __init__(
        self,
        per_address: int = PER_ADDRESS,
        failures_per_client: int = FAILURES_PER_CLIENT,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._addresses = FixedWindows(per_address, clock)
        self._failures = FixedWindows(failures_per_client, clock)

    def admit(self, client_id: str, address: str) -> None:
        """Counts one attempt from `address`; raises QuotaExceededError when it or `client_id` is over."""
        wait = self._addresses.full(address)
        if wait is not None:
            raise QuotaExceededError("too many token requests from this address", wait)
        wait = self._failures.full(client_id)
        if wait is not None:
            raise QuotaExceededError("too many failed token requests for this client id", wait)
        self._addresses.add(address)

    def failed(self, client_id: str) -> None:
        self._failures.add(client_id)

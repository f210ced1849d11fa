"""Bounded traffic through a running gateway from a thread: one call at a time, answered ids recorded."""

from __future__ import annotations

import threading
import time
import uuid

import httpx

from ndxp_sim.core import identities

CONSUMER = ("000.00.00.H91", "demo-secret-H91")
MAX_CALLS = 20_000  # a bound on the load whatever happens
REQUEST_ID_PREFIX = "log-test-"  # what tests/e2e/test_exchange_log.py looks for in the store


class Traffic:
    """`with Traffic(base_url) as traffic:` calls the gateway until the block ends; `answered` holds the
    request ids of the calls answered 200 (their exchange records must reach the store)."""

    def __init__(self, base_url: str) -> None:
        self.base_url = base_url
        self.answered: list[str] = []
        token = httpx.post(
            f"{base_url}/token", data={"grant_type": "client_credentials"}, auth=CONSUMER, timeout=30
        )
        token.raise_for_status()
        self._headers = {"authorization": f"Bearer {token.json()['access_token']}"}
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def __enter__(self) -> Traffic:
        self._thread.start()
        return self

    def __exit__(self, *_: object) -> None:
        self._stop.set()
        self._thread.join(timeout=30)

    def _run(self) -> None:
        path = f"/apiCSDLDKDN/1.0/chiTietDoanhNghiep?msdn={identities.ENTERPRISE_ACTIVE}"
        with httpx.Client(base_url=self.base_url, timeout=5) as client:
            for number in range(MAX_CALLS):
                if self._stop.is_set():
                    return
                request_id = f"{REQUEST_ID_PREFIX}{uuid.uuid4().hex[:8]}-{number}"
                try:
                    response = client.get(path, headers={**self._headers, "x-request-id": request_id})
                except httpx.HTTPError:
                    time.sleep(0.05)  # the gateway is stopping or being killed: never answered
                    continue
                if response.status_code == 200:
                    self.answered.append(request_id)
                time.sleep(0.004)

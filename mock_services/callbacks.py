"""Signed status callbacks to consumers, retried with backoff, dead-lettered when they cannot be delivered."""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import itertools
import logging
import socket
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Literal

import httpx

from ndxp_sim.core.tasks import spawn
from ndxp_sim.mock_services.clock import now_vn
from ndxp_sim.mock_services.journal import MockJournal
from ndxp_sim.mock_services.responses import dumps

log = logging.getLogger(__name__)

DeliveryStatus = Literal["pending", "delivered", "dead"]


class RefusedTargetError(Exception):
    """The callback URL points where callbacks must never go (the simulator's own ports)."""


def sign(key: bytes, timestamp: str, body: bytes) -> str:
    """`sha256=<hex HMAC-SHA256(key, f"{timestamp}.{raw_body}")>`, the X-NDXP-Signature value."""
    return "sha256=" + hmac.new(key, timestamp.encode() + b"." + body, hashlib.sha256).hexdigest()


@dataclass(slots=True)
class Delivery:
    """One callback and every attempt to deliver it."""

    id: str
    service: str
    ma_ho_so: str
    url: str
    trang_thai: str
    body: bytes
    status: DeliveryStatus = "pending"
    attempts: list[dict[str, Any]] = field(default_factory=list)

    def state(self) -> dict[str, Any]:
        """What the journal keeps of it."""
        return {**self.as_json(), "body": self.body.decode()}

    @classmethod
    def from_state(cls, state: dict[str, Any]) -> Delivery:
        return cls(
            state["id"],
            state["service"],
            state["maHoSo"],
            state["url"],
            state["trangThai"],
            state["body"].encode(),
            state["status"],
            state["attempts"],
        )

    def as_json(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "service": self.service,
            "maHoSo": self.ma_ho_so,
            "url": self.url,
            "trangThai": self.trang_thai,
            "status": self.status,
            "attempts": self.attempts,
        }


class CallbackSender:
    """Delivers callbacks in order per dossier; every attempt is logged and kept."""

    def __init__(
        self,
        key: bytes,
        retries: int,
        backoff_s: float,
        journal: MockJournal,
        timeout_s: float = 5.0,
        *,
        refuse: Callable[[str, int], str | None] = lambda _host, _port: None,
    ) -> None:
        self._key = key
        self._refuse = refuse
        self._journal = journal
        self._retries = retries
        self._backoff_s = backoff_s
        self._timeout_s = timeout_s
        self._client: httpx.AsyncClient | None = None
        self._ids = itertools.count(1)
        self.deliveries: list[Delivery] = []
        self._tails: dict[tuple[str, str], asyncio.Task[None]] = {}
        self._tasks: set[asyncio.Task[None]] = set()

    def enqueue(self, service: str, ma_ho_so: str, url: str, payload: dict[str, Any]) -> Delivery:
        delivery = Delivery(
            f"cb-{next(self._ids):06d}", service, ma_ho_so, url, payload["trangThai"], dumps(payload)
        )
        self.deliveries.append(delivery)
        self._journal.save_delivery(delivery.id, delivery.state())
        self._schedule(delivery)
        return delivery

    def restore(self) -> None:
        """Take back the journal's callbacks after a restart; those still pending are sent again."""
        for state in self._journal.deliveries():
            delivery = Delivery.from_state(state)
            self.deliveries.append(delivery)
            if delivery.status == "pending":
                self._schedule(delivery)
        if self.deliveries:
            last = max(int(d.id.removeprefix("cb-")) for d in self.deliveries)
            self._ids = itertools.count(last + 1)

    def _schedule(self, delivery: Delivery) -> None:
        key = (delivery.service, delivery.ma_ho_so)
        task = spawn(self._deliver_after(self._tails.get(key), delivery), name=f"callback {delivery.id}")
        self._tails[key] = task
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    def redeliver(self, delivery_id: str) -> Delivery:
        """Send a dead letter again (its earlier attempts stay on record); KeyError if there is no such
        dead letter."""
        delivery = next((d for d in self.deliveries if d.id == delivery_id and d.status == "dead"), None)
        if delivery is None:
            raise KeyError(delivery_id)
        delivery.status = "pending"
        self._journal.save_delivery(delivery.id, delivery.state())
        self._schedule(delivery)
        return delivery

    def listing(self, status: DeliveryStatus | None = None) -> dict[str, list[dict[str, Any]]]:
        return {
            "items": [d.as_json() for d in self.deliveries if status is None or d.status == status],
            "deadLetters": [d.as_json() for d in self.deliveries if d.status == "dead"],
        }

    async def _deliver_after(self, previous: asyncio.Task[None] | None, delivery: Delivery) -> None:
        if previous is not None:
            # Order per dossier: wait for the earlier callback, whatever became of it.
            await asyncio.gather(previous, return_exceptions=True)
        await self._deliver(delivery)

    async def _deliver(self, delivery: Delivery) -> None:
        for attempt in range(self._retries + 1):
            if attempt:
                await asyncio.sleep(self._backoff_s * 2 ** (attempt - 1))
            try:
                status_code, error = await self._post(delivery)
            except RefusedTargetError as exc:
                delivery.attempts.append({"at": now_vn().isoformat(), "statusCode": None, "error": str(exc)})
                log.warning("callback %s to %s refused: %s", delivery.id, delivery.url, exc)
                break  # the target will not become acceptable by waiting
            delivery.attempts.append({"at": now_vn().isoformat(), "statusCode": status_code, "error": error})
            log.info(
                "callback %s %s %s attempt %d -> %s",
                delivery.id,
                delivery.url,
                delivery.trang_thai,
                attempt + 1,
                status_code or error,
            )
            if status_code is not None and 200 <= status_code < 300:
                delivery.status = "delivered"
                self._journal.save_delivery(delivery.id, delivery.state())
                return
            self._journal.save_delivery(delivery.id, delivery.state())
            if status_code is not None and status_code < 500:
                break  # the receiver refused it; sending it again will not change its mind
        delivery.status = "dead"
        self._journal.save_delivery(delivery.id, delivery.state())
        log.warning("callback %s to %s is a dead letter", delivery.id, delivery.url)

    async def _post(self, delivery: Delivery) -> tuple[int | None, str | None]:
        timestamp = str(int(time.time()))
        headers = {
            "Content-Type": "application/json",
            "X-NDXP-Service": delivery.service,
            "X-NDXP-Delivery": delivery.id,
            "X-NDXP-Timestamp": timestamp,
            "X-NDXP-Signature": sign(self._key, timestamp, delivery.body),
        }
        try:
            url, extensions = await self._pinned(delivery.url, headers)
            response = await self._http().post(
                url, content=delivery.body, headers=headers, extensions=extensions
            )
        except httpx.HTTPError as exc:
            return None, f"{type(exc).__name__}: {exc}" if str(exc) else type(exc).__name__
        return response.status_code, None

    async def _pinned(self, url: str, headers: dict[str, str]) -> tuple[httpx.URL, dict[str, Any]]:
        """The URL with its host resolved now and checked (RefusedTargetError for the simulator's own
        ports); the request then goes to that very address, so a name cannot re-resolve elsewhere."""
        target = httpx.URL(url)
        if target.scheme not in ("http", "https") or not target.host or target.userinfo:
            raise RefusedTargetError(f"not an http(s) URL without credentials: {url}")
        port = target.port or (443 if target.scheme == "https" else 80)
        reason = self._refuse(target.host, port)
        if reason:
            raise RefusedTargetError(reason)
        try:
            infos = await asyncio.get_running_loop().getaddrinfo(target.host, port, type=socket.SOCK_STREAM)
        except OSError as exc:
            raise httpx.ConnectError(f"cannot resolve {target.host}: {exc}") from None
        addresses = [str(info[4][0]) for info in infos]
        for address in addresses:
            reason = self._refuse(address, port)
            if reason:
                raise RefusedTargetError(f"{target.host} resolves to {reason}")
        headers["Host"] = target.netloc.decode("ascii")
        extensions = {"sni_hostname": target.host} if target.scheme == "https" else {}
        return target.copy_with(host=addresses[0]), extensions

    def _http(self) -> httpx.AsyncClient:
        if self._client is None:
            # trust_env off: callbacks go where the consumer said, never through an environment proxy;
            # redirects are not followed: a callback goes to the checked address or nowhere.
            self._client = httpx.AsyncClient(timeout=self._timeout_s, trust_env=False, follow_redirects=False)
        return self._client

    async def reset(self) -> None:
        await self._cancel()
        self.deliveries.clear()
        self._tails.clear()
        self._journal.clear()

    async def aclose(self) -> None:
        await self._cancel()
        if self._client is not None:
            await self._client.aclose()
            self._client = None

    async def _cancel(self) -> None:
        tasks = list(self._tasks)
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)

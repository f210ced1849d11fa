"""The upstream HTTP hop: one client interface; aiohttp for HTTPS backends, httpx for tests (respx, ASGI).

Plain-HTTP backends, the common case, go through the pooled client of `http_pool.py`, which costs far less
per request than aiohttp (bench/README.md); it hands HTTPS and HEAD to `AiohttpUpstream`. httpx 0.28's
pool scans every pooled connection per request, so it serves tests only. Each implementation maps its
library's failures to the gateway's error tree, and nowhere else.
"""

from __future__ import annotations

import asyncio
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Protocol

import aiohttp
import httpx

from ndxp_sim.core.errors import BackendBadResponseError, BackendTimeoutError, BackendUnavailableError


@dataclass(frozen=True, slots=True)
class UpstreamResponse:
    status: int
    body: bytes
    content_type: str
    # The client library's own (case-insensitive) header mapping, kept by reference: nothing is copied on
    # the request path; the few services that pass headers on pick theirs (adapters/oidc.py).
    headers: Mapping[str, str] = field(default_factory=dict)


class UpstreamClient(Protocol):
    async def request(
        self, method: str, url: str, *, headers: Mapping[str, str], body: bytes | None, timeout_s: float
    ) -> UpstreamResponse: ...

    async def close(self) -> None: ...


class AiohttpUpstream:
    """The production client: one pooled aiohttp session per process."""

    def __init__(self, *, max_connections: int = 512) -> None:
        self._max_connections = max_connections
        self._session: aiohttp.ClientSession | None = None

    def _open(self) -> aiohttp.ClientSession:
        # Created lazily so it binds to the running loop (uvicorn workers fork first).
        connector = aiohttp.TCPConnector(limit=self._max_connections, ttl_dns_cache=300, keepalive_timeout=30)
        self._session = aiohttp.ClientSession(
            connector=connector, auto_decompress=True, skip_auto_headers=("User-Agent",)
        )
        return self._session

    async def request(
        self, method: str, url: str, *, headers: Mapping[str, str], body: bytes | None, timeout_s: float
    ) -> UpstreamResponse:
        session = self._session or self._open()
        try:
            async with session.request(
                method,
                url,
                headers=headers,
                data=body,
                timeout=_timeout(timeout_s),
                allow_redirects=False,
            ) as response:
                payload = await response.read()
                return UpstreamResponse(
                    response.status,
                    payload,
                    response.headers.get("content-type", ""),
                    response.headers,
                )
        except TimeoutError:
            raise BackendTimeoutError(f"the backend did not answer within {timeout_s:g} s") from None
        except aiohttp.ClientPayloadError:  # it answered, then broke off: not unreachable, not retriable
            raise BackendBadResponseError("the backend's answer was cut off before its end") from None
        except (aiohttp.ClientError, OSError):
            raise BackendUnavailableError("the backend could not be reached") from None

    async def close(self) -> None:
        if self._session is not None:
            await self._session.close()
            self._session = None


@lru_cache(maxsize=64)
def _timeout(total_s: float) -> aiohttp.ClientTimeout:
    """One immutable ClientTimeout per configured value instead of one per request."""
    return aiohttp.ClientTimeout(total=total_s)


class HttpxUpstream:
    """An httpx-based client: respx can mock it, and it can carry an in-process ASGI transport."""

    def __init__(self, client: httpx.AsyncClient | None = None) -> None:
        self._client = client or httpx.AsyncClient()

    async def request(
        self, method: str, url: str, *, headers: Mapping[str, str], body: bytes | None, timeout_s: float
    ) -> UpstreamResponse:
        try:
            async with asyncio.timeout(timeout_s):  # a total deadline: httpx's own timeouts are per phase
                response = await self._client.request(method, url, headers=dict(headers), content=body)
        except (TimeoutError, httpx.TimeoutException):
            raise BackendTimeoutError(f"the backend did not answer within {timeout_s:g} s") from None
        except httpx.HTTPError:
            raise BackendUnavailableError("the backend could not be reached") from None
        return UpstreamResponse(
            response.status_code,
            response.content,
            response.headers.get("content-type", ""),
            response.headers,
        )

    async def close(self) -> None:
        await self._client.aclose()

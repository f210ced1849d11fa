"""Scenario header and fault profiles: one ASGI middleware in front of every mock service."""

from __future__ import annotations

import asyncio
import hashlib
import random
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, model_validator
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from ndxp_sim.mock_services import responses

SCENARIO_HEADER = b"x-mock-scenario"
TIMEOUT_SCENARIO_CAP_S = 120.0  # a `timeout` request never holds a connection longer than this
SLOW_MAX_MS = 120_000
SCENARIOS = ("timeout", "slow:<ms>", "error:<status>", "not-found", "malformed", "soap-fault", "supplement")


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class LatencyRange(_Strict):
    min: int = Field(..., ge=0, le=60_000)
    max: int = Field(..., ge=0, le=60_000)

    @model_validator(mode="after")
    def _ordered(self) -> LatencyRange:
        if self.min > self.max:
            raise ValueError("latency_ms.min must not exceed latency_ms.max")
        return self


class LatencyFixed(_Strict):
    fixed: int = Field(..., ge=0, le=60_000)


class FaultProfile(_Strict):
    """Random latency and errors for one service, reproducible from `seed`."""

    latency_ms: LatencyRange | LatencyFixed | None = None
    error_rate: float = Field(0.0, ge=0.0, le=1.0)
    error_status: int = Field(503, ge=400, le=599)
    seed: int = 0


@dataclass(frozen=True, slots=True)
class Scenario:
    name: str  # "timeout", "slow", "error", "not-found", "malformed", "soap-fault", "supplement"
    value: int = 0  # milliseconds for slow, HTTP status for error


class ScenarioError(ValueError):
    """The scenario header names no scenario."""


def parse_scenario(raw: str) -> Scenario:
    name, _, arg = raw.strip().partition(":")
    if name in ("timeout", "not-found", "malformed", "soap-fault", "supplement") and not arg:
        return Scenario(name)
    if name in ("slow", "error") and arg.isascii() and arg.isdigit():
        value = int(arg)
        if name == "slow" and value <= SLOW_MAX_MS:
            return Scenario(name, value)
        if name == "error" and 400 <= value <= 599:
            return Scenario(name, value)
    raise ScenarioError(
        f"unknown X-Mock-Scenario {raw!r}; allowed: {', '.join(SCENARIOS)} "
        f"(slow: 0–{SLOW_MAX_MS} ms, error: status 400–599)"
    )


@dataclass(slots=True)
class _ProfileState:
    profile: FaultProfile
    rng: random.Random
    requests: int = 0


@dataclass(frozen=True, slots=True)
class FaultDecision:
    delay_s: float
    error_status: int | None


def _rng(seed: int, service: str) -> random.Random:
    digest = hashlib.sha256(f"{seed}:{service}".encode()).digest()
    return random.Random(int.from_bytes(digest[:8], "big"))


@dataclass
class FaultProfiles:
    """The fault profile of each service and its RNG, advanced once per request."""

    _states: dict[str, _ProfileState] = field(default_factory=dict)

    def put(self, service: str, profile: FaultProfile) -> None:
        self._states[service] = _ProfileState(profile, _rng(profile.seed, service))

    def delete(self, service: str) -> None:
        self._states.pop(service, None)

    def clear(self) -> None:
        self._states.clear()

    def snapshot(self) -> dict[str, dict[str, Any]]:
        return {
            service: state.profile.model_dump(exclude_none=True) | {"requests": state.requests}
            for service, state in sorted(self._states.items())
        }

    def decide(self, service: str) -> FaultDecision | None:
        state = self._states.get(service)
        if state is None:
            return None
        state.requests += 1
        profile, rng = state.profile, state.rng
        delay_ms = 0.0
        if isinstance(profile.latency_ms, LatencyFixed):
            delay_ms = profile.latency_ms.fixed
        elif isinstance(profile.latency_ms, LatencyRange):
            delay_ms = rng.uniform(profile.latency_ms.min, profile.latency_ms.max)
        failed = rng.random() < profile.error_rate
        return FaultDecision(delay_ms / 1000, profile.error_status if failed else None)


@dataclass(frozen=True, slots=True)
class ServiceTraits:
    """What the scenario engine needs to know of a service."""

    soap_namespace: str | None = None  # SOAP services answer faults in this namespace
    dossier: bool = False  # pattern D: accepts the `supplement` scenario


class ScenarioMiddleware:
    """Applies X-Mock-Scenario, else the service's fault profile, to requests under /{service_key}/."""

    def __init__(
        self,
        app: ASGIApp,
        *,
        traits: Callable[[str], ServiceTraits | None],
        profiles: FaultProfiles,
    ) -> None:
        self.app = app
        self.traits = traits
        self.profiles = profiles

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        service = scope["path"].split("/", 2)[1]
        traits = self.traits(service)
        if traits is None:  # admin, health, or no such service
            await self.app(scope, receive, send)
            return
        raw = _header(scope, SCENARIO_HEADER)
        if raw is None:
            await self._apply_profile(service, traits, scope, receive, send)
            return
        try:
            scenario = parse_scenario(raw)
        except ScenarioError as exc:
            await responses.send(send, *responses.rest_error(400, "unknown_scenario", str(exc)))
            return
        await self._apply_scenario(scenario, service, traits, scope, receive, send)

    async def _apply_profile(
        self, service: str, traits: ServiceTraits, scope: Scope, receive: Receive, send: Send
    ) -> None:
        decision = self.profiles.decide(service)
        if decision is not None:
            if decision.delay_s:
                await asyncio.sleep(decision.delay_s)
            if decision.error_status is not None:
                await responses.send(send, *responses.backend_error(decision.error_status, "fault profile"))
                return
        await self.app(scope, receive, send)

    async def _apply_scenario(
        self,
        scenario: Scenario,
        service: str,
        traits: ServiceTraits,
        scope: Scope,
        receive: Receive,
        send: Send,
    ) -> None:
        soap_ns = traits.soap_namespace
        match scenario.name:
            case "timeout":
                await _hang(receive, send)
            case "slow":
                await asyncio.sleep(scenario.value / 1000)
                await self.app(scope, receive, send)
            case "error":
                reason = f"scenario error:{scenario.value}"
                await responses.send(send, *responses.backend_error(scenario.value, reason))
            case "not-found":
                if soap_ns:
                    await responses.send(send, *responses.soap_not_found(soap_ns))
                else:
                    await responses.send(send, *responses.rest_error(404, "not_found", "no such record"))
            case "malformed":
                await _truncated(self.app, scope, receive, send)
            case "soap-fault" if soap_ns:
                await responses.send(send, *responses.soap_server_fault(soap_ns))
            case "supplement" if traits.dossier:
                await self.app(scope, receive, send)  # the dossier router reads the header itself
            case _:
                message = f"scenario {scenario.name!r} does not apply to service {service!r}"
                await responses.send(send, *responses.rest_error(400, "scenario_not_applicable", message))


def _header(scope: Scope, name: bytes) -> str | None:
    for key, value in scope["headers"]:
        if key.lower() == name:
            return str(value.decode("latin-1"))
    return None


async def _hang(receive: Receive, send: Send) -> None:
    """Answer nothing until the client gives up; answer 504 if it is still there after the cap."""
    try:
        async with asyncio.timeout(TIMEOUT_SCENARIO_CAP_S):
            while (await receive())["type"] != "http.disconnect":
                pass
    except TimeoutError:
        await responses.send(send, *responses.rest_error(504, "timeout", "scenario timeout reached its cap"))


async def _truncated(app: ASGIApp, scope: Scope, receive: Receive, send: Send) -> None:
    """Run the real handler, then send the first half of its body with HTTP 200: unparseable JSON/XML."""
    headers: list[tuple[bytes, bytes]] = []
    body = bytearray()

    async def capture(message: Message) -> None:
        if message["type"] == "http.response.start":
            headers.extend(message.get("headers", []))
        elif message["type"] == "http.response.body":
            body.extend(message.get("body", b""))

    await app(scope, receive, capture)
    content_type = next((v for k, v in headers if k.lower() == b"content-type"), b"application/json")
    await responses.send(send, 200, bytes(body[: max(1, len(body) // 2)]), content_type.decode("latin-1"))


def traits_lookup(
    declared: Mapping[str, ServiceTraits], known: set[str]
) -> Callable[[str], ServiceTraits | None]:
    """Traits of a declared service, plain REST traits for a known but undeclared one, else None."""
    plain = ServiceTraits()

    def lookup(service: str) -> ServiceTraits | None:
        return declared.get(service) or (plain if service in known else None)

    return lookup

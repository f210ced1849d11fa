"""Fixtures for the console's browser tests: one simulator with real traffic, and headless Chromium."""

from __future__ import annotations

import re
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import pytest
from playwright.sync_api import Browser, ConsoleMessage, Page, sync_playwright

from ndxp_sim.core import identities
from ndxp_sim.core.settings import Settings
from tests.conftest import CONSUMER, OPERATOR
from tests.console.console_stack import Stack, running_stack, wait_for
from tests.kafka_broker import running_broker, unique_topic
from tests.samples import birth_registration

CHROMIUM = "/usr/bin/chromium"
# Headless, and nothing that phones home: the machine's network is closed.
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "console"
DOSSIER = "000.00.00.H91-KS-CONSOLE-1"
CALLER = {"MaCanBo": "CB-CONSOLE", "MaDVC": "1.000656", "MaTichHop": "LGSP-AG"}


@dataclass
class Traffic:
    """What the seeding calls did, for the tests to find again."""

    total: int = 0
    failed: list[str] = field(default_factory=list)  # exchange ids
    dossier_calls: list[str] = field(default_factory=list)  # operation names in order


@pytest.fixture(scope="module")
def stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Stack]:
    tmp = tmp_path_factory.mktemp("console")
    with running_broker() as broker:
        topic = unique_topic("console")
        settings = Settings(
            log={"spool_dir": tmp / "spool"},
            services={"csdl_dkdn": {"body_policy": "full"}},  # bodies in clear in the record
            store={"url": f"sqlite+aiosqlite:///{tmp / 'exchanges.db'}"},
            kafka={"bootstrap_servers": broker.bootstrap_servers, "topic": topic, "group_id": topic},
            mocks={
                "cache_dir": tmp / "cache",
                "state_file": tmp / "mock-state.db",
                "population": 1000,
                "dossier_step_s": 0.2,
            },
        )
        with running_stack(settings) as running:
            yield running


def consumer_headers(client: httpx.Client, credentials: tuple[str, str] = CONSUMER) -> dict[str, str]:
    response = client.post("/token", data={"grant_type": "client_credentials"}, auth=credentials)
    assert response.status_code == 200, response.text
    return {"authorization": f"Bearer {response.json()['access_token']}"}


def indexed_count(client: httpx.Client, operator: dict[str, str]) -> int:
    """How many exchanges the store holds (through the operator API), up to 500."""
    response = client.get("/_ops/exchanges", params={"limit": 500}, headers=operator)
    assert response.status_code == 200, response.text
    return len(response.json()["items"])


@pytest.fixture(scope="module")
def traffic(stack: Stack) -> Traffic:
    """Real calls through the gateway: lookups, failures and a birth-registration dossier."""
    seen = Traffic()
    with httpx.Client(base_url=stack.base_url, timeout=10) as client:
        headers = consumer_headers(client)

        def call(method: str, path: str, *, expect: int, **kwargs: Any) -> httpx.Response:
            extra = kwargs.pop("headers", {})
            response = client.request(method, path, headers={**headers, **extra}, **kwargs)
            assert response.status_code == expect, response.text
            seen.total += 1
            if expect >= 400:
                seen.failed.append(response.headers["x-ndxp-exchange-id"])
            return response

        citizen = "/apiCSDLDanCu/1.0/TraCuuThongTinCongDan"
        for n in range(4):
            body = {**CALLER, "MaYeuCau": f"YC-CONSOLE-{n}", "SoDinhDanh": identities.CITIZEN_EXISTS}
            call("POST", citizen, json=body, expect=200)
        enterprise = "/apiCSDLDKDN/1.0/chiTietDoanhNghiep"
        for _ in range(3):
            call("GET", enterprise, params={"msdn": identities.ENTERPRISE_ACTIVE}, expect=200)
        call("GET", enterprise, params={"msdn": "0100109106"}, expect=404)
        failing = {**CALLER, "MaYeuCau": "YC-CONSOLE-FAIL", "SoDinhDanh": identities.CITIZEN_EXISTS}
        call("POST", citizen, json=failing, headers={"x-mock-scenario": "error:503"}, expect=503)
        call("POST", citizen, json=failing, headers={"x-mock-scenario": "malformed"}, expect=502)

        dossier = {"MaHoSo": DOSSIER}
        call(
            "POST",
            "/apiHoTich/1.0/dangKyKhaiSinh",
            json=birth_registration(DOSSIER),
            headers=dossier,
            expect=200,
        )
        seen.dossier_calls.append("dangKyKhaiSinh")
        while True:
            status = call(
                "GET", "/apiHoTich/1.0/traCuuHoSo", params={"maHoSo": DOSSIER}, headers=dossier, expect=200
            )
            seen.dossier_calls.append("traCuuHoSo")
            if status.json()["value"]["trangThai"] == "done":
                break
            assert len(seen.dossier_calls) < 60, "the dossier never finished"
            time.sleep(0.15)
        operator = consumer_headers(client, OPERATOR)
        wait_for(lambda: indexed_count(client, operator) >= seen.total, what="every call indexed")
    return seen


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield launched
        launched.close()


class BrowserConsole:
    """Errors the browser console reported; a test may allow the ones it provokes on purpose."""

    def __init__(self) -> None:
        self.errors: list[str] = []
        self.allowed: list[re.Pattern[str]] = []

    def allow(self, pattern: str) -> None:
        self.allowed.append(re.compile(pattern))

    def unexpected(self) -> list[str]:
        return [e for e in self.errors if not any(p.search(e) for p in self.allowed)]


@pytest.fixture
def browser_console() -> BrowserConsole:
    return BrowserConsole()


@pytest.fixture
def page(browser: Browser, stack: Stack, browser_console: BrowserConsole) -> Iterator[Page]:
    """A fresh browser context; the test fails if the browser console reports an error it did not allow."""
    context = browser.new_context(base_url=stack.base_url, viewport={"width": 1366, "height": 768})
    opened = context.new_page()

    def on_console(message: ConsoleMessage) -> None:
        if message.type == "error":
            browser_console.errors.append(f"console: {message.text} at {message.location['url']}")

    opened.on("console", on_console)
    opened.on("pageerror", lambda error: browser_console.errors.append(f"page error: {error}"))
    yield opened
    context.close()
    assert browser_console.unexpected() == []


def screenshot(page: Page, name: str) -> None:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=ARTIFACTS / f"{name}.png", full_page=True)


def sign_in(
    page: Page, credentials: tuple[str, str] = OPERATOR, target: str = "/console/", *, succeeds: bool = True
) -> None:
    """Through the sign-in form, as a person would; waits until the console (or the refusal) shows."""
    page.goto(target)
    page.fill("#client_id", credentials[0])
    page.fill("#client_secret", credentials[1])
    with page.expect_navigation():
        page.click("button.primary")
    if succeeds:
        page.wait_for_url(lambda url: "/console/login" not in url)

"""Console sign-in over HTTP: cookie attributes, CSRF on every state change, safe redirects, headers."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest

from tests.conftest import CONSUMER, OPERATOR, GatewayHarness, MakeGateway, MakeSettings


def _csrf(page: httpx.Response) -> str:
    match = re.search(r'name="csrf" value="([0-9a-f]+)"', page.text)
    assert match, page.text
    return match.group(1)


async def _sign_in(
    client: httpx.AsyncClient, credentials: tuple[str, str] = OPERATOR, **extra: str
) -> httpx.Response:
    form = await client.get("/console/login")
    data = {"client_id": credentials[0], "client_secret": credentials[1], "csrf": _csrf(form), **extra}
    return await client.post("/console/login", data=data)


@pytest.fixture
async def browser(gateway: GatewayHarness) -> AsyncIterator[httpx.AsyncClient]:
    """A cookie-keeping client of the in-process gateway, over https (so cookies must be Secure)."""
    transport = httpx.ASGITransport(app=gateway.app)
    async with httpx.AsyncClient(transport=transport, base_url="https://gateway") as client:
        yield client


async def test_an_operator_signs_in_with_a_strict_secure_http_only_cookie(browser: httpx.AsyncClient) -> None:
    response = await _sign_in(browser, next="/console/trace")

    assert response.status_code == 303 and response.headers["location"] == "/console/trace"
    cookie = next(c for c in response.headers.get_list("set-cookie") if c.startswith("ndxp_console="))
    assert {"HttpOnly", "Secure", "SameSite=strict", "Path=/console"} <= {
        p.strip() for p in cookie.split(";")
    }


async def test_consumer_credentials_and_wrong_secrets_do_not_open_it(browser: httpx.AsyncClient) -> None:
    consumer = await _sign_in(browser, CONSUMER)
    wrong = await _sign_in(browser, (OPERATOR[0], "not-the-secret"))

    assert consumer.status_code == 403 and "vận hành viên" in consumer.text
    assert wrong.status_code == 401
    assert "ndxp_console" not in browser.cookies


async def test_every_state_change_needs_the_session_csrf_token(browser: httpx.AsyncClient) -> None:
    form = await browser.get("/console/login")
    forged = {"client_id": OPERATOR[0], "client_secret": OPERATOR[1], "csrf": "0" * 64}
    assert (await browser.post("/console/login", data=forged)).status_code == 403
    assert (await browser.post("/console/login", data={**forged, "csrf": ""})).status_code == 403
    pre_session_token = _csrf(form)

    await _sign_in(browser)
    page = await browser.get("/console/live")
    token = _csrf(page)
    assert token != pre_session_token  # the token is bound to the session, not reusable from before it
    for path, data in [
        ("/console/logout", {}),
        ("/console/lang", {"lang": "en"}),
        ("/console/subject", {"identifier": "1"}),
    ]:
        assert (await browser.post(path, data=data)).status_code == 403, path
        assert (await browser.post(path, data={**data, "csrf": pre_session_token})).status_code == 403, path

    switched = await browser.post(
        "/console/lang", data={"lang": "en", "csrf": token, "back": "/console/live"}
    )
    assert switched.status_code == 303 and switched.headers["location"] == "/console/live"
    assert "Live" in (await browser.get("/console/live")).text
    signed_out = await browser.post("/console/logout", data={"csrf": token})
    assert signed_out.status_code == 303
    assert (await browser.get("/console/live")).status_code == 303


async def test_redirects_stay_inside_the_console(browser: httpx.AsyncClient) -> None:
    for target in ("https://elsewhere.example/", "//elsewhere.example/console/", "/console//x", "/docs"):
        response = await _sign_in(browser, next=target)
        assert response.headers["location"] == "/console/", target
        await browser.post("/console/logout", data={"csrf": _csrf(await browser.get("/console/live"))})


async def test_pages_forbid_framing_and_foreign_scripts(browser: httpx.AsyncClient) -> None:
    page = await browser.get("/console/login")

    assert "script-src 'self'" in page.headers["content-security-policy"]
    assert "frame-ancestors 'none'" in page.headers["content-security-policy"]
    assert page.headers["x-content-type-options"] == "nosniff"
    assert page.headers["cache-control"] == "no-store"


async def test_an_unavailable_store_is_said_plainly(
    make_gateway: MakeGateway, make_settings: MakeSettings, tmp_path: Path
) -> None:
    (tmp_path / "a-file").write_text("not a folder")
    settings = make_settings(store={"url": f"sqlite+aiosqlite:///{tmp_path / 'a-file' / 'exchanges.db'}"})
    gateway = make_gateway(settings)
    api = gateway.app.api
    async with (
        api.router.lifespan_context(api),
        httpx.AsyncClient(
            transport=httpx.ASGITransport(app=gateway.app), base_url="http://gateway"
        ) as client,
    ):
        await _sign_in(client)
        page = await client.get("/console/exchanges")

    assert page.status_code == 503
    assert "exchange store unavailable" in page.text


async def test_guessing_an_operator_secret_at_the_sign_in_form_is_throttled_like_token(
    browser: httpx.AsyncClient,
) -> None:
    """Wrong secrets for the operator id at the console's form count with POST /token's: after ten a minute
    the form answers 429 with Retry-After before checking the secret, and so does /token for that id."""
    answers = [(await _sign_in(browser, (OPERATOR[0], f"not-the-secret-{n}"))).status_code for n in range(10)]
    refused = await _sign_in(browser, OPERATOR)  # even the right secret waits out the window
    token = await browser.post("/token", data={"grant_type": "client_credentials"}, auth=OPERATOR)

    assert answers == [401] * 10
    assert refused.status_code == 429 and int(refused.headers["retry-after"]) >= 1
    assert "Quá nhiều lần đăng nhập" in refused.text and "ndxp_console" not in browser.cookies
    assert token.status_code == 429


async def test_a_signed_out_session_cookie_no_longer_opens_the_console(browser: httpx.AsyncClient) -> None:
    """Sign in, keep a copy of the session cookie, sign out → the copied cookie is sent to sign-in, not
    shown the console (a cookie taken from the browser is worthless once its owner signs out)."""
    await _sign_in(browser)
    copied = browser.cookies["ndxp_console"]
    assert (await browser.get("/console/live")).status_code == 200
    await browser.post("/console/logout", data={"csrf": _csrf(await browser.get("/console/live"))})

    again = await browser.get("/console/live", headers={"cookie": f"ndxp_console={copied}"})

    assert again.status_code == 303 and again.headers["location"].startswith("/console/login")

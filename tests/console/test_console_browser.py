"""The operator console in a real headless Chromium, over traffic that really went through the gateway."""

from __future__ import annotations

import csv
import io
import json
import re

import httpx
from playwright.sync_api import Page, expect

from ndxp_sim.core import identities
from tests.conftest import CONSUMER
from tests.console.conftest import DOSSIER, BrowserConsole, Traffic, consumer_headers, screenshot, sign_in
from tests.console.console_stack import Stack

DAN_CU = "Cơ sở dữ liệu quốc gia về dân cư"


def test_overview_charts_show_the_real_traffic(page: Page, traffic: Traffic) -> None:
    sign_in(page)

    expect(page).to_have_url(re.compile(r"/console/$"))
    assert int(page.inner_text("#total-count")) >= traffic.total
    assert int(page.inner_text("#total-errors")) >= len(traffic.failed)
    assert page.locator("#traffic-chart rect.bar.ok").count() >= 1
    assert page.locator("#traffic-chart rect.bar.error").count() >= 1
    for key in ("csdl_dan_cu", "csdl_dkdn", "ho_tich"):
        expect(page.locator(f"#per-service tr[data-service={key}]")).to_have_count(1)
    services = page.locator("#services tbody tr")
    expect(services).to_have_count(24)
    expect(page.locator("#services tr[data-service=csdl_dan_cu]")).to_contain_text(DAN_CU)
    # The population service failed 2 of 6 calls (33 %): amber; the business registry is green.
    expect(page.locator("#services tr[data-service=csdl_dan_cu]")).to_have_attribute("data-state", "amber")
    expect(page.locator("#services tr[data-service=csdl_dkdn]")).to_have_attribute("data-state", "green")
    expect(page.locator("#pipeline")).to_contain_text("kết nối được")
    assert page.inner_text("#spool") == "0"
    screenshot(page, "overview")

    page.click("#switch-language")
    expect(page.locator("h1")).to_have_text("Overview")
    expect(page.locator("#services tr[data-service=csdl_dan_cu]")).to_contain_text(DAN_CU)
    expect(page.locator("#pipeline")).to_contain_text("reachable")
    page.click("#switch-language")
    expect(page.locator("h1")).to_have_text("Tổng quan")


def test_failing_calls_of_the_last_hour_filter_and_open_an_exchange(page: Page, traffic: Traffic) -> None:
    sign_in(page)
    page.click("#failing-last-hour")

    rows = page.locator("#results tbody tr")
    expect(rows).to_have_count(len(traffic.failed))
    ids = rows.evaluate_all("rows => rows.map(r => r.dataset.exchangeId)")
    assert sorted(ids) == sorted(traffic.failed)
    assert ids == sorted(ids, reverse=True)  # newest first (the ids are time-ordered)
    screenshot(page, "search")

    page.select_option("#f-service", "csdl_dan_cu")
    page.click("#apply-filters")
    expect(rows).to_have_count(2)
    assert "service=csdl_dan_cu" in page.url and "from=" not in page.url  # empty fields stay out

    page.locator("#results tbody tr a").first.click()
    expect(page.locator("#waterfall rect.bar")).to_have_count(3)
    expect(page.locator("#fields")).to_contain_text("Server.Backend")
    content = page.content()
    assert identities.CITIZEN_EXISTS not in content  # the body is masked
    expect(page.locator("#request_body")).to_contain_text("YC-CONSOLE-FAIL")
    screenshot(page, "exchange")
    page.click("#consumer-link")
    expect(page.locator("#f-consumer")).to_have_value("000.00.00.H91")
    assert page.locator("#results tbody tr").count() >= min(50, traffic.total)


def test_paging_and_the_subject_search(page: Page, traffic: Traffic) -> None:
    sign_in(page, target="/console/exchanges?service=csdl_dkdn&limit=2")
    expect(page.locator("#results tbody tr")).to_have_count(2)
    page.click("#next-page")
    expect(page.locator("#results tbody tr")).to_have_count(2)
    expect(page.locator("#next-page")).to_have_count(0)

    page.goto("/console/exchanges")
    page.click("summary")
    page.fill("#s-identifier", identities.CITIZEN_EXISTS)
    page.press("#s-identifier", "Enter")
    # His 4 lookups, the 2 failed ones, and the 3 enterprise records naming him as legal representative
    expect(page.locator("#results tbody tr")).to_have_count(9)
    assert identities.CITIZEN_EXISTS not in page.url


def test_bodies_logged_in_clear_are_masked_until_asked_for(page: Page, traffic: Traffic) -> None:
    sign_in(page, target="/console/exchanges?service=csdl_dkdn&outcome=ok&limit=1")
    page.locator("#results tbody tr a").first.click()

    expect(page.locator("#body-view")).to_be_visible()
    expect(page.locator("#response_body")).not_to_contain_text(identities.CITIZEN_EXISTS)
    page.click("#show-as-logged")
    expect(page.locator("#response_body")).to_contain_text(identities.CITIZEN_EXISTS)


def test_trace_of_a_birth_registration_dossier(page: Page, traffic: Traffic) -> None:
    sign_in(page, target="/console/trace")
    page.select_option("#trace-key", "ma_ho_so")
    page.fill("#trace-value", DOSSIER)
    page.press("#trace-value", "Enter")

    rows = page.locator("#trace tbody tr")
    expect(rows).to_have_count(len(traffic.dossier_calls))
    operations = rows.evaluate_all("rows => rows.map(r => r.cells[4].textContent.trim())")
    assert operations == traffic.dossier_calls
    assert operations[0] == "dangKyKhaiSinh" and operations.count("traCuuHoSo") >= 2
    services = set(rows.evaluate_all("rows => rows.map(r => r.cells[3].textContent.trim())"))
    assert services == {"Hệ thống thông tin đăng ký và quản lý hộ tịch"}
    expect(page.locator("#trace-timeline circle")).to_have_count(len(traffic.dossier_calls))
    screenshot(page, "trace")

    rows.first.locator("a").first.click()
    page.click("#trace-link")
    expect(page.locator("#trace tbody tr")).to_have_count(len(traffic.dossier_calls))


def test_a_new_exchange_appears_live(page: Page, stack: Stack, traffic: Traffic) -> None:
    sign_in(page, target="/console/live")
    expect(page.locator("#live-status")).to_have_attribute("data-state", "open")

    with httpx.Client(base_url=stack.base_url, timeout=10) as client:
        response = client.post(
            "/apiCSDLDanCu/1.0/TraCuuThongTinCongDan",
            json={"MaYeuCau": "YC-LIVE-1", "MaCanBo": "CB-1", "SoDinhDanh": identities.COUPLE_HUSBAND},
            headers=consumer_headers(client),
        )
    assert response.status_code == 200
    exchange_id = response.headers["x-ndxp-exchange-id"]

    row = page.locator(f"#live tbody tr[data-exchange-id='{exchange_id}']")
    expect(row).to_be_visible(timeout=15_000)
    expect(row).to_contain_text("YC-LIVE-1")
    expect(row).to_contain_text(DAN_CU)
    screenshot(page, "live")


def test_export_a_search_as_csv_and_json_lines(page: Page, traffic: Traffic) -> None:
    sign_in(page, target="/console/exchanges?service=ho_tich&since=1h")
    shown = page.locator("#results tbody tr").count()
    assert shown == len(traffic.dossier_calls)

    with page.expect_download() as csv_download:
        page.click("#export-csv")
    rows = list(csv.DictReader(io.StringIO(csv_download.value.path().read_text(encoding="utf-8"))))
    assert len(rows) == shown and {r["service_key"] for r in rows} == {"ho_tich"}
    assert {r["ma_ho_so"] for r in rows} == {DOSSIER}

    with page.expect_download() as jsonl_download:
        page.click("#export-jsonl")
    lines = jsonl_download.value.path().read_text(encoding="utf-8").splitlines()
    items = [json.loads(line) for line in lines]
    assert [i["exchange_id"] for i in items] == [r["exchange_id"] for r in rows]


def test_refused_without_a_session_or_with_consumer_credentials(
    page: Page, stack: Stack, browser_console: BrowserConsole
) -> None:
    page.goto("/console/exchanges")
    expect(page).to_have_url(re.compile(r"/console/login\?next="))
    screenshot(page, "sign-in")

    with httpx.Client(base_url=stack.base_url, timeout=10) as client:
        for path in ("/console/export.csv", "/console/export.jsonl", "/console/live/stream"):
            assert client.get(path).status_code == 401
        consumer = consumer_headers(client)
        assert client.get("/console/exchanges", headers=consumer).status_code == 303
        assert client.post("/console/login", data={"client_id": "ops.ndxp-sim"}).status_code == 403  # no CSRF

    browser_console.allow(r"status of 403 .* at .*/console/login$")  # the refused sign-in below
    sign_in(page, CONSUMER, target="/console/", succeeds=False)
    expect(page.locator("#sign-in-problem")).to_be_visible()
    assert not [c for c in page.context.cookies() if c["name"] == "ndxp_console"]

    sign_in(page, target="/console/")
    expect(page.locator("h1")).to_have_text("Tổng quan")
    [session] = [c for c in page.context.cookies() if c["name"] == "ndxp_console"]
    assert session["httpOnly"] and session["sameSite"] == "Strict" and session["path"] == "/console"
    assert not session["secure"]  # served over plain HTTP here; Secure when the request came over TLS

    page.click("#sign-out")
    expect(page).to_have_url(re.compile(r"/console/login$"))
    page.goto("/console/")
    expect(page).to_have_url(re.compile(r"/console/login"))


def test_keyboard_reaches_the_content_first(page: Page, traffic: Traffic) -> None:
    sign_in(page)
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.className") == "skip"
    page.keyboard.press("Enter")
    assert page.evaluate("location.hash") == "#main"

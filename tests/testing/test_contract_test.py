"""`ndxp-sim contract-test` as a user runs it: a subprocess against real simulator processes over HTTP."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import threading
import xml.etree.ElementTree as ET
from collections.abc import Callable, Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any, ClassVar

import httpx
import pytest
import yaml

from ndxp_sim.adapters.registry import load_adapters
from ndxp_sim.contracts import CONTRACTS_DIR
from tests.e2e.conftest import Processes

pytestmark = pytest.mark.e2e
ROOT = Path(__file__).resolve().parents[2]
BROKEN_FIELD = "SoGCNDKKD"  # a string in the contract; the broken target answers a number


def _clean_env() -> dict[str, str]:
    """The caller's environment without its NDXP_* settings: the runs must not depend on them."""
    return {key: value for key, value in os.environ.items() if not key.startswith("NDXP_")}


@pytest.fixture(scope="module")
def simulator(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Processes]:
    """The mocks and the gateway as real processes (no exchange log: not what is tested here)."""
    for _attempt in range(3):  # a free port can be taken between picking it and the server binding it
        parts = Processes(tmp_path_factory.mktemp("sim"))
        parts.env = _clean_env() | {
            "NDXP_PORT": str(parts.port),
            "NDXP_MOCKS__PORT": str(parts.mock_port),
            "NDXP_LOG__ENABLED": "false",
            "NDXP_LOG__SPOOL_DIR": str(parts.tmp_path / "spool"),
            "NDXP_MOCKS__CACHE_DIR": str(parts.tmp_path / "cache"),
            "NDXP_MOCKS__STATE_FILE": str(parts.tmp_path / "mock-state.db"),
            "NDXP_MOCKS__POPULATION": "1000",
        }
        try:
            parts.start("mocks", "mocks", health="/health")
            parts.start("gateway", "gateway", health="/health")
        except AssertionError:
            parts.stop_all()
            continue
        yield parts
        parts.stop_all()
        return
    pytest.fail("the simulator did not start in three attempts")


def contract_test(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "ndxp_sim.gateway", "contract-test", *args],
        cwd=ROOT,
        env=_clean_env(),
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )


def contract_operations() -> dict[str, set[str]]:
    """Every operation of every implemented service, read from the gateway-facing contracts."""
    found = {}
    for key in load_adapters():
        document = yaml.safe_load((CONTRACTS_DIR / f"{key}.openapi.yaml").read_text(encoding="utf-8"))
        found[key] = {
            spec["operationId"] for methods in document["paths"].values() for spec in methods.values()
        }
    return found


def junit_cases(path: Path) -> dict[tuple[str, str], bool]:
    """(classname, name) -> passed, for every <testcase> of the report."""
    root = ET.parse(path).getroot()
    return {
        (case.attrib["classname"], case.attrib["name"]): case.find("failure") is None
        for case in root.iter("testcase")
    }


def test_the_gateway_meets_its_contracts(simulator: Processes, tmp_path: Path) -> None:
    report = tmp_path / "junit.xml"
    run = contract_test("--target", simulator.base_url, "--seed", "7", "--junit", str(report))
    assert run.returncode == 0, run.stdout + run.stderr
    cases = junit_cases(report)
    assert all(cases.values())
    for key, names in contract_operations().items():
        for name in names:
            assert f"{key} {name}: example" in run.stdout  # the progress line of the operation
            for kind in ("positive", "negative"):
                assert (f"{key}.{name}", f"{kind}: {kind}") in cases
            assert any(classname == f"{key}.{name}" and n.startswith("example: ") for classname, n in cases)
    # The example cases include Vietnamese names with diacritics (e.g. HoVaTen.Ho: Nguyễn).
    assert ("csdl_dan_cu.TraCuuThongTinCongDan", "example: citizen-found") in cases
    assert "0 failed" in run.stdout


def test_the_mock_backends_meet_their_contracts(simulator: Processes, tmp_path: Path) -> None:
    report = tmp_path / "junit.xml"
    mocks = f"http://127.0.0.1:{simulator.mock_port}"
    run = contract_test("--target", mocks, "--backend", "--seed", "7", "--junit", str(report))
    assert run.returncode == 0, run.stdout + run.stderr
    cases = junit_cases(report)
    assert all(cases.values())
    # SOAP: example envelopes, answers validated against the XSD; REST: examples and generated requests.
    assert ("csdl_dan_cu.XacThucThongTinCongDan", "example: identity-matches") in cases
    assert ("csdl_dkdn.chiTietDoanhNghiep", "positive: positive") in cases
    assert ("ho_tich.traCuuHoSo", "negative: negative") in cases


class _BreakingProxy(BaseHTTPRequestHandler):
    """Forwards to the real gateway, but answers chiTietDoanhNghiep with a number where a string belongs."""

    gateway: ClassVar[str] = ""

    def _forward(self) -> None:
        body = self.rfile.read(int(self.headers.get("content-length") or 0))
        headers = {k: v for k, v in self.headers.items() if k.lower() not in ("host", "content-length")}
        answer = httpx.request(
            self.command, self.gateway + self.path, headers=headers, content=body, timeout=30
        )
        content = answer.content
        if "/chiTietDoanhNghiep" in self.path and answer.status_code == 200:
            document = answer.json()
            document["GetEntCert"][0][BROKEN_FIELD] = 123456
            content = httpx.Response(200, json=document).content
        self.send_response(answer.status_code)
        for name in ("content-type", "x-ndxp-error"):
            if name in answer.headers:
                self.send_header(name, answer.headers[name])
        self.send_header("content-length", str(len(content)))
        self.end_headers()
        self.wfile.write(content)

    do_GET = do_POST = _forward

    def log_message(self, *args: Any) -> None:
        return None


class _HtmlPage(BaseHTTPRequestHandler):
    """A web server that is not the API: every answer is an HTML page."""

    def _page(self) -> None:
        page = b"<!doctype html><html><body>C\xe1\xbb\x95ng th\xc3\xb4ng tin</body></html>"
        self.send_response(200)
        self.send_header("content-type", "text/html; charset=utf-8")
        self.send_header("content-length", str(len(page)))
        self.end_headers()
        self.wfile.write(page)

    do_GET = do_POST = _page

    def log_message(self, *args: Any) -> None:
        return None


def _serve(handler: type[BaseHTTPRequestHandler]) -> tuple[str, Callable[[], None]]:
    """Serve on a port the kernel picks while binding (nothing to race); (its URL, the stop function)."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()

    def stop() -> None:
        server.shutdown()
        server.server_close()
        thread.join()

    return f"http://127.0.0.1:{server.server_address[1]}", stop


def test_a_wrong_field_type_fails_naming_the_operation_and_the_field(
    simulator: Processes, tmp_path: Path
) -> None:
    _BreakingProxy.gateway = simulator.base_url
    target, stop = _serve(_BreakingProxy)
    try:
        args = ("--target", target, "--service", "csdl_dkdn", "--seed", "11", "--max-examples", "10")
        run = contract_test(*args, "--junit", str(tmp_path / "junit.xml"))
        again = contract_test(*args)
    finally:
        stop()
    assert run.returncode == 1, run.stdout + run.stderr
    assert "FAIL csdl_dkdn chiTietDoanhNghiep [example] enterprise-found" in run.stdout
    assert f"field GetEntCert.0.{BROKEN_FIELD}: 123456 is not of type" in run.stdout
    rows = [line.split() for line in run.stdout.splitlines()]
    assert any(row[:2] == ["csdl_dkdn", "danhSachDoanhNghiep"] and row[-1] == "pass" for row in rows)
    assert any(row[:2] == ["csdl_dkdn", "chiTietDoanhNghiep"] and row[-2] == "FAIL" for row in rows)
    reproduce = [line for line in run.stdout.splitlines() if "reproduce: curl" in line]
    assert reproduce and all('"Authorization: Bearer $TOKEN"' in line for line in reproduce)
    # The same seed generates the same requests, so the same smallest failing one.
    assert reproduce == [line for line in again.stdout.splitlines() if "reproduce: curl" in line]
    cases = junit_cases(tmp_path / "junit.xml")
    assert not cases[("csdl_dkdn.chiTietDoanhNghiep", "example: enterprise-found")]
    assert cases[("csdl_dkdn.danhSachDoanhNghiep", "positive: positive")]


@pytest.fixture
def html_site() -> Iterator[str]:
    url, stop = _serve(_HtmlPage)
    yield url
    stop()


@pytest.fixture
def closed_port() -> Iterator[int]:
    """A port held bound but not listening: connections are refused, and no other test can take it."""
    with socket.socket() as held:
        held.bind(("127.0.0.1", 0))
        yield held.getsockname()[1]


@pytest.fixture
def broken_contracts(tmp_path: Path) -> Path:
    copy = tmp_path / "contracts"
    shutil.copytree(CONTRACTS_DIR, copy, ignore=shutil.ignore_patterns("__pycache__", "*.py"))
    (copy / "csdl_dkdn.openapi.yaml").write_text("openapi: 3.1.0\npaths: [\n", encoding="utf-8")
    return copy


def _one_line_error(run: subprocess.CompletedProcess[str]) -> str:
    assert run.returncode == 2, run.stdout + run.stderr
    assert "Traceback" not in run.stdout + run.stderr
    lines = run.stderr.strip().splitlines()
    assert len(lines) == 1, run.stderr
    return lines[0]


def test_an_unknown_service_key_is_bad_usage(closed_port: int) -> None:
    line = _one_line_error(
        contract_test("--target", f"http://127.0.0.1:{closed_port}", "--service", "csdl_x")
    )
    assert "unknown service key 'csdl_x'" in line and "csdl_dkdn" in line


def test_an_unreachable_target_is_bad_usage(closed_port: int) -> None:
    line = _one_line_error(contract_test("--target", f"http://127.0.0.1:{closed_port}"))
    assert f"cannot reach http://127.0.0.1:{closed_port}/token" in line


@pytest.mark.parametrize("extra", [(), ("--token", "a-token"), ("--backend",)])
def test_a_target_answering_html_is_bad_usage(html_site: str, extra: tuple[str, ...]) -> None:
    line = _one_line_error(contract_test("--target", html_site, *extra))
    assert "answered HTML" in line and html_site in line


def test_a_contract_file_that_does_not_parse_is_bad_usage(broken_contracts: Path, closed_port: int) -> None:
    target = f"http://127.0.0.1:{closed_port}"  # never called: the files are read before anything is sent
    line = _one_line_error(contract_test("--target", target, "--contracts", str(broken_contracts)))
    assert "csdl_dkdn.openapi.yaml: not valid YAML at line" in line

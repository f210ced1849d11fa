"""The pytest plugin as a user meets it: inner pytest sessions (separate processes) that use its fixtures."""

from __future__ import annotations

import socket
from collections.abc import Iterator
from pathlib import Path

import pytest

pytest_plugins = ["pytester"]

# Inner sessions: no pytest-asyncio (its own configuration warning is not ours), bounded in time.
INNER_ARGS = ("-p", "no:asyncio", "-p", "no:cacheprovider", "-W", "error")
INNER_TIMEOUT_S = 240

# The fake consumer and a procedure the user's tests would run: business-registry lookup.
CALL = "/apiCSDLDKDN/1.0/chiTietDoanhNghiep?msdn=1600123453"


@pytest.fixture(autouse=True)
def hostile_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    """NDXP_* variables an inner session must ignore: read, any of them would stop the simulator."""
    monkeypatch.setenv("NDXP_LOG_LEVEL", "nonsense")
    monkeypatch.setenv("NDXP_PORT", "1")
    monkeypatch.setenv("NDXP_STORE__URL", "nonsense://")
    monkeypatch.setenv("NDXP_KAFKA__BOOTSTRAP_SERVERS", "127.0.0.1:1")


@pytest.fixture
def held_port() -> Iterator[int]:
    """A loopback port some other program is listening on."""
    with socket.create_server(("127.0.0.1", 0)) as sock:
        yield sock.getsockname()[1]


def run(pytester: pytest.Pytester, *extra: str) -> pytest.RunResult:
    return pytester.runpytest_subprocess(*INNER_ARGS, *extra, timeout=INNER_TIMEOUT_S)


def test_a_session_that_uses_no_fixture_loads_nothing_and_opens_nothing(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(
        """
        import os, sys, threading
        from pathlib import Path

        def test_nothing_heavy():
            assert "ndxp_sim.testing.plugin" in sys.modules  # the plugin is active
            ours = {m for m in sys.modules if m.startswith("ndxp_sim")}
            assert ours <= {"ndxp_sim", "ndxp_sim.testing", "ndxp_sim.testing.plugin"}, ours
            heavy = ("fastapi", "uvicorn", "starlette", "sqlalchemy", "aiokafka", "pydantic_settings")
            assert not [m for m in sys.modules if m.split(".")[0] in heavy]
            assert threading.active_count() == 1
            fds = os.listdir("/proc/self/fd")
            links = [os.readlink(f"/proc/self/fd/{fd}") for fd in fds if Path(f"/proc/self/fd/{fd}").exists()]
            assert not [link for link in links if link.startswith("socket:")]
            for task in os.listdir("/proc/self/task"):
                assert Path(f"/proc/self/task/{task}/children").read_text() == ""
        """
    )
    result = run(pytester)
    result.assert_outcomes(passed=1)
    assert "warning" not in result.stdout.str().lower()


def test_ndxp_sim_gives_a_working_token_and_client(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(
        f"""
        import httpx
        from ndxp_sim.testing import Simulator

        def test_call(ndxp_sim: Simulator):
            assert isinstance(ndxp_sim, Simulator)
            assert ndxp_sim.settings.log_level == "warning"  # not the NDXP_LOG_LEVEL of the caller
            assert ndxp_sim.gateway_url == f"http://127.0.0.1:{{ndxp_sim.settings.port}}"
            response = ndxp_sim.client.post(
                "/apiCSDLDanCu/1.0/TraCuuThongTinCongDan",
                json={{"MaYeuCau": "Y", "MaCanBo": "C", "SoDinhDanh": ndxp_sim.identities.CITIZEN_EXISTS}},
            )
            assert response.status_code == 200, response.text
            citizen = response.json()["CongdanCollection"]["CongDan"][0]
            assert citizen["HoVaTen"]["Ten"] == "An"
            own = httpx.get(
                ndxp_sim.gateway_url + "{CALL}", headers={{"Authorization": f"Bearer {{ndxp_sim.token}}"}}
            )
            assert own.status_code == 200
            assert httpx.get(ndxp_sim.mock_url + "/health").json()["status"] == "ok"

        def test_same_simulator_for_the_session(ndxp_sim):
            assert ndxp_sim.client.get("{CALL}").status_code == 200
        """
    )
    run(pytester).assert_outcomes(passed=2)


def test_a_scenario_applies_to_one_test_only_even_when_it_fails(pytester: pytest.Pytester) -> None:
    pytester.makeconftest(
        """
        import pytest

        @pytest.fixture(scope="session")
        def ndxp_sim_config():
            return {"services": {"csdl_dan_cu": {"timeout_s": 1}}}
        """
    )
    pytester.makepyfile(
        f"""
        import httpx

        def own_call(ndxp_sim):
            return httpx.get(
                ndxp_sim.gateway_url + "{CALL}", headers={{"Authorization": f"Bearer {{ndxp_sim.token}}"}}
            )

        def test_1_error_scenario_then_fails(ndxp_sim, ndxp_sim_scenario):
            ndxp_sim_scenario("error:503")
            response = ndxp_sim.client.get("{CALL}")
            assert response.status_code == 503
            assert response.headers["X-NDXP-Error"] == "Server.Backend.Unavailable"
            ndxp_sim_scenario.fault("csdl_dkdn", error_rate=1.0, error_status=500)
            assert own_call(ndxp_sim).status_code == 502  # a fault profile reaches every client
            raise AssertionError("deliberate failure")

        def test_2_back_to_normal(ndxp_sim):
            assert "X-Mock-Scenario" not in ndxp_sim.client.headers
            assert ndxp_sim.client.get("{CALL}").status_code == 200
            assert own_call(ndxp_sim).status_code == 200

        def test_3_timeout_within_the_configured_limit(ndxp_sim, ndxp_sim_scenario):
            with ndxp_sim_scenario("timeout"):
                citizen = {{"MaYeuCau": "Y", "MaCanBo": "C", "SoDinhDanh": "089085012345"}}
                response = ndxp_sim.client.post("/apiCSDLDanCu/1.0/TraCuuThongTinCongDan", json=citizen)
                assert response.status_code == 504
                assert response.elapsed.total_seconds() < 5
            assert ndxp_sim_scenario.headers == {{}}
        """
    )
    result = run(pytester)
    result.assert_outcomes(passed=2, failed=1)
    result.stdout.fnmatch_lines(
        ["*AssertionError: deliberate failure", "FAILED *::test_1_error_scenario_then_fails*"]
    )


def test_reset_isolates_a_test_from_the_dossiers_of_others(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(
        """
        import pytest

        DOSSIER = "000.00.00.H91-KS-PLUGIN-1"
        BIRTH = {
            "maDonVi": "000.00.00.H91", "maTinh": "91", "maHoSo": DOSSIER, "ngayTiepNhan": "2025-11-03",
            "hoTich": {
                "maGCS": "GCS-2025-000123", "nksHoTen": "Lê Minh Khang", "nksGioiTinh": "Nam",
                "nksNgaySinh": "2025-11-01", "nksNoiSinh": {"maTinh": "91", "maXa": "30307"},
                "meHoTen": "Phạm Thị Dung", "meSoDDCN": "091191012348",
                "nycHoTen": "Phạm Thị Dung", "nycQuanHe": "Mẹ",
            },
        }

        def status(ndxp_sim):
            return ndxp_sim.client.get("/apiHoTich/1.0/traCuuHoSo", params={"maHoSo": DOSSIER}).status_code

        def test_1_register(ndxp_sim):
            response = ndxp_sim.client.post("/apiHoTich/1.0/dangKyKhaiSinh", json=BIRTH)
            assert response.status_code in (200, 201, 202), response.text
            assert status(ndxp_sim) == 200

        def test_2_without_reset_it_is_still_there(ndxp_sim):
            assert status(ndxp_sim) == 200

        def test_3_with_reset_it_is_gone(ndxp_sim, ndxp_sim_reset):
            assert status(ndxp_sim) == 404
        """
    )
    run(pytester).assert_outcomes(passed=3)


def test_records_hold_the_exchanges_of_the_current_test_only(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(
        f"""
        import json
        from pathlib import Path
        import httpx

        def test_1_two_calls(ndxp_sim_with_log, ndxp_sim_records):
            sim = ndxp_sim_with_log
            children = [Path(task, "children").read_text() for task in Path("/proc/self/task").iterdir()]
            Path("children.txt").write_text(" ".join(children))  # broker, mocks, gateway, indexer
            first = sim.client.post(
                "/apiCSDLDanCu/1.0/TraCuuThongTinCongDan",
                json={{"MaYeuCau": "YC-REC", "MaCanBo": "CB-1", "SoDinhDanh": sim.identities.CITIZEN_EXISTS}},
            )
            second = httpx.get(  # the user's own client: its calls are recorded too
                sim.gateway_url + "{CALL}",
                headers={{"Authorization": f"Bearer {{sim.token}}", "X-Request-Id": "own-client-1"}},
            )
            records = ndxp_sim_records()
            assert [r["exchange_id"] for r in records] == [
                first.headers["X-NDXP-Exchange-Id"], second.headers["X-NDXP-Exchange-Id"]
            ]
            assert [r["service_key"] for r in records] == ["csdl_dan_cu", "csdl_dkdn"]
            assert records[0]["ma_yeu_cau"] == "YC-REC" and records[1]["request_id"] == "own-client-1"
            full = ndxp_sim_records.full(records[0]["exchange_id"])
            assert sim.identities.CITIZEN_EXISTS not in json.dumps(full)  # masked in the log

        def test_2_sees_only_its_own(ndxp_sim_with_log, ndxp_sim_records, ndxp_sim_scenario):
            ndxp_sim_scenario("error:500")
            response = ndxp_sim_with_log.client.get("{CALL}")
            records = ndxp_sim_records()
            assert [r["exchange_id"] for r in records] == [response.headers["X-NDXP-Exchange-Id"]]
            assert (records[0]["http_status"], records[0]["backend_status"]) == (502, 500)
            assert records[0]["error_type"] == "Server.Backend.Error"
        """
    )
    run(pytester).assert_outcomes(passed=2)
    children = (pytester.path / "children.txt").read_text().split()
    assert len(children) == 4
    assert not [pid for pid in children if Path(f"/proc/{pid}").exists()]  # all stopped with the session


def test_a_configured_port_already_held_fails_the_test_with_the_reason(
    pytester: pytest.Pytester, held_port: int
) -> None:
    pytester.makeconftest(
        f"""
        import pytest

        @pytest.fixture(scope="session")
        def ndxp_sim_config():
            return {{"port": {held_port}, "kafka": {{"embedded_port": {held_port}}}}}
        """
    )
    pytester.makepyfile(
        """
        def test_in_process(ndxp_sim):
            pass

        def test_with_log(ndxp_sim_with_log):
            pass
        """
    )
    result = run(pytester)
    result.assert_outcomes(errors=2)
    result.stdout.fnmatch_lines(
        [
            f"*ndxp-sim could not start: gateway port 127.0.0.1:{held_port} is already in use*",
            f"*ndxp-sim could not start: the embedded Kafka broker could not start: "
            f"Port 127.0.0.1:{held_port} is already in use*",
        ]
    )

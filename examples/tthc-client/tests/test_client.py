"""The TTHC system's LGSP client against the simulator, through the ndxp-sim pytest plugin's fixtures."""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from ndxp_sim.testing import ExchangeRecords, Scenario, Simulator

import gateway
from gateway.client import LgspClient, LgspError

BABY = {
    "maGCS": "GCS-2025-000123",
    "nksHoTen": "Lê Minh Khang",
    "nksGioiTinh": "Nam",
    "nksNgaySinh": "2025-11-01",
    "nksNoiSinh": {"maTinh": "91", "maXa": "30307"},
    "meHoTen": "Phạm Thị Dung",
    "meSoDDCN": "091191012348",
    "nycHoTen": "Phạm Thị Dung",
    "nycQuanHe": "Mẹ",
}


@pytest.fixture
def lgsp(ndxp_sim: Simulator) -> Iterator[LgspClient]:
    """Our client, pointed at the simulator with the simulator's fake agency credentials."""
    client = LgspClient(ndxp_sim.gateway_url, *ndxp_sim.consumer)
    yield client
    client.close()


def test_our_gateway_package_is_not_the_simulators() -> None:
    import ndxp_sim.gateway

    assert Path(gateway.__file__).parent != Path(ndxp_sim.gateway.__file__).parent
    assert hasattr(gateway, "client") and not hasattr(gateway, "cli")


def test_token(lgsp: LgspClient) -> None:
    assert lgsp.token() == lgsp.token()  # fetched once, reused


def test_lookup_citizen(lgsp: LgspClient, ndxp_sim: Simulator) -> None:
    citizen = lgsp.lookup_citizen(ndxp_sim.identities.CITIZEN_EXISTS)
    assert citizen is not None
    assert (citizen.full_name, citizen.birth_date, citizen.alive) == ("Nguyễn Văn An", "19850315", True)
    assert lgsp.lookup_citizen(ndxp_sim.identities.CITIZEN_MISSING) is None


def test_a_hanging_backend_is_a_typed_timeout(ndxp_sim: Simulator, ndxp_sim_scenario: Scenario) -> None:
    ndxp_sim_scenario("timeout")
    client = LgspClient(ndxp_sim.gateway_url, *ndxp_sim.consumer, headers=ndxp_sim_scenario.headers)
    with pytest.raises(LgspError) as raised:
        client.lookup_citizen(ndxp_sim.identities.CITIZEN_EXISTS)
    assert (raised.value.status, raised.value.type) == (504, "Server.Backend.Timeout")


def test_an_unavailable_backend_is_reported(
    lgsp: LgspClient, ndxp_sim: Simulator, ndxp_sim_scenario: Scenario
) -> None:
    ndxp_sim_scenario.fault("csdl_dan_cu", error_rate=1.0, error_status=503)
    with pytest.raises(LgspError) as raised:
        lgsp.lookup_citizen(ndxp_sim.identities.CITIZEN_EXISTS)
    assert raised.value.type == "Server.Backend.Unavailable"


def test_register_birth_until_done(lgsp: LgspClient, ndxp_sim_reset: None) -> None:
    assert lgsp.register_birth("000.00.00.H91-KS-0001", "91", BABY) == "received"
    deadline = time.monotonic() + 30
    while (status := lgsp.dossier_status("000.00.00.H91-KS-0001")) != "done":
        assert status in ("received", "processing") and time.monotonic() < deadline, status
        time.sleep(0.2)


def test_the_birth_registration_is_in_the_exchange_log(
    ndxp_sim_with_log: Simulator, ndxp_sim_records: ExchangeRecords
) -> None:
    client = LgspClient(ndxp_sim_with_log.gateway_url, *ndxp_sim_with_log.consumer)
    client.register_birth("000.00.00.H91-KS-0002", "91", BABY)
    [record] = ndxp_sim_records()
    assert (record["service_key"], record["operation"]) == ("ho_tich", "dangKyKhaiSinh")
    assert (record["ma_ho_so"], record["consumer_id"], record["outcome"]) == (
        "000.00.00.H91-KS-0002",
        "000.00.00.H91",
        "ok",
    )

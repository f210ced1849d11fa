"""Settings of the simulator the ndxp-sim plugin starts for these tests (the rest are its defaults)."""

import pytest


@pytest.fixture(scope="session")
def ndxp_sim_config() -> dict[str, object]:
    # A backend that hangs is given up after 1 s instead of 10, so the timeout test is quick.
    return {"services": {"csdl_dan_cu": {"timeout_s": 1}}}

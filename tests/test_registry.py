"""One service key names a service everywhere: catalogue, adapter, mock, contract and tests line up."""

from __future__ import annotations

from pathlib import Path

import pytest

from ndxp_sim.adapters.registry import load_adapters
from ndxp_sim.core.catalogue import services
from ndxp_sim.mock_services.registry import MOCKS

ROOT = Path(__file__).resolve().parent.parent
KEYS = list(services())


def test_the_catalogue_holds_the_24_appendix_services_in_order() -> None:
    infos = list(services().values())
    assert [info.number for info in infos] == list(range(1, 25))
    assert len({info.context for info in infos}) == 24
    assert {info.pattern for info in infos} == set("LSCPDAB")


@pytest.mark.parametrize("key", KEYS)
def test_a_service_is_implemented_in_every_layer_or_in_none(key: str) -> None:
    layers = {
        "adapter": key in load_adapters() and (ROOT / "adapters" / f"{key}.py").exists(),
        "mock": key in MOCKS and (ROOT / "mock_services" / f"{key}.py").exists(),
        "contract": (ROOT / "contracts" / f"{key}.openapi.yaml").exists(),
        "cases": (ROOT / "contracts" / "cases" / f"{key}.yaml").exists(),
        "tests": any(
            key in path.read_text(encoding="utf-8")
            for path in (ROOT / "tests").rglob("test_*.py")
            if path.name != "test_registry.py"
        ),
    }
    if layers["adapter"] or layers["mock"]:
        missing = [layer for layer, present in layers.items() if not present]
        assert not missing, f"{key} is implemented but missing in: {missing}"


def test_adapters_declare_the_protocol_the_catalogue_names() -> None:
    for key, adapter in load_adapters().items():
        assert adapter.protocol == services()[key].protocol, key

"""The committed gateway-facing contracts match what the adapters declare (no drift)."""

from __future__ import annotations

import pytest

from ndxp_sim.adapters.registry import load_adapters
from ndxp_sim.gateway.contracts_export import contract_path, render


@pytest.mark.parametrize("key", sorted(load_adapters()))
def test_committed_contract_matches_the_adapter(key: str) -> None:
    path = contract_path(key)
    assert path.exists(), f"run `python -m ndxp_sim.gateway.contracts_export` to write {path.name}"
    assert path.read_text(encoding="utf-8") == render(key), (
        f"{path.name} drifted: rerun ndxp_sim.gateway.contracts_export"
    )

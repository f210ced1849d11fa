"""Writes each implemented service's gateway-facing OpenAPI into contracts/.

Run `python -m ndxp_sim.gateway.contracts_export` after changing an adapter's models.
"""

from __future__ import annotations

from pathlib import Path

import yaml

from ndxp_sim.adapters.registry import load_adapters
from ndxp_sim.contracts import CONTRACTS_DIR
from ndxp_sim.contracts.cases import case_services, check_operations
from ndxp_sim.gateway.openapi import service_openapi

CONTRACTS = CONTRACTS_DIR


def contract_path(key: str) -> Path:
    return CONTRACTS / f"{key}.openapi.yaml"


def render(key: str) -> str:
    adapter = load_adapters()[key]
    if key in case_services():  # a case for an operation the adapter lacks would silently show nowhere
        check_operations(key, [op.name for op in adapter.operations])
    spec = service_openapi(adapter)
    return yaml.safe_dump(spec, allow_unicode=True, sort_keys=False, width=100)


def main() -> None:
    for key in load_adapters():
        contract_path(key).write_text(render(key), encoding="utf-8")
        print(f"wrote {contract_path(key).name}")


if __name__ == "__main__":
    main()

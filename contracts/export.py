"""Writes each implemented service's gateway-facing OpenAPI into contracts/ (`python -m contracts.export`)."""

from __future__ import annotations

from pathlib import Path

import yaml

from adapters.registry import load_adapters
from gateway.openapi import service_openapi

CONTRACTS = Path(__file__).parent


def contract_path(key: str) -> Path:
    return CONTRACTS / f"{key}.openapi.yaml"


def render(key: str) -> str:
    spec = service_openapi(load_adapters()[key])
    return yaml.safe_dump(spec, allow_unicode=True, sort_keys=False, width=100)


def main() -> None:
    for key in load_adapters():
        contract_path(key).write_text(render(key), encoding="utf-8")
        print(f"wrote {contract_path(key).name}")


if __name__ == "__main__":
    main()

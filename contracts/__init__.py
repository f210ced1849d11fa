"""Contracts: gateway-facing and backend OpenAPI per service, example cases, the exchange topic's AsyncAPI."""

from pathlib import Path

CONTRACTS_DIR = Path(__file__).resolve().parent

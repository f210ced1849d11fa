"""Contracts: gateway-facing OpenAPI per service, backend contracts, the AsyncAPI of the exchange topic."""

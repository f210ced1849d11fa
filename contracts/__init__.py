"""Contracts: gateway-facing OpenAPI per service, backend contracts (OpenAPI, XSD/WSDL) and the AsyncAPI of the exchange topic."""

"""/docs works without the internet and shows every service operation next to the gateway's own."""

from __future__ import annotations

import re
from typing import Any

import pytest

from ndxp_sim.adapters.registry import load_adapters
from tests.conftest import GatewayHarness

ASSET = re.compile(r"""(?:src|href)=["']([^"']+)["']""")


@pytest.mark.parametrize("page", ["/docs", "/redoc"])
async def test_the_docs_pages_load_nothing_from_another_host(gateway: GatewayHarness, page: str) -> None:
    html = await gateway.client.get(page)
    assert html.status_code == 200 and "text/html" in html.headers["content-type"]
    assert not re.search(r"(https?:)?//[a-z0-9.-]+\.[a-z]{2,}", html.text, re.IGNORECASE), html.text
    assets = ASSET.findall(html.text)
    assert any(asset.endswith(".js") for asset in assets)
    for asset in assets:
        served = await gateway.client.get(asset)
        assert served.status_code == 200 and served.content, asset


def _refs(node: Any) -> list[str]:
    if isinstance(node, dict):
        return [ref for key, value in node.items() for ref in ([value] if key == "$ref" else _refs(value))]
    if isinstance(node, list):
        return [ref for item in node for ref in _refs(item)]
    return []


async def test_the_docs_document_holds_every_service_operation_and_the_gateways_own(
    gateway: GatewayHarness,
) -> None:
    html = (await gateway.client.get("/docs")).text
    document_url = re.search(r"url: '([^']+)'", html)
    assert document_url is not None
    spec = (await gateway.client.get(document_url.group(1))).json()
    assert {"/token", "/_meta/services", "/_diag/connect/{service}"} <= set(spec["paths"])
    for key, adapter in load_adapters().items():
        info = adapter.info()
        for op in adapter.operations:
            operation = spec["paths"][f"/{info.context}/{info.version}/{op.name}"][op.method.lower()]
            assert operation["tags"] == [f"{info.number}. {key}"] and operation["security"] == [{"lgsp": []}]
    soap_front = spec["paths"]["/apiCSDLDanCu/1.0/soap"]  # the SOAP face of the SOAP service
    assert set(soap_front) == {"get", "post"} and "text/xml" in soap_front["post"]["requestBody"]["content"]
    schemas = spec["components"]["schemas"]
    assert "csdl_dan_cu.ThongTinCongDan" in schemas and "lgsp" in spec["components"]["securitySchemes"]
    for ref in _refs(spec):
        assert ref.removeprefix("#/components/schemas/") in schemas, f"dangling {ref}"

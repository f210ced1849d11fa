"""The committed gateway-facing contracts match what the adapters declare and what the gateway serves."""

from __future__ import annotations

import pytest
import yaml

from ndxp_sim.adapters.registry import load_adapters
from ndxp_sim.gateway.contracts_export import contract_path, render
from tests.conftest import GatewayHarness
from tests.contract_checks import document

KEYS = sorted(load_adapters())


@pytest.mark.parametrize("key", KEYS)
def test_committed_contract_matches_the_adapter(key: str) -> None:
    path = contract_path(key)
    assert path.exists(), f"run `python -m ndxp_sim.gateway.contracts_export` to write {path.name}"
    assert path.read_text(encoding="utf-8") == render(key), (
        f"{path.name} drifted: rerun ndxp_sim.gateway.contracts_export"
    )


@pytest.mark.parametrize("key", KEYS)
async def test_the_gateway_serves_the_committed_contract(gateway: GatewayHarness, key: str) -> None:
    served = await gateway.client.get(f"/_meta/openapi/{key}")
    assert served.status_code == 200
    assert served.json() == yaml.safe_load(contract_path(key).read_text(encoding="utf-8"))


def test_vietnamese_text_survives_the_contract_file_as_written() -> None:
    text = contract_path("csdl_dan_cu").read_text(encoding="utf-8")
    assert "- Nữ\n" in text and "\\u1EEF" not in text.upper()  # written as UTF-8, not escaped
    sex = document("csdl_dan_cu.openapi.yaml")["components"]["schemas"]["ThongTinCongDan"]["properties"]
    assert sex["GioiTinh"]["enum"] == ["Nam", "Nữ"]
    assert sex["TinhTrangHonNhan"]["enum"] == ["Chưa kết hôn", "Đã kết hôn", "Ly hôn", "Góa"]
    title = document("csdl_dan_cu.openapi.yaml")["info"]["title"]
    assert title == "2. Cơ sở dữ liệu quốc gia về dân cư"
    birth = document("ho_tich.openapi.yaml")["components"]["schemas"]["HoTichKhaiSinh"]["properties"]
    assert birth["nksGioiTinh"]["pattern"] == "^(Nam|Nữ)$"


@pytest.mark.parametrize("key", KEYS)
def test_every_operation_has_a_typed_answer_and_every_error_the_gateway_gives(key: str) -> None:
    spec = document(contract_path(key).name)
    oidc = load_adapters()[key].protocol == "oidc"  # sign-in services answer errors in OAuth 2.0 terms
    error_schema = {"$ref": "#/components/schemas/OAuthError" if oidc else "#/components/schemas/Error"}
    for methods in spec["paths"].values():
        for method, operation in methods.items():
            responses = operation["responses"]
            if oidc and "text/html" in responses["200"]["content"]:  # a browser step: a page, or back
                assert responses["302"]["headers"]["Location"], operation["operationId"]
            else:
                assert responses["200"]["content"]["application/json"]["schema"]["$ref"].startswith(
                    "#/components/schemas/"
                ), operation["operationId"]
            expected = {"401", "403", "404", "422", "429", "500", "502", "503", "504"}
            assert expected <= set(responses), operation["operationId"]
            assert ("413" in responses) == (method == "post")
            for code, response in responses.items():
                if code not in ("200", "302"):
                    content = response["content"]["application/json"]
                    assert content["schema"] == error_schema
                    assert content["examples"], f"{operation['operationId']} {code} has no example"

"""`/_diag/connect/{service}` is a real backend call: it follows the rules of one."""

from __future__ import annotations

from tests.conftest import LIMITED_CONSUMER, GatewayHarness
from tests.hardening.conftest import MakeStack


async def test_diag_of_a_service_the_consumer_may_not_call_is_refused_and_recorded(
    stack: GatewayHarness,
) -> None:
    """A consumer allowed only the enterprise lookup asks for the citizen-DB self-test (a real citizen
    lookup) → 403 Client.AccessDenied, no backend call, and an exchange record naming the consumer."""
    response = await stack.client.get(
        "/_diag/connect/csdl_dan_cu", headers=await stack.auth(LIMITED_CONSUMER)
    )
    assert response.status_code == 403, response.text
    assert response.json()["type"] == "Client.AccessDenied"
    exchange = stack.exchange(response.headers["x-ndxp-exchange-id"])
    assert (exchange.consumer_id, exchange.service_key, exchange.operation) == (
        LIMITED_CONSUMER[0],
        "csdl_dan_cu",
        "TraCuuThongTinCongDan",
    )
    assert exchange.t_backend_out is None


async def test_diag_answer_names_no_backend_url_and_is_an_exchange_record(stack: GatewayHarness) -> None:
    """An allowed consumer runs the citizen-DB self-test → green and why, without the backend's address; the
    call is an exchange record (consumer, operation, masked request body, backend status)."""
    response = await stack.client.get("/_diag/connect/csdl_dan_cu", headers=await stack.auth())
    assert response.status_code == 200, response.text
    answer = response.json()
    assert answer["status"] == "green" and answer["operation"] == "TraCuuThongTinCongDan"
    assert "backend" not in answer and "http" not in response.text
    exchange = stack.exchange(response.headers["x-ndxp-exchange-id"])
    assert exchange.consumer_id == "000.00.00.H91" and exchange.backend_status == 200
    assert exchange.request_body and b"SoDinhDanh" in exchange.request_body
    assert exchange.correlation["MaDonVi"] == "000.00.00.H91"


async def test_diag_counts_against_the_consumers_quota(make_stack: MakeStack) -> None:
    """Two self-tests under a tier of one call per minute → the first passes, the second is 429 with Retry-
    After, as a second service call would be."""
    stack = await make_stack(tiers={"Gold": 1})
    headers = await stack.auth()
    assert (await stack.client.get("/_diag/connect/csdl_dkdn", headers=headers)).status_code == 200
    second = await stack.client.get("/_diag/connect/csdl_dkdn", headers=headers)
    assert second.status_code == 429 and int(second.headers["retry-after"]) >= 1
    assert second.json()["type"] == "Client.QuotaExceeded"


async def test_diag_without_a_token_is_401(stack: GatewayHarness) -> None:
    """A self-test without a bearer token → 401, no backend call."""
    response = await stack.client.get("/_diag/connect/csdl_dkdn")
    assert response.status_code == 401 and response.json()["type"] == "Client.Unauthorized"
    assert stack.exchange(response.headers["x-ndxp-exchange-id"]).t_backend_out is None

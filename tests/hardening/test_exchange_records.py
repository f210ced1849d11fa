"""Exchange records of calls that fail before admission still say who called."""

from __future__ import annotations

from tests.conftest import CONSUMER, GatewayHarness


async def test_wrong_method_and_unknown_operation_keep_the_callers_consumer_id(
    gateway: GatewayHarness,
) -> None:
    """POST to a GET operation (405) and GET of an operation the service lacks (404), with a valid token →
    both records carry the caller's consumer id; an anonymous call stays anonymous."""
    headers = await gateway.auth()
    wrong_method = await gateway.client.post("/apiCSDLDKDN/1.0/chiTietDoanhNghiep", headers=headers, json={})
    unknown_operation = await gateway.client.get("/apiCSDLDKDN/1.0/xoaDoanhNghiep", headers=headers)
    anonymous = await gateway.client.get("/apiCSDLDKDN/1.0/xoaDoanhNghiep")
    assert (wrong_method.status_code, unknown_operation.status_code, anonymous.status_code) == (405, 404, 404)
    for response in (wrong_method, unknown_operation):
        assert gateway.exchange(response.headers["x-ndxp-exchange-id"]).consumer_id == CONSUMER[0]
    assert gateway.exchange(anonymous.headers["x-ndxp-exchange-id"]).consumer_id is None

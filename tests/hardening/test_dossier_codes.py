"""Dossier codes go into backend paths: dot segments must not reach the backend as another path."""

from __future__ import annotations

import pytest

from tests.conftest import GatewayHarness


@pytest.mark.parametrize("code", [".", "..", "..."])
async def test_dot_segments_as_dossier_codes_are_422_naming_the_field(
    stack: GatewayHarness, code: str
) -> None:
    """maHoSo of `.`, `..` or `...` (allowed characters, but a path segment meaning here/up) on both services
    with dossiers → 422 Client.InvalidRequest naming maHoSo; no backend call."""
    headers = await stack.auth()
    for path in ("/apiHoTich/1.0/traCuuHoSo", "/apiCSDLDKDN/1.0/trangThaiHoSo"):
        response = await stack.client.get(path, headers=headers, params={"maHoSo": code})
        assert response.status_code == 422, (path, response.text)
        assert response.json()["message"].startswith("maHoSo:")
        assert stack.exchange(response.headers["x-ndxp-exchange-id"]).t_backend_out is None


async def test_codes_with_dots_inside_still_work(stack: GatewayHarness) -> None:
    """A real dossier code with dots inside (000.00.00.H91-…) → validated and sent to the backend."""
    response = await stack.client.get(
        "/apiHoTich/1.0/traCuuHoSo", headers=await stack.auth(), params={"maHoSo": "000.00.00.H91-KS-9999"}
    )
    assert response.status_code in (200, 404), response.text
    assert stack.exchange(response.headers["x-ndxp-exchange-id"]).backend_status in (200, 404)

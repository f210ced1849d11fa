"""Identifier fields take ASCII digits only: other scripts' digits are the caller's error, named."""

from __future__ import annotations

import pytest

from ndxp_sim.core import identities
from ndxp_sim.core.identifiers import mst_is_valid
from tests.conftest import GatewayHarness

ARABIC_INDIC = str.maketrans("0123456789", "٠١٢٣٤٥٦٧٨٩")
FULLWIDTH = str.maketrans("0123456789", "０１２３４５６７８９")


@pytest.mark.parametrize("digits", [ARABIC_INDIC, FULLWIDTH], ids=["arabic-indic", "fullwidth"])
async def test_non_ascii_digits_in_identifiers_are_422_naming_the_field(
    gateway: GatewayHarness, digits: dict[int, str]
) -> None:
    """A số định danh and a mã số doanh nghiệp written in Arabic-Indic or fullwidth digits (valid once read
    as ASCII) → 422 Client.InvalidRequest naming SoDinhDanh / msdn; no backend call."""
    headers = await gateway.auth()
    citizen = await gateway.client.post(
        "/apiCSDLDanCu/1.0/TraCuuThongTinCongDan",
        headers=headers,
        json={
            "MaYeuCau": "YC-1",
            "MaCanBo": "CB-1",
            "SoDinhDanh": identities.CITIZEN_EXISTS.translate(digits),
        },
    )
    enterprise = await gateway.client.get(
        "/apiCSDLDKDN/1.0/chiTietDoanhNghiep",
        headers=headers,
        params={"msdn": identities.ENTERPRISE_ACTIVE.translate(digits)},
    )
    assert (citizen.status_code, citizen.json()["message"].split(":")[0]) == (422, "SoDinhDanh")
    assert (enterprise.status_code, enterprise.json()["message"].split(":")[0]) == (422, "msdn")
    for response in (citizen, enterprise):
        assert gateway.exchange(response.headers["x-ndxp-exchange-id"]).t_backend_out is None


def test_identifier_rules_reject_non_ascii_digits() -> None:
    """A valid enterprise code in Arabic-Indic digits given to the shared identifier rules
    (core/identifiers.py) → refused."""
    assert mst_is_valid(identities.ENTERPRISE_ACTIVE)
    assert not mst_is_valid(identities.ENTERPRISE_ACTIVE.translate(ARABIC_INDIC))

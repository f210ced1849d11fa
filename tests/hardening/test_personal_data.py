"""Personal identifiers are masked wherever a caller can put them, headers and correlation keys included."""

from __future__ import annotations

import re

import orjson

from ndxp_sim.core import identities
from ndxp_sim.gateway.logpipe import Masker, subject_hash, to_record
from tests.conftest import GatewayHarness

KEY = "test-subject-key"
CITIZEN = identities.CITIZEN_EXISTS
PHONE = "0912345678"


async def test_ids_in_request_id_and_correlation_values_are_masked_in_the_record(
    stack: GatewayHarness,
) -> None:
    """A citizen's number as X-Request-Id and inside MaYeuCau and MaHoSo, a phone number as MaCanBo → the
    record (what topic, spool and store hold) has none of them in clear, masked as in the body, and its
    subjects find the citizen."""
    response = await stack.client.post(
        "/apiCSDLDanCu/1.0/TraCuuThongTinCongDan",
        headers={
            **await stack.auth(),
            "x-request-id": CITIZEN,
            "MaHoSo": f"HS-{CITIZEN}",
        },
        json={"MaYeuCau": f"YC {CITIZEN}", "MaCanBo": PHONE, "SoDinhDanh": CITIZEN},
    )
    assert response.status_code == 200, response.text
    assert response.headers["x-request-id"] == CITIZEN  # the caller gets its own id back unchanged
    exchange = stack.exchange(response.headers["x-ndxp-exchange-id"])
    record = to_record(exchange, "masked", 65536, Masker(KEY))
    text = orjson.dumps(record).decode()
    assert CITIZEN not in text and PHONE not in text
    for field in ("request_id", "ma_yeu_cau", "ma_ho_so", "ma_can_bo"):
        assert record[field] and "*" in record[field], field
    assert record["ma_ho_so"].startswith("HS-")
    assert subject_hash(CITIZEN, KEY) in record["subjects"]
    assert not re.search(r"\d{6}", record["request_id"])

"""The exchange record: its fields, body policies and caps, and its agreement with the AsyncAPI contract."""

from __future__ import annotations

import jsonschema
import pytest

from ndxp_sim.gateway.logpipe.masking import Masker, subject_hash
from ndxp_sim.gateway.logpipe.record import cap_text, to_record
from ndxp_sim.gateway.logpipe.schema import record_schema
from tests.gateway.logpipe.logpipe_samples import (
    BHXH,
    CITIZEN_ID,
    MOTHER_ID,
    OLD_ID,
    PHONE,
    SUBJECT_KEY,
    MakeExchange,
)

BODY_IDS = {CITIZEN_ID, OLD_ID, MOTHER_ID, BHXH}


@pytest.fixture
def masker() -> Masker:
    return Masker(SUBJECT_KEY)


def hashes(*values: str) -> list[str]:
    return sorted({subject_hash(v, SUBJECT_KEY) for v in values})


def test_masked_record_matches_the_contract_and_hides_identities(
    make_exchange: MakeExchange, masker: Masker
) -> None:
    exchange = make_exchange()
    record = to_record(exchange, "masked", 65536, masker)
    jsonschema.Draft7Validator(record_schema()).validate(record)
    assert set(record) == set(record_schema()["properties"])
    assert record["exchange_id"] == exchange.exchange_id
    assert record["ts_request_in"].endswith("Z") and len(record["ts_request_in"]) == 27
    assert record["duration_ms"] == pytest.approx(12.0, abs=0.01)
    assert record["backend_duration_ms"] == pytest.approx(10.0, abs=0.01)
    assert (record["ma_yeu_cau"], record["ma_ho_so"], record["ma_can_bo"]) == (
        "YC-1",
        "H91.99-250701-0001",
        None,
    )
    text = "".join(str(record[f]) for f in ("http_path", "http_query", "request_body", "response_body"))
    for secret in (*BODY_IDS, PHONE, "Nguyễn"):
        assert secret not in text
    assert record["subjects"] == hashes(*BODY_IDS)
    assert not record["request_body_truncated"] and not record["response_body_truncated"]


def test_full_policy_keeps_raw_bodies_and_still_lists_subjects(
    make_exchange: MakeExchange, masker: Masker
) -> None:
    record = to_record(make_exchange(), "full", 65536, masker)
    assert CITIZEN_ID in record["request_body"] and "Nguyễn" in record["response_body"]
    assert record["subjects"] == hashes(*BODY_IDS)
    assert CITIZEN_ID not in record["http_path"]  # paths and queries are masked under every policy


def test_off_policy_logs_no_body_but_hashes_path_identifiers(
    make_exchange: MakeExchange, masker: Masker
) -> None:
    record = to_record(make_exchange(), "off", 65536, masker)
    assert record["request_body"] is None and record["response_body"] is None
    assert record["subjects"] == hashes(CITIZEN_ID)  # from the path and query only


def test_metadata_policy_logs_no_body_but_hashes_body_identifiers(
    make_exchange: MakeExchange, masker: Masker
) -> None:
    record = to_record(make_exchange(), "metadata", 65536, masker)
    assert record["request_body"] is None and record["response_body"] is None
    assert record["subjects"] == hashes(*BODY_IDS)


def test_cap_truncates_and_flags(make_exchange: MakeExchange, masker: Masker) -> None:
    record = to_record(make_exchange(), "masked", 100, masker)
    assert len(record["request_body"].encode()) <= 100 and record["request_body_truncated"]
    assert len(record["response_body"].encode()) <= 100 and record["response_body_truncated"]
    assert record["subjects"] == hashes(*BODY_IDS)  # subjects come from the whole body, not the cut


def test_cap_never_splits_a_character() -> None:
    assert cap_text("Nguyễn", 6) == ("Nguy", True)
    assert cap_text("abc", 3) == ("abc", False)


def test_binary_bodies_become_a_placeholder(make_exchange: MakeExchange, masker: Masker) -> None:
    exchange = make_exchange(response_body=b"%PDF-1.7\x00\xff" * 10, response_content_type="application/pdf")
    for policy in ("masked", "full"):
        record = to_record(exchange, policy, 65536, masker)
        assert record["response_body"] == "[binary body omitted: 100 bytes of application/pdf]"


def test_a_gateway_error_without_backend_call_is_a_valid_record(
    make_exchange: MakeExchange, masker: Masker
) -> None:
    exchange = make_exchange(
        t_backend_out=None, t_backend_in=None, backend_protocol=None, backend_status=None, status=401,
        outcome="client_error", error_type="Client.Unauthorized", consumer_id=None, service_key=None,
        service_number=None, operation=None, request_body=None, correlation={},
        response_body=b'{"type":"Client.Unauthorized"}',
    )  # fmt: skip
    record = to_record(exchange, "masked", 65536, masker)
    jsonschema.Draft7Validator(record_schema()).validate(record)
    assert record["ts_backend_out"] is None and record["backend_duration_ms"] is None
    assert record["outcome"] == "client_error" and record["http_status"] == 401


def test_one_masker_over_many_records_hashes_every_identifier_as_subject_hash_does(
    make_exchange: MakeExchange, masker: Masker
) -> None:
    # The sink masks every record with one masker, which reuses an identifier's hash within a record.
    for _ in range(2):
        assert to_record(make_exchange(), "masked", 65536, masker)["subjects"] == hashes(*BODY_IDS)
        assert to_record(make_exchange(), "off", 65536, masker)["subjects"] == hashes(CITIZEN_ID)
    for number in (f"0790{i:08d}" for i in range(200)):  # more identifiers than it remembers
        assert masker.subject(number) == subject_hash(number, SUBJECT_KEY)
    assert to_record(make_exchange(), "masked", 65536, masker)["subjects"] == hashes(*BODY_IDS)

"""Masking of personal data in bodies, paths and queries, and the subject hashes operators search by."""

from __future__ import annotations

import re

import orjson
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ndxp_sim.core.identifiers import mst_is_valid
from ndxp_sim.gateway.logpipe.fields import Kind, kind_of
from ndxp_sim.gateway.logpipe.masking import Masker, mask_value, subject_hash
from tests.gateway.logpipe.logpipe_samples import (
    BHXH,
    BIRTH_DATES,
    CITIZEN_ID,
    JSON_BODY,
    MOTHER_ID,
    NAMES,
    OLD_ID,
    PHONE,
    SOAP_BODY,
    SUBJECT_KEY,
)

IDENTIFIERS = (CITIZEN_ID, OLD_ID, MOTHER_ID, BHXH)
NAME_PARTS = ("Nguyễn", "Thử", "Mẫu", "Hoàng Giả")


def assert_no_identity(text: str) -> None:
    for secret in (*IDENTIFIERS, PHONE, *BIRTH_DATES, *NAMES, *NAME_PARTS, "thu.nguyen"):
        assert secret not in text, f"{secret!r} survived masking"


@pytest.fixture
def masker() -> Masker:
    return Masker(SUBJECT_KEY)


def test_json_body_keeps_no_identity_and_keeps_its_shape(masker: Masker) -> None:
    subjects: set[str] = set()
    masked = masker.mask_body(JSON_BODY, "application/json", subjects)
    assert_no_identity(masked)
    document = orjson.loads(masked)
    assert document["SoDinhDanh"] == "**********34"
    assert document["HoVaTen"] == "N*** V** T**"
    assert document["NgayThangNamSinh"] == "****-**-**"
    assert document["MaHoSo"] == "H91.99-250701-0001"  # business keys are not personal data
    nested = orjson.loads(document["data"])["hoTich"]  # hộ tịch sends its form as a JSON string
    assert nested["nksHoTen"] == "L* H*** G**"
    assert nested["nksNgaySinh"] == "**/**/****"


@pytest.mark.parametrize(
    "body",
    [
        JSON_BODY,
        orjson.dumps({"status": 1, "message": SOAP_BODY.decode()}),
        orjson.dumps([{"SoDinhDanh": CITIZEN_ID, "ghiChu": f"gọi {PHONE}"}, {"n": 123456789}]),
    ],
    ids=["person JSON", "SOAP in a JSON string", "list with free text"],
)
def test_a_body_parsed_on_the_request_path_is_masked_as_its_bytes_would_be(
    masker: Masker, body: bytes
) -> None:
    """The gateway hands the record the JSON it parsed already: same masked text, same subjects."""
    from_bytes: set[str] = set()
    from_document: set[str] = set()
    expected = masker.mask_body(body, "application/json", from_bytes)
    assert masker.mask_body(body, "application/json", from_document, orjson.loads(body)) == expected
    assert from_document == from_bytes and from_bytes


def test_soap_body_is_masked_by_element_name_whatever_the_namespace(masker: Masker) -> None:
    masked = masker.mask_body(SOAP_BODY, "text/xml; charset=utf-8", set())
    assert_no_identity(masked)
    assert "<SoDinhDanh>**********34</SoDinhDanh>" in masked
    assert "<Nam>****</Nam>" in masked  # the birth year inside NgayThangNamSinh is a date too
    assert "<Ho>N***</Ho>" in masked


@pytest.mark.parametrize("encoding", ["utf-16", "utf-16-be", "utf-32"])
def test_bodies_in_a_wide_encoding_are_masked_too(masker: Masker, encoding: str) -> None:
    """A SOAP envelope (which XML lets be UTF-16 or UTF-32) and a JSON body in a wide encoding → masked
    like their UTF-8 forms: no identifier, the subject found."""
    number = "079085012345"
    envelope = (
        f'<?xml version="1.0" encoding="{encoding}"?>'
        '<s:Envelope xmlns:s="urn:s"><s:Body><x:Tra xmlns:x="urn:x">'
        f"<x:SoDinhDanh>{number}</x:SoDinhDanh></x:Tra></s:Body></s:Envelope>"
    )
    for body, content_type in ((envelope, "text/xml"), (f'{{"SoDinhDanh": "{number}"}}', "application/json")):
        subjects: set[str] = set()
        masked = masker.mask_body(body.encode(encoding), content_type, subjects)
        assert number not in masked.replace("\x00", "") and "SoDinhDanh" in masked
        assert subjects == {masker.subject(number)}


def test_soap_carried_in_a_json_string_is_masked(masker: Masker) -> None:
    body = orjson.dumps({"status": 1, "message": SOAP_BODY.decode()})
    assert_no_identity(masker.mask_body(body, "application/json", set()))


@pytest.mark.parametrize("cut", [40, 200, 420])
def test_broken_xml_and_json_fall_back_to_pattern_masking(masker: Masker, cut: int) -> None:
    for body, ctype in ((SOAP_BODY, "text/xml"), (JSON_BODY, "application/json")):
        assert_no_identity_in_ids(masker.mask_body(body[:-cut], ctype, set()))


def assert_no_identity_in_ids(text: str) -> None:
    for secret in (*IDENTIFIERS, PHONE):
        assert secret not in text


def test_plain_text_and_form_bodies_are_masked(masker: Masker) -> None:
    form = f"SoDinhDanh={CITIZEN_ID}&HoTen=Nguyen+Van+Thu&SoDienThoai={PHONE}".encode()
    masked = masker.mask_body(form, "application/x-www-form-urlencoded", set())
    assert CITIZEN_ID not in masked and PHONE not in masked and "Nguyen" not in masked
    text = masker.mask_body(f"công dân {CITIZEN_ID}, ĐT +84912345678".encode(), "text/plain", set())
    assert CITIZEN_ID not in text and "912345678" not in text


def test_path_and_query_identifiers_are_masked_and_secrets_dropped(masker: Masker) -> None:
    subjects: set[str] = set()
    assert masker.mask_path(f"/api/congDan/{CITIZEN_ID}", subjects) == "/api/congDan/**********34"
    query = masker.mask_query(
        f"SoDinhDanh={CITIZEN_ID}&HoVaTen=Nguy%E1%BB%85n&access_token=abc.def&page=2", subjects
    )
    assert CITIZEN_ID not in query and "abc.def" not in query and "Nguy" not in query
    assert "page=2" in query
    assert subjects == {subject_hash(CITIZEN_ID, SUBJECT_KEY)}


@settings(max_examples=300)
@given(st.from_regex(r"\A[0-9]{10}\Z"), st.sampled_from(["text", "path", "query", "json"]))
def test_a_ten_digit_number_anywhere_is_masked_unless_it_is_an_enterprise_tax_code(
    number: str, where: str
) -> None:
    """A 10-digit number under no telling name is a BHXH number (or a phone number) and masked, with its
    subject hash, unless it has an MST's check digit: an enterprise's public tax code stays readable."""
    masker, subjects = Masker(SUBJECT_KEY), set[str]()
    if where == "text":
        logged = masker.mask_free_text(f"mã {number}, xong", subjects)
    elif where == "path":
        logged = masker.mask_path(f"/api/tra-cuu/{number}", subjects)
    elif where == "query":
        logged = masker.mask_query(f"ma={number}&trang=1", subjects)
    else:
        document = orjson.dumps({"ghiChu": f"số {number}"})
        logged = masker.mask_body(document, "application/json", subjects, orjson.loads(document))
    phone_shaped = re.fullmatch(r"0[35789][0-9]{8}", number) is not None
    kept = mst_is_valid(number) and not phone_shaped
    assert (number in logged) == kept, logged
    assert bool(subjects) == (not kept and not phone_shaped)


def test_subjects_are_keyed_hashes_of_every_masked_identifier(masker: Masker) -> None:
    subjects: set[str] = set()
    masker.mask_body(JSON_BODY, "application/json", subjects)
    assert subjects == {subject_hash(value, SUBJECT_KEY) for value in IDENTIFIERS}
    assert all(len(s) == 32 for s in subjects)
    assert subject_hash(CITIZEN_ID, "another-key") not in subjects


def test_subject_hash_normalises_what_an_operator_types() -> None:
    expected = subject_hash(CITIZEN_ID, SUBJECT_KEY)
    assert subject_hash("079 203 001 234", SUBJECT_KEY) == expected
    # A BHYT card number carries the BHXH number in its last ten digits: both find the same person.
    assert subject_hash(f"DN479{BHXH}", SUBJECT_KEY) == subject_hash(BHXH, SUBJECT_KEY)


def test_field_table_covers_relatives_and_camel_case_variants() -> None:
    for name in ("nksHoTen", "meHoTen", "chaSoDDCN", "nycSoDienThoai", "HoVaTenCha", "SoCMNDCu", "soCmnd"):
        assert kind_of(name) is not None, name
    assert kind_of("ns1:SoDinhDanh") is Kind.IDENTIFIER
    for name in ("MaHoSo", "TenDoanhNghiep", "MaDonVi", "metadata"):
        assert kind_of(name) is None, name


def test_mask_shapes() -> None:
    assert mask_value("079203001234", Kind.IDENTIFIER) == "**********34"
    assert mask_value("Nguyễn Văn An", Kind.NAME) == "N*** V** A*"
    assert mask_value("1990-05-12", Kind.DATE) == "****-**-**"
    assert mask_value("s3cr3t", Kind.SECRET) == "***"


def _word_by_word(name: str) -> str:
    """The name rule as stated: every run of non-whitespace keeps its first letter and at most three stars."""
    return re.sub(r"\S+", lambda m: m.group()[0] + "*" * min(len(m.group()) - 1, 3), name)


@settings(max_examples=500, deadline=None)
@given(st.text(st.one_of(st.sampled_from(" \t\n\u00a0\u2028\u3000\u200bĐễa"), st.characters()), max_size=24))
def test_a_name_keeps_each_words_first_letter_whatever_separates_the_words(name: str) -> None:
    assert mask_value(name, Kind.NAME) == _word_by_word(name)


def test_a_one_megabyte_body_is_masked_in_one_pass(masker: Masker) -> None:
    people = [
        {"SoDinhDanh": f"0792030{i:05d}", "HoVaTen": "Nguyễn Văn Thử", "ghiChu": "x" * 60}
        for i in range(8000)
    ]
    body = orjson.dumps({"items": people, "blob": "A" * 100_000 + "1" * 5000})
    assert len(body) > 1_000_000
    subjects: set[str] = set()
    masked = masker.mask_body(body, "application/json", subjects)
    assert "Nguyễn" not in masked and "079203000042" not in masked
    assert len(subjects) == 8000
    text = masker.mask_body(body[:-3], "application/json", set())  # the regex fallback, same size
    assert "079203000042" not in text

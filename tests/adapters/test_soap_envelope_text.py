"""SOAP request envelopes are written as text: byte for byte what lxml's element tree writes."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ndxp_sim.adapters import soap

NS = "http://dancuquocgia.bca"
names = st.from_regex(r"[A-Za-z_][A-Za-z0-9_.-]{0,12}", fullmatch=True)
any_names = st.one_of(names, st.text(min_size=1, max_size=6))  # some no XML name: lxml's path decides
# Characters XML escapes or refuses come often, among any others.
texts = st.text(st.one_of(st.sampled_from("&<>\"'\r\n\t\x01\x1f\ufffe\ud800é"), st.characters()), max_size=30)
scalars = st.one_of(st.none(), texts, st.integers(), st.booleans(), st.floats(allow_nan=False))
values = st.recursive(
    scalars,
    lambda inner: st.one_of(st.lists(inner, max_size=3), st.dictionaries(any_names, inner, max_size=4)),
    max_leaves=12,
)


def outcome(build: Any, operation: str, payload: dict[str, Any]) -> tuple[str, Any]:
    try:
        return "ok", build(NS, operation, payload)
    except soap.SoapValueError as exc:
        return "SoapValueError", str(exc)
    except ValueError as exc:  # lxml: an invalid element name
        return "ValueError", str(exc)


@settings(max_examples=400, deadline=None)
@given(operation=names, payload=st.dictionaries(any_names, values, max_size=5))
def test_the_text_writer_matches_lxml_for_any_payload(operation: str, payload: dict[str, Any]) -> None:
    written = outcome(soap.build_envelope, operation, payload)
    expected = outcome(soap._build_envelope_tree, operation, payload)
    if expected[0] == "SoapValueError" and written[0] == "SoapValueError":
        return  # both refuse; which bad field each names first may differ by walk order
    assert written == expected


@pytest.mark.parametrize(
    "payload",
    [
        {"A": "x&<>\"'\r\n\t é", "B": {"C": ["1", "2"], "D": None, "H": {}}, "E": 5, "F": True, "G": ""},
        {},
        {"A": None, "B": []},
        {"Ho\u0110": "Unicode name"},
    ],
    ids=["escapes and nesting", "empty", "nothing to write", "non-ASCII name"],
)
def test_the_text_writer_matches_lxml_on_the_edges(payload: dict[str, Any]) -> None:
    assert soap.build_envelope(NS, "Op", payload) == soap._build_envelope_tree(NS, "Op", payload)


def test_a_value_xml_cannot_carry_is_refused_naming_its_field() -> None:
    with pytest.raises(soap.SoapValueError, match=r"^HoVaTen\.Ten: "):
        soap.build_envelope(NS, "Op", {"MaYeuCau": "YC-1", "HoVaTen": {"Ho": "A", "Ten": "B\x1fC"}})

"""Reading SOAP answers and requests into dicts: the nesting bound, and names that come from strangers."""

from __future__ import annotations

import pytest

from ndxp_sim.adapters import soap

NS = "http://dancuquocgia.bca"


def envelope(inner: str) -> bytes:
    return (
        f'<soap:Envelope xmlns:soap="{soap.SOAP_ENV}" xmlns:dc="{NS}"><soap:Body>'
        f"<dc:TraCuuResponse>{inner}</dc:TraCuuResponse></soap:Body></soap:Envelope>"
    ).encode()


def nested(levels: int) -> str:
    return "<dc:a>" * levels + "x" + "</dc:a>" * levels


def test_elements_nest_up_to_max_depth_below_the_operation_and_no_deeper() -> None:
    _, payload = soap.parse_envelope(envelope(nested(soap.MAX_DEPTH)))
    for _ in range(soap.MAX_DEPTH - 1):
        payload = payload["a"]
    assert payload == {"a": "x"}
    with pytest.raises(soap.SoapParseError, match="deeper than 32"):
        soap.parse_envelope(envelope(nested(soap.MAX_DEPTH + 1)))


def test_long_element_names_are_read_but_not_remembered() -> None:
    # On the SOAP front the names are a consumer's, and libxml2 takes names of 50,000 characters.
    names = [f"n{i}" + "x" * 5000 for i in range(40)]
    namespace, operation, payload = soap.read_request(envelope("".join(f"<dc:{n}>v</dc:{n}>" for n in names)))
    assert (namespace, operation) == (NS, "TraCuuResponse")
    assert payload == dict.fromkeys(names, "v")
    assert all(len(tag) <= 256 for tag in soap._LOCAL_NAMES)


def test_comments_and_processing_instructions_are_not_values() -> None:
    # Between elements, inside a leaf, and as a leaf's only child: each is read as if it were not there.
    plain = envelope(
        "<dc:Ho>Nguyễn</dc:Ho><dc:Ten>Mẫu</dc:Ten><dc:Ten>An</dc:Ten>"
        "<dc:DiaChi><dc:Xa>X</dc:Xa></dc:DiaChi><dc:GhiChu/>"
    )
    noisy = envelope(
        "<!-- c --><dc:Ho>Nguyễn<!-- inside --></dc:Ho><?pi a?><dc:Ten>Mẫu</dc:Ten>"
        "<dc:Ten>An<?pi b?></dc:Ten><dc:DiaChi><!-- c --><dc:Xa>X</dc:Xa><?pi c?></dc:DiaChi>"
        "<dc:GhiChu><!-- only --></dc:GhiChu><!-- end -->"
    )
    expected = {"Ho": "Nguyễn", "Ten": ["Mẫu", "An"], "DiaChi": {"Xa": "X"}, "GhiChu": None}
    assert soap.parse_envelope(plain) == ("TraCuuResponse", expected)
    assert soap.parse_envelope(noisy) == ("TraCuuResponse", expected)

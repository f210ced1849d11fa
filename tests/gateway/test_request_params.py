"""JSON bodies: one value per key, whatever the body's strings hold."""

from __future__ import annotations

import json

import pytest

from ndxp_sim.core.errors import InvalidRequestError
from ndxp_sim.gateway.request_params import body_params

JSON = "application/json"


@pytest.mark.parametrize(
    "body",
    [
        b'{"a": "q\\": x", "b": {"c": [1, {"d": "\\":"}]}}',  # strings ending like keys: the exact check
        b'{"a": 1, "b": [{"a": 1}, {"a": 2}], "c": {"a": {"a": 3}}}',  # one key in many objects
        b"{}",
    ],
    ids=["escaped quote and colon in strings", "same key in different objects", "empty object"],
)
def test_bodies_without_a_repeated_key_are_accepted_as_parsed(body: bytes) -> None:
    assert body_params(body, JSON) == json.loads(body)


@pytest.mark.parametrize(
    ("body", "key"),
    [
        (b'{"a": 1, "a": 1}', "a"),
        (b'{"x": [{"y": 1}, {"b": {"c": 1, "c": 2}}]}', "c"),
        (b'{"a": "q\\":", "b": 1, "b": 2}', "b"),
        (b'{"a" : 1,\n "a"\t: 2}', "a"),
    ],
    ids=["top level", "nested in a list", "after a string ending like a key", "with whitespace"],
)
def test_a_key_repeated_in_one_object_is_refused_naming_it(body: bytes, key: str) -> None:
    with pytest.raises(InvalidRequestError, match=f"key '{key}' appears more than once"):
        body_params(body, JSON)

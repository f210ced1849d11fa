"""A service call's parameters from its query or JSON body (one meaning only, or a 422 saying why not)."""

from __future__ import annotations

import json
import re
from typing import Any
from urllib.parse import parse_qsl

import orjson

from ndxp_sim.core.errors import InvalidRequestError

JSON_MEDIA = "application/json"
_DIGIT_RUN = re.compile(r"[0-9]{6,}")


def hide_digit_runs(text: str) -> str:
    """`text` fit to echo in an error: a caller probing paths may put a citizen's number there, and errors
    reach logs and proxies the exchange-log masking does not cover."""
    return _DIGIT_RUN.sub(lambda match: "*" * len(match.group()), text)


def query_params(query: str) -> dict[str, str]:
    """The query's fields; a field given twice is refused (which one would the backend see?)."""
    params: dict[str, str] = {}
    for name, value in parse_qsl(query, keep_blank_values=True):
        if name in params:
            raise InvalidRequestError(f"{name}: given more than once in the query")
        params[name] = value
    return params


def body_params(body: bytes, content_type: str | None) -> dict[str, Any]:
    """The JSON object of a body declared as JSON; duplicate keys are refused, as every reader of the
    record (masking, the backend, an auditor) must see the same single value."""
    media = (content_type or "").split(";", 1)[0].strip().lower()
    if not media:
        raise InvalidRequestError(f"content-type: missing; send the body as {JSON_MEDIA}")
    if media != JSON_MEDIA and not media.endswith("+json"):
        raise InvalidRequestError(f"content-type: {media} is not accepted; send the body as {JSON_MEDIA}")
    if not body:
        raise InvalidRequestError("body: a JSON object is required")
    try:
        params = orjson.loads(body)
    except orjson.JSONDecodeError as exc:
        raise InvalidRequestError(f"body: not valid JSON ({exc.msg} at position {exc.pos})") from None
    if not isinstance(params, dict):
        raise InvalidRequestError("body: a JSON object is required")
    if _keys_parsed(params) != len(_KEY_ENDS.findall(body)):  # then a key may repeat: check exactly
        json.loads(body, object_pairs_hook=_refuse_duplicates)  # valid JSON by now; only duplicates can fail
    return params


# The end of a key in JSON text: a string, then `:`. A key repeated in one object is parsed once, so a body
# whose parsed keys are as many as these ends repeats none. An escaped quote before a colon inside a string
# also ends like this: such a body takes the exact check (a third of the cost of the parse), never the
# other way round, so a repeated key cannot pass.
_KEY_ENDS = re.compile(rb'"\s*:')


def _keys_parsed(document: Any) -> int:
    count, todo = 0, [document]
    while todo:
        node = todo.pop()
        if type(node) is dict:
            count += len(node)
            node = node.values()
        for value in node:
            if type(value) is dict or type(value) is list:
                todo.append(value)
    return count


def _refuse_duplicates(pairs: list[tuple[str, Any]]) -> None:
    seen: set[str] = set()
    for key, _ in pairs:
        if key in seen:
            raise InvalidRequestError(f"body: key {key!r} appears more than once in one object")
        seen.add(key)

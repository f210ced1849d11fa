"""One exchange for the detail page: its fields, its bodies made readable, and its timing waterfall."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

import orjson

from ndxp_sim.gateway.logpipe.masking import Masker

_BODIES = ("request_body", "response_body")
_LABEL_W, _PLOT_W = 110.0, 480.0


@dataclass(frozen=True, slots=True)
class Step:
    name: str  # i18n key
    kind: str  # css class
    x: float
    width: float
    ms: float


@dataclass(frozen=True, slots=True)
class Waterfall:
    steps: list[Step]


def _at(record: dict[str, Any], name: str) -> float | None:
    value = record.get(name)
    return None if not value else datetime.fromisoformat(str(value)).timestamp()


def waterfall(record: dict[str, Any]) -> Waterfall:
    """Gateway in (request in → sent to the backend), backend, gateway out (answer → response out)."""
    t_in = _at(record, "ts_request_in") or 0.0
    marks = [_at(record, n) for n in ("ts_backend_out", "ts_backend_in", "ts_response_out")]
    t_out = marks[2] or marks[1] or marks[0] or t_in
    total = max(t_out - t_in, 1e-6)
    if marks[0] is None or marks[1] is None:
        spans = [("gateway_in", "gateway", t_in, t_out)]  # never reached a backend
    else:
        spans = [
            ("gateway_in", "gateway", t_in, marks[0]),
            ("backend", "backend", marks[0], marks[1]),
            ("gateway_out", "gateway", marks[1], t_out),
        ]
    steps = [
        Step(
            name,
            kind,
            _LABEL_W + (start - t_in) / total * _PLOT_W,
            max((end - start) / total * _PLOT_W, 1.0),
            (end - start) * 1000,
        )
        for name, kind, start, end in spans
    ]
    return Waterfall(steps)


def fields(record: dict[str, Any]) -> list[tuple[str, Any]]:
    """Every field of the record but the bodies and subjects (shown on their own)."""
    return [(name, value) for name, value in record.items() if name not in (*_BODIES, "subjects")]


def readable(body: str | None) -> str | None:
    """A JSON body pretty-printed; anything else (XML, text, a truncated document) as it was logged."""
    if not body:
        return body
    try:
        return orjson.dumps(orjson.loads(body), option=orjson.OPT_INDENT_2).decode()
    except orjson.JSONDecodeError:
        return body


def bodies(record: dict[str, Any], masker: Masker, *, as_logged: bool) -> dict[str, str | None]:
    """The bodies to show. Under the `full` policy the record holds them in clear: they are masked for
    display unless the operator asks for them as logged."""
    shown: dict[str, str | None] = {}
    for name in _BODIES:
        body = record.get(name)
        if body and record.get("body_policy") == "full" and not as_logged:
            body = masker.mask_body(str(body).encode(), None, set())
        shown[name] = readable(body)
    return shown

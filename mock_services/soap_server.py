"""The mock side of SOAP 1.1: reads request envelopes and writes answers and faults.

Written apart from the adapters' client codec on purpose: if both sides shared one codec, a bug in it
would be symmetric and no test could see it. The reader is hardened on its own terms (no DTD in any
encoding, no entities, no network, bounded depth).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any
from xml.sax.saxutils import escape

from lxml import etree

SOAP_ENV = "http://schemas.xmlsoap.org/soap/envelope/"
CONTENT_TYPE = "text/xml; charset=utf-8"
MAX_DEPTH = 32

_READER = etree.XMLParser(
    resolve_entities=False, no_network=True, load_dtd=False, dtd_validation=False, huge_tree=False
)


class SoapRequestError(ValueError):
    """Not an envelope this server accepts; the message (Vietnamese, for the fault) says why."""


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


def _read(element: etree._Element, depth: int) -> Any:
    if depth > MAX_DEPTH:
        raise SoapRequestError("Thông điệp SOAP lồng quá sâu")
    children = [c for c in element if isinstance(c.tag, str)]
    if not children:
        return (element.text or "").strip() or None
    out: dict[str, Any] = {}
    for child in children:
        name, value = _local(child.tag), _read(child, depth + 1)
        if name not in out:
            out[name] = value
        elif isinstance(out[name], list):
            out[name].append(value)
        else:
            out[name] = [out[name], value]
    return out


def read_request(data: bytes) -> tuple[str, dict[str, Any]]:
    """(operation, fields) of a SOAP 1.1 request; SoapRequestError for anything else."""
    try:
        root = etree.fromstring(data, parser=_READER)
    except etree.XMLSyntaxError as exc:
        raise SoapRequestError(f"Thông điệp SOAP không hợp lệ: {exc.msg}") from None
    # SOAP 1.1 §3: a message must not contain a DTD. Asked of the parsed document, not of the bytes,
    # so a UTF-16 or otherwise re-encoded DOCTYPE is caught too.
    if root.getroottree().docinfo.doctype:
        raise SoapRequestError("Thông điệp SOAP không được chứa DTD")
    if root.tag != f"{{{SOAP_ENV}}}Envelope":
        raise SoapRequestError("Thông điệp SOAP không hợp lệ: phần tử gốc không phải Envelope")
    body = next((c for c in root if c.tag == f"{{{SOAP_ENV}}}Body"), None)
    if body is None:
        raise SoapRequestError("Thông điệp SOAP không hợp lệ: thiếu Body")
    operation = next((c for c in body if isinstance(c.tag, str)), None)
    if operation is None:
        raise SoapRequestError("Thông điệp SOAP không hợp lệ: Body rỗng")
    fields = _read(operation, 1)
    return _local(operation.tag), fields if isinstance(fields, dict) else {}


def _write(name: str, value: Any, out: list[str]) -> None:
    if value is None:
        return
    if isinstance(value, list):
        for item in value:
            _write(name, item, out)
        return
    out.append(f"<dc:{name}>")
    if isinstance(value, Mapping):
        for key, sub in value.items():
            _write(key, sub, out)
    else:
        out.append(escape(str(value)))
    out.append(f"</dc:{name}>")


def _envelope(ns: str, inner: str) -> bytes:
    return (
        '<?xml version="1.0" encoding="utf-8"?>'
        f'<soap:Envelope xmlns:soap="{SOAP_ENV}" xmlns:dc="{escape(ns)}"><soap:Body>{inner}'
        "</soap:Body></soap:Envelope>"
    ).encode()


def answer(ns: str, element: str, payload: Mapping[str, Any]) -> bytes:
    """`<dc:{element}>…payload…</dc:{element}>` in an envelope, written as text."""
    out: list[str] = []
    _write(element, dict(payload), out)
    return _envelope(ns, "".join(out))


def fault(ns: str, code: str, message: str, detail: Mapping[str, Any]) -> bytes:
    """A SOAP 1.1 Fault; `detail` elements are in the service namespace."""
    out = [
        f"<soap:Fault><faultcode>soap:{escape(code)}</faultcode><faultstring>{escape(message)}</faultstring>"
    ]
    if any(v is not None for v in detail.values()):
        out.append("<detail>")
        for key, value in detail.items():
            _write(key, value, out)
        out.append("</detail>")
    out.append("</soap:Fault>")
    return _envelope(ns, "".join(out))

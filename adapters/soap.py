"""SOAP 1.1 envelopes as real XML (lxml): build from and parse to plain dicts, with a hardened parser."""

from __future__ import annotations

import re
from collections.abc import Mapping
from functools import lru_cache
from typing import Any

from lxml import etree

SOAP_ENV = "http://schemas.xmlsoap.org/soap/envelope/"
CONTENT_TYPE = "text/xml; charset=utf-8"
MAX_DEPTH = 32  # elements nested below the operation element; real messages use fewer than 10

# No entity expansion, no DTD loading, no network, no huge trees: a consumer's XML is untrusted.
# collect_ids=False: SOAP gives xml:id no meaning, and the ID table costs a little on every parse.
_PARSER = etree.XMLParser(
    resolve_entities=False,
    no_network=True,
    load_dtd=False,
    dtd_validation=False,
    huge_tree=False,
    collect_ids=False,
)

SoapValue = str | Mapping[str, Any] | list[Any] | None
_ELEMENTS = etree.Element  # as a tag filter: elements only
_ENVELOPE_TAG, _BODY_TAG, _FAULT_TAG = (f"{{{SOAP_ENV}}}{name}" for name in ("Envelope", "Body", "Fault"))


class SoapParseError(ValueError):
    """The bytes are not a well-formed SOAP 1.1 envelope."""


class SoapFault(Exception):  # noqa: N818 - "SOAP fault" is the protocol's own term
    """A SOAP fault, as received or as to be sent."""

    def __init__(self, code: str, message: str, detail: Mapping[str, SoapValue] | None = None) -> None:
        super().__init__(f"{code}: {message}")
        self.code = code  # "Client" or "Server" (local part of faultcode)
        self.message = message
        self.detail = dict(detail or {})


class SoapValueError(ValueError):
    """A value XML 1.0 cannot carry (a control character); str() is `field.path: why`."""


def _append(parent: etree._Element, ns: str, name: str, value: SoapValue, where: str = "") -> None:
    if value is None:
        return
    path = f"{where}.{name}" if where else name
    if isinstance(value, list):
        for item in value:
            _append(parent, ns, name, item, where)
        return
    child = etree.SubElement(parent, f"{{{ns}}}{name}")
    if isinstance(value, Mapping):
        for key, sub in value.items():
            _append(child, ns, key, sub, path)
        return
    try:
        child.text = str(value)
    except ValueError:  # lxml refuses what XML 1.0 cannot hold rather than write a broken document
        raise SoapValueError(f"{path}: contains a character XML cannot carry (a control character)") from None


def build_envelope(ns: str, operation: str, payload: Mapping[str, SoapValue]) -> bytes:
    """`<soap:Envelope><soap:Body><ns:operation>…payload…</ns:operation></soap:Body></soap:Envelope>`.

    Raises SoapValueError, naming the field, for a value XML cannot carry.

    Written as text, byte for byte what lxml writes (tests/adapters/test_soap_values.py compares them):
    one envelope per SOAP call, and the element tree cost four times this. A name outside plain ASCII
    names, or a payload with nothing in it, goes through lxml.
    """
    frame = _frame(ns, operation)
    if frame is None:
        return _build_envelope_tree(ns, operation, payload)
    parts = [frame[0]]
    try:
        for key, value in payload.items():
            _write(parts, key, value, "")
    except _UnplainError:
        return _build_envelope_tree(ns, operation, payload)
    if len(parts) == 1:  # nothing inside: lxml writes the operation element self-closed
        return _build_envelope_tree(ns, operation, payload)
    parts.append(frame[1])
    return "".join(parts).encode()


class _UnplainError(Exception):
    """A name the text writer leaves to lxml."""


_PLAIN_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_.-]*\Z")
# What XML 1.0 cannot carry (§2.2): control characters but tab, line feed and carriage return, surrogates,
# U+FFFE and U+FFFF.
_NOT_XML = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


def _write(parts: list[str], name: str, value: SoapValue, where: str) -> None:
    if value is None:
        return
    if isinstance(value, list):
        for item in value:
            _write(parts, name, item, where)
        return
    if name not in _PLAIN_NAMES_SEEN:
        if type(name) is not str or _PLAIN_NAME.match(name) is None:
            raise _UnplainError(name)
        if len(_PLAIN_NAMES_SEEN) < _PLAIN_NAMES_MAX and len(name) <= _MEMO_NAME_MAX:
            _PLAIN_NAMES_SEEN.add(name)
    if type(value) is str:  # the common value: no Mapping check (an ABC's isinstance is slow)
        text = value
    elif isinstance(value, Mapping):
        parts.append(f"<dc:{name}>")
        opened = len(parts)
        path = f"{where}.{name}" if where else name
        for key, sub in value.items():
            _write(parts, key, sub, path)
        if len(parts) == opened:  # nothing inside (empty, or all None): lxml writes it self-closed
            parts[-1] = f"<dc:{name}/>"
        else:
            parts.append(f"</dc:{name}>")
        return
    else:
        text = str(value)
    # Printable text holds nothing XML refuses; only other text is searched for it.
    if not text.isprintable() and _NOT_XML.search(text) is not None:
        path = f"{where}.{name}" if where else name
        raise SoapValueError(f"{path}: contains a character XML cannot carry (a control character)")
    if "&" in text or "<" in text or ">" in text or "\r" in text:
        text = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\r", "&#13;")
    parts.append(f"<dc:{name}>{text}</dc:{name}>")


# Names _write has found plain (bounded: payload keys come from consumers).
_PLAIN_NAMES_SEEN: set[str] = set()
_PLAIN_NAMES_MAX = 4096
_MEMO_NAME_MAX = 256  # longer names are not remembered, by either memo


@lru_cache(maxsize=256)
def _frame(ns: str, operation: str) -> tuple[str, str] | None:
    """The envelope as lxml writes it around the operation element's content, split where that goes;
    None when the text writer cannot follow lxml there (an unplain name, a namespace lxml prefixes
    otherwise)."""
    if _PLAIN_NAME.match(operation) is None:
        return None
    marker = "\ue000frame\ue000"
    whole = _build_envelope_tree(ns, operation, {"x": marker}).decode()
    head, found, tail = whole.partition(f"<dc:x>{marker}</dc:x>")
    return (head, tail) if found else None


def _build_envelope_tree(ns: str, operation: str, payload: Mapping[str, SoapValue]) -> bytes:
    request = etree.SubElement(_body_of_new_envelope(ns), f"{{{ns}}}{operation}")
    for key, value in payload.items():  # field paths start below the operation element
        _append(request, ns, key, value)
    return _serialised(request)


def build_fault(fault: SoapFault, ns: str) -> bytes:
    node = etree.SubElement(_body_of_new_envelope(ns), _FAULT_TAG)
    etree.SubElement(node, "faultcode").text = f"soap:{fault.code}"
    etree.SubElement(node, "faultstring").text = fault.message
    if fault.detail:
        detail = etree.SubElement(node, "detail")
        for key, value in fault.detail.items():
            _append(detail, ns, key, value)
    return _serialised(node)


def _body_of_new_envelope(ns: str) -> etree._Element:
    """The Body of a new envelope declaring `soap:` and `dc:` (the service's namespace)."""
    return etree.SubElement(etree.Element(_ENVELOPE_TAG, nsmap={"soap": SOAP_ENV, "dc": ns}), _BODY_TAG)


def _serialised(inside_body: etree._Element) -> bytes:
    """The whole envelope around the Body's element `inside_body`, with the XML declaration."""
    envelope = inside_body.getroottree().getroot()
    return bytes(etree.tostring(envelope, xml_declaration=True, encoding="utf-8"))


def _to_value(element: etree._Element, depth: int = 0) -> SoapValue:
    # Runs for every element of every SOAP answer: leaves read inline rather than by a call each, no
    # QName, and each "{ns}Name" tag split once (a memo: answers repeat their few dozen names). Children
    # come from the plain iterator, ~10 % faster than a tag-filtered one: comments and processing
    # instructions, whose tag is not a string and so never in the memo, are skipped where a name is
    # looked up.
    if depth >= MAX_DEPTH and next(element.iterchildren(_ELEMENTS), None) is not None:
        raise SoapParseError(f"elements nested deeper than {MAX_DEPTH} levels")
    result: dict[str, Any] | None = None
    local_names = _LOCAL_NAMES
    for child in element:
        tag = child.tag
        name = local_names.get(tag)
        if name is None:
            if type(tag) is not str:
                continue  # a comment or a processing instruction
            name = tag.rpartition("}")[2]
            if len(local_names) < _LOCAL_NAMES_MAX and len(tag) <= _MEMO_NAME_MAX:
                local_names[tag] = name
        if len(child):
            value = _to_value(child, depth + 1)
        else:
            value = child.text
            if value is not None:
                value = value.strip() or None
        if result is None:
            result = {name: value}
        elif name in result:
            existing = result[name]
            result[name] = [*existing, value] if type(existing) is list else [existing, value]
        else:
            result[name] = value
    if result is not None:
        return result
    text = element.text
    return text.strip() or None if text else None


# Tag -> local name; bounded in count and length, for the names come from answers and, on the SOAP front,
# from consumers (libxml2 takes names of up to 50,000 characters).
_LOCAL_NAMES: dict[str, str] = {}
_LOCAL_NAMES_MAX = 4096


def _body_element(data: bytes) -> etree._Element:
    """The first element of the envelope's Body. SoapParseError for anything else, and for any DTD: SOAP
    1.1 §3 forbids one, and asking the parsed document (not the bytes) catches it in any encoding."""
    try:
        root = etree.fromstring(data, parser=_PARSER)
    except etree.XMLSyntaxError as exc:
        raise SoapParseError(f"not well-formed XML: {exc.msg}") from None
    docinfo = root.getroottree().docinfo
    if docinfo.doctype or docinfo.internalDTD is not None:
        raise SoapParseError("a SOAP message must not contain a DTD")
    if root.tag != _ENVELOPE_TAG:
        raise SoapParseError("root element is not a SOAP 1.1 Envelope")
    body = next(root.iterchildren(_BODY_TAG), None)
    if body is None:
        raise SoapParseError("envelope has no Body")
    first = next(body.iterchildren(_ELEMENTS), None)
    if first is None:
        raise SoapParseError("Body is empty")
    return first


def read_request(data: bytes) -> tuple[str, str, dict[str, Any]]:
    """(namespace, operation local name, payload dict) of a request envelope from an untrusted caller;
    SoapParseError for anything but one (no DTD, no entities, nesting bounded)."""
    first = _body_element(data)
    if first.tag == _FAULT_TAG:
        raise SoapParseError("a request cannot be a Fault")
    payload = _to_value(first)
    name = etree.QName(first)
    return name.namespace or "", name.localname, payload if isinstance(payload, dict) else {}


def parse_envelope(data: bytes) -> tuple[str, dict[str, Any]]:
    """(operation local name, payload dict) of the first Body element; raises SoapFault for a fault body."""
    first = _body_element(data)
    if first.tag == _FAULT_TAG:
        code = (first.findtext("faultcode") or "soap:Server").rpartition(":")[2]
        detail_node = first.find("detail")
        detail = _to_value(detail_node) if detail_node is not None else None
        raise SoapFault(
            code, first.findtext("faultstring") or "", detail if isinstance(detail, dict) else None
        )
    payload = _to_value(first)
    return first.tag.rpartition("}")[2], payload if isinstance(payload, dict) else {}

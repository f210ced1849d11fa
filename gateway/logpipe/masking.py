"""Masks personal data in bodies, paths and queries, and collects keyed hashes of the identifiers it hides.

Every pass is linear in the input: JSON and XML are parsed once and walked once; text falls back to
regular expressions whose every repetition is bounded by a delimiter, so no input backtracks.
"""

from __future__ import annotations

import codecs
import hashlib
import hmac
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote, unquote_plus

import orjson
from lxml import etree

from ndxp_sim.core.identifiers import bhxh_number_in_card, mst_check_digit_holds
from ndxp_sim.gateway.logpipe.fields import KIND_MEMO, Kind, kind_of

SUBJECT_HASH_CHARS = 32
KEPT_DIGITS = 2  # of a masked identifier or phone number; see _mask_all_but_last
_MIN_IDENTIFIER_DIGITS = 6  # shorter "identifiers" are codes, not people

# 12-digit số định danh/CCCD, Vietnamese mobile numbers, 10-digit numbers (a BHXH number, unless it is an
# enterprise's tax code: _is_enterprise_code), 9-digit CMND; not part of a longer digit run.
_MOBILE_PREFIX = "[35789]"  # after 0 or +84
_FREE_TEXT = re.compile(
    rf"(?<![\d+])(?:(?P<id>\d{{12}})|(?P<phone>(?:\+84|0){_MOBILE_PREFIX}\d{{8}})|(?P<ten>\d{{10}})"
    r"|(?P<cmnd>\d{9}))(?!\d)"
)
_MIN_RUN_DIGITS = 9  # the shortest identifier the free-text patterns look for (CMND)
# Every free-text pattern holds nine digits in a row: this simpler scan rules out most texts at a third
# of the cost of the full pattern's (its look-arounds run at every position).
_NINE_DIGITS = re.compile(r"\d{9}")
_MOBILE = re.compile(f"0{_MOBILE_PREFIX}")  # a 10-digit run starting so is a mobile number to _FREE_TEXT
# Maps every non-digit byte to a space: `translate` + `split` finds digit runs ~5x faster than a regex scan.
_DIGITS_ONLY = bytes(byte if 0x30 <= byte <= 0x39 else 0x20 for byte in range(256))
_DOCUMENT_STARTS = "{[<"
_UNSEEN = object()  # a field name kind_of() has not memoised yet
_IDENTIFIER = Kind.IDENTIFIER
_HASHED_MAX = 64  # identifiers a masker remembers between start_record() calls
_NON_DIGITS = re.compile(r"\D")
_WORD = re.compile(r"\S+")
_DIGIT = re.compile(r"\d")
_ASCII_DIGITS_HIDDEN = str.maketrans(dict.fromkeys("0123456789", "*"))
_SPACE_BUT_BLANK = re.compile(r"[^\S ]")  # whitespace other than U+0020

# Fallbacks for bodies that do not parse: element text, "key": value pairs, key=value pairs.
_XML_ELEMENT = re.compile(r"<((?:[\w.-]+:)?[\w.-]+)(?:\s[^<>]*)?>([^<]+)<")
_JSON_PAIR = re.compile(r'"([\w.-]{1,64})"(\s*:\s*)("(?:[^"\\]|\\.)*"|-?\d+)')
_FORM_PAIR = re.compile(r"(?<![^\s&;?])([\w.-]{1,64})=([^&;\s]*)")

_BINARY_TYPES = (
    "text/html",  # pages for a browser (VNeID sign-in): they list people and hold one-time handles
    "image/",
    "audio/",
    "video/",
    "application/octet-stream",
    "application/pdf",
    "application/zip",
)

_TAG_NAME = re.compile(rb"<([A-Za-z_][\w.:-]*)")
_TEXT_CONTAINING = etree.XPath("//text()[contains(., $run)] | //@*[contains(., $run)]")
_XML_PARSER = etree.XMLParser(
    resolve_entities=False, no_network=True, huge_tree=False, load_dtd=False, dtd_validation=False
)


def normalise_identifier(value: str) -> str:
    """The canonical form hashed into `subjects`: digits only; a BHYT card becomes its BHXH number."""
    value = value.strip()
    if value.isdecimal():  # the common case, a bare number: neither a card nor anything to strip
        return value
    return bhxh_number_in_card(value) or _NON_DIGITS.sub("", value)


def subject_hash(value: str, key: str | bytes) -> str:
    """The keyed hash an operator searches by (`logs search --subject …`): HMAC-SHA256, first 32 hex chars."""
    secret = key.encode() if isinstance(key, str) else key
    return _digest(normalise_identifier(value), hmac.new(secret, digestmod=hashlib.sha256))


def _digest(normalised: str, keyed: hmac.HMAC) -> str:
    """The subject hash of a normalised identifier; `keyed` is copied, not changed (a masker keys it once:
    a copy per identifier skips the key set-up, 0.7 against 1.2 µs a hash)."""
    hashed = keyed.copy()
    hashed.update(normalised.encode())
    return hashed.hexdigest()[:SUBJECT_HASH_CHARS]


def _is_enterprise_code(ten_digits: str) -> bool:
    """A 10-digit number with an MST's check digit and not shaped like a mobile number, taken for an
    enterprise's tax code (public) and left clear. A BHXH number has no check digit of its own: about one
    in eleven passes this one and stays clear too where no field name says what it is (docs/hardening.md,
    Known limits)."""
    return _MOBILE.match(ten_digits) is None and mst_check_digit_holds(ten_digits)


def mask_value(value: str, kind: Kind) -> str:
    """A masked form that keeps a hint of the shape: `**********34`, `N*** V** A*`, `****-**-**`."""
    return _MASK_BY_KIND[kind](value)


def _mask_secret(value: str) -> str:
    return "***"


def _mask_name(value: str) -> str:
    # Words split by blanks only (printable text has no other whitespace): no regex callback per word.
    if value.isprintable() or _SPACE_BUT_BLANK.search(value) is None:
        if " " not in value:  # one word: a given name, a surname
            return value[:1] + "*" * min(len(value) - 1, 3)
        return " ".join([word[:1] + "*" * min(len(word) - 1, 3) for word in value.split(" ")])
    return _WORD.sub(_mask_word, value)


def _mask_date(value: str) -> str:
    if value.isascii():
        masked = value.translate(_ASCII_DIGITS_HIDDEN)
        if masked != value:
            return masked
    elif _DIGIT.search(value):
        return _DIGIT.sub("*", value)
    return _mask_other(value)


def _mask_email(value: str) -> str:
    if "@" in value:
        local, _, domain = value.partition("@")
        return f"{local[:1]}***@{domain}"
    return _mask_other(value)


def _mask_other(value: str) -> str:
    return "*" * min(len(value), 8)


def _mask_word(match: re.Match[str]) -> str:
    word = match.group()
    return word[0] + "*" * min(len(word) - 1, 3)


def _mask_all_but_last(value: str) -> str:
    """Only the last KEPT_DIGITS characters stay (none for short values).

    The record also holds the keyed hash of each identifier, so whatever the masked form keeps narrows a
    search by brute force through the hash for anyone who has the subject key. Keeping 6 of 12 digits
    left 10^6 candidates (seconds); keeping 2 leaves 10^10 (about 2.5 x 10^8 once the known structure of
    a CCCD, province and birth year, is used): hours to days of HMAC per number, and impossible without the
    key, which `ndxp-sim up` generates per install. A 9-digit CMND stays guessable by whoever holds the
    key (10^7): the key, not the mask, is what protects it.
    """
    if len(value) < 2 * KEPT_DIGITS + 2:
        return "*" * len(value)
    return "*" * (len(value) - KEPT_DIGITS) + value[-KEPT_DIGITS:]


# One function per kind: the masking walk calls it directly (a chain of kind tests cost more per value).
_MASK_BY_KIND: dict[Kind, Callable[[str], str]] = {
    Kind.IDENTIFIER: _mask_all_but_last,
    Kind.NAME: _mask_name,
    Kind.DATE: _mask_date,
    Kind.PHONE: _mask_all_but_last,
    Kind.EMAIL: _mask_email,
    Kind.SECRET: _mask_secret,
}


@dataclass(slots=True)
class _Scope:
    """One body's masking pass: the subjects found so far, and the long digit runs the raw body holds.

    A string can only hold an identifier-shaped number if it contains one of `digit_runs`; checking
    that with `in` (C substring search) spares a regex scan of every string of the body.
    """

    subjects: set[str]
    digit_runs: tuple[str, ...]

    @classmethod
    def of(cls, body: bytes, subjects: set[str]) -> _Scope:
        runs = {run.decode() for run in body.translate(_DIGITS_ONLY).split() if len(run) >= _MIN_RUN_DIGITS}
        # An enterprise's tax code is a run the free-text patterns leave as it is: a string holding no
        # other needs no scan (answers of the enterprise registry hold little else).
        return cls(subjects, tuple(run for run in runs if len(run) != 10 or not _is_enterprise_code(run)))

    def may_hold_identifier(self, text: str) -> bool:
        for run in self.digit_runs:  # noqa: SIM110 - a plain loop: any() + generator costs more here
            if run in text:
                return True
        return False


def _as_utf8(body: bytes) -> bytes:
    """A body in a wide encoding (UTF-16 or UTF-32, which XML and so SOAP allow) as UTF-8: the scans for
    identifiers and element names work on bytes, and would see nothing in a wide encoding's."""
    if b"\x00" not in body[:4]:  # every wide encoding has a NUL among the first 4 bytes of "<" or "{"
        return body
    try:
        return bytes(etree.tostring(etree.fromstring(body, _XML_PARSER), encoding="utf-8"))
    except (etree.XMLSyntaxError, ValueError):
        pass
    try:
        return body.decode(_wide_encoding(body[:4])).encode()
    except UnicodeDecodeError:
        return body


def _wide_encoding(head: bytes) -> str:
    """The wide encoding of a text starting with `head`: its BOM (UTF-32's first: it begins like
    UTF-16's), else where the NULs of an ASCII first character sit (RFC 4627 §3)."""
    if head.startswith((codecs.BOM_UTF32_LE, codecs.BOM_UTF32_BE)):
        return "utf-32"
    if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return "utf-16"
    if head[:3] == b"\x00\x00\x00":
        return "utf-32-be"
    if head[1:4] == b"\x00\x00\x00":
        return "utf-32-le"
    return "utf-16-be" if head[:1] == b"\x00" else "utf-16-le"


class Masker:
    """Masks with one subject key; each call adds the hashes of the identifiers it hid to `subjects`."""

    def __init__(self, subject_key: str | bytes) -> None:
        self._key = subject_key.encode() if isinstance(subject_key, str) else subject_key
        self._keyed = hmac.new(self._key, digestmod=hashlib.sha256)  # keyed once; see _digest
        # Hashes of the identifiers met since start_record(): an answer mostly repeats the number asked
        # for (the request's SoDinhDanh, the answer's, the head of household's), one HMAC each otherwise.
        self._hashed: dict[str, str | None] = {}

    def start_record(self) -> None:
        """Forget the identifiers met so far: a record's hashes are reused within that record only."""
        self._hashed.clear()

    def subject(self, value: str) -> str | None:
        """The subject hash of an identifier, or None when it is too short or already masked upstream;
        the same as `subject_hash(value, key)`."""
        if value in self._hashed:
            return self._hashed[value]
        hashed: str | None
        if "*" in value:
            hashed = None
        else:
            normalised = normalise_identifier(value)
            hashed = None if len(normalised) < _MIN_IDENTIFIER_DIGITS else _digest(normalised, self._keyed)
        if len(self._hashed) >= _HASHED_MAX:  # a caller that never starts a record stays bounded
            self._hashed.clear()
        self._hashed[value] = hashed
        return hashed

    def mask_body(
        self, body: bytes, content_type: str | None, subjects: set[str], document: Any = None
    ) -> str:
        """The body as masked text (JSON, XML/SOAP, or other text); binary bodies become a placeholder.

        `document`: the body's JSON already parsed (a fresh copy, masked in place), to spare parsing it
        again; None to parse the body here.
        """
        if is_binary(content_type):
            return binary_placeholder(body, content_type or "")
        body = _as_utf8(body)
        scope = _Scope.of(body, subjects)
        ctype = (content_type or "").lower()
        head = body[:64].lstrip()
        if document is not None and type(document) in (dict, list):
            masked = self._mask_parsed(document, scope)
        elif "json" in ctype or head[:1] in (b"{", b"["):
            masked = self._mask_json_document(body, scope)
        elif "xml" in ctype or head[:1] == b"<":
            masked = self._mask_xml_document(body, scope)
        else:
            masked = None
        if masked is None:
            masked = self.mask_text(body.decode("utf-8", "replace"), subjects)
        return masked

    def mask_text(self, text: str, subjects: set[str]) -> str:
        """Regex masking for text that is not (valid) JSON or XML: keyed pairs first, then free patterns."""
        text = _XML_ELEMENT.sub(lambda m: self._keyed_xml_element(m, subjects), text)
        text = _JSON_PAIR.sub(lambda m: self._keyed_json_pair(m, subjects), text)
        text = _FORM_PAIR.sub(lambda m: self._keyed_form_pair(m, subjects), text)
        return self.mask_free_text(text, subjects)

    def mask_free_text(self, text: str, subjects: set[str]) -> str:
        """Masks identifier-shaped digit runs and mobile numbers wherever they appear."""
        if len(text) < _MIN_RUN_DIGITS or _NINE_DIGITS.search(text) is None:
            return text
        return _FREE_TEXT.sub(lambda m: self._free_match(m, subjects), text)

    def mask_path(self, path: str, subjects: set[str]) -> str:
        return self.mask_free_text(path, subjects)

    def mask_query(self, query: str, subjects: set[str]) -> str:
        """Masks a query string by parameter name, and identifiers in any parameter."""
        if not query:
            return query
        parts = query.split("&")
        for i, part in enumerate(parts):
            key, sep, value = part.partition("=")
            kind = kind_of(unquote_plus(key)) if sep else None
            if kind is None:
                parts[i] = self.mask_free_text(part, subjects)
            else:
                masked = self._mask_keyed(unquote_plus(value), kind, subjects)
                parts[i] = f"{key}={quote(masked, safe='*@')}"
        return "&".join(parts)

    def _mask_keyed(self, value: str, kind: Kind, subjects: set[str]) -> str:
        if kind is _IDENTIFIER and (subject := self.subject(value)) is not None:
            subjects.add(subject)
        return _MASK_BY_KIND[kind](value)

    def _mask_string(self, value: str, kind: Kind | None, scope: _Scope) -> str:
        """`value` masked, or the very same object when nothing in it needed masking."""
        if kind is not None:
            return self._mask_keyed(value, kind, scope.subjects)
        if not value:
            return value
        if value[0] in _DOCUMENT_STARTS or value[0].isspace():
            embedded = self._mask_embedded(value, scope)
            if embedded is not None:
                return embedded
        if scope.digit_runs and scope.may_hold_identifier(value):
            return self.mask_free_text(value, scope.subjects)
        return value

    def _mask_embedded(self, value: str, scope: _Scope) -> str | None:
        """JSON or SOAP carried inside a JSON string (the citizen DB's `message`, hộ tịch's `data`)."""
        stripped = value.strip()
        if len(stripped) < 2:
            return None
        if stripped[0] in "{[" and stripped[-1] in "}]":
            return self._mask_json_document(stripped.encode(), scope)
        if stripped[0] == "<" and stripped[-1] == ">":
            return self._mask_xml_document(stripped.encode(), scope)
        return None

    def _free_match(self, match: re.Match[str], subjects: set[str]) -> str:
        value = match.group()
        group = match.lastgroup
        if group == "phone":
            return mask_value(value, Kind.PHONE)
        if group == "ten" and mst_check_digit_holds(value):  # mobile-shaped runs matched as "phone"
            return value
        return self._mask_keyed(value, Kind.IDENTIFIER, subjects)

    # JSON

    def _mask_json_document(self, body: bytes, scope: _Scope) -> str | None:
        try:
            document = orjson.loads(body)
        except orjson.JSONDecodeError:
            return None
        return self._mask_parsed(document, scope)

    def _mask_parsed(self, document: Any, scope: _Scope) -> str | None:
        try:
            masked = self._mask_json(document, None, scope)
        except RecursionError:
            return None
        return orjson.dumps(masked).decode()

    def _mask_json(self, node: Any, kind: Kind | None, scope: _Scope) -> Any:
        """`node` masked: containers in place (the document is our own fresh copy), scalars returned."""
        node_type = type(node)
        if node_type is dict or node_type is list:
            self._mask_container(node, kind, scope)
            return node
        return self._mask_scalar(node, node_type, kind, scope)

    def _mask_container(self, node: dict[str, Any] | list[Any], kind: Kind | None, scope: _Scope) -> None:
        # This walk runs for every logged body. Most values are strings or numbers of no personal kind,
        # holding no long digit run and no embedded document: that case is decided inline, without a call
        # per value or per key (a tenth of the walk); only values that change are assigned (rebuilding
        # every dict and list cost a third of it).
        runs = scope.digit_runs
        memo = KIND_MEMO if type(node) is dict else None
        entries: Iterable[tuple[Any, Any]] = node.items() if type(node) is dict else enumerate(node)
        for key, value in entries:
            if memo is None:  # a list item takes its list's kind
                value_kind = kind
            else:
                own: Any = memo.get(key, _UNSEEN)
                value_kind = (kind_of(key) if own is _UNSEEN else own) or kind
            value_type = type(value)
            if value_type is dict or value_type is list:
                self._mask_container(value, value_kind, scope)
                continue
            if value_kind is None:
                if value_type is not str or not value:
                    continue  # numbers are masked by kind only; free text is searched in strings
                first = value[0]
                if first not in _DOCUMENT_STARTS and not first.isspace():
                    for run in runs:  # _mask_string's own tests, inlined: may_hold_identifier()
                        if run in value:
                            break
                    else:
                        continue
            elif value_type is str:  # a personal field holding a string: straight to its kind's mask
                node[key] = self._mask_keyed(value, value_kind, scope.subjects)
                continue
            masked = self._mask_scalar(value, value_type, value_kind, scope)
            if masked is not value:
                node[key] = masked

    def _mask_scalar(self, value: Any, value_type: type, kind: Kind | None, scope: _Scope) -> Any:
        """A string masked by its kind or by what it holds; a number by its kind only."""
        if value_type is str:
            return self._mask_string(value, kind, scope)
        if kind is not None and value_type in (int, float):
            return self._mask_keyed(str(value), kind, scope.subjects)
        return value

    # XML

    def _mask_xml_document(self, body: bytes, scope: _Scope) -> str | None:
        try:
            root = etree.fromstring(body, _XML_PARSER)
        except (etree.XMLSyntaxError, ValueError):
            return None
        if root is None:
            return None
        self._mask_tree(root, body, scope)
        return str(etree.tostring(root, encoding="unicode"))

    def _mask_tree(self, root: Any, body: bytes, scope: _Scope) -> None:
        """Masks elements named like personal data (their subtree takes their kind unless a descendant
        has its own), then any text or attribute holding a long digit run. lxml finds both in C:
        `iter()` by the tag names the raw body holds, XPath by the digit runs it holds."""
        names = {name.rpartition(b":")[2].decode() for name in set(_TAG_NAME.findall(body))}
        personal = [f"{{*}}{name}" for name in names if kind_of(name) is not None]
        if personal:
            masked_already: set[Any] = set()
            for element in root.iter(*personal):
                if element not in masked_already:
                    kind = kind_of(element.tag)
                    assert kind is not None
                    self._mask_personal_subtree(element, kind, scope, masked_already)
        for run in scope.digit_runs:
            for found in _TEXT_CONTAINING(root, run=run):
                owner = found.getparent()
                masked = self.mask_free_text(str(found), scope.subjects)
                if found.is_attribute:
                    owner.set(found.attrname, masked)
                elif found.is_tail:
                    owner.tail = masked
                else:
                    owner.text = masked

    def _mask_personal_subtree(self, element: Any, kind: Kind, scope: _Scope, seen: set[Any]) -> None:
        for node in element.iter():
            tag = node.tag
            own = kind_of(tag) if isinstance(tag, str) else None
            self._mask_node(node, own or kind, scope, with_tail=node is not element)
            seen.add(node)

    def _mask_node(self, node: Any, kind: Kind | None, scope: _Scope, *, with_tail: bool) -> None:
        for name, value in node.items():
            masked = self._mask_string(value, kind_of(name) or kind, scope)
            if masked is not value:
                node.set(name, masked)
        text = node.text
        if text and not text.isspace():
            masked = self._mask_string(text, kind, scope)
            if masked is not text:
                node.text = masked
        tail = node.tail if with_tail else None
        if tail and not tail.isspace():
            masked = self._mask_string(tail, kind, scope)
            if masked is not tail:
                node.tail = masked

    # regex fallbacks

    def _keyed_xml_element(self, match: re.Match[str], subjects: set[str]) -> str:
        kind = kind_of(match.group(1))
        if kind is None:
            return match.group()
        start, end = match.span(2)
        offset = match.start()
        whole = match.group()
        masked = self._mask_keyed(match.group(2), kind, subjects)
        return whole[: start - offset] + masked + whole[end - offset :]

    def _keyed_json_pair(self, match: re.Match[str], subjects: set[str]) -> str:
        kind = kind_of(match.group(1))
        if kind is None:
            return match.group()
        raw = match.group(3)
        value = raw[1:-1] if raw.startswith('"') else raw
        return f'"{match.group(1)}"{match.group(2)}"{self._mask_keyed(value, kind, subjects)}"'

    def _keyed_form_pair(self, match: re.Match[str], subjects: set[str]) -> str:
        kind = kind_of(match.group(1))
        if kind is None:
            return match.group()
        return f"{match.group(1)}={self._mask_keyed(match.group(2), kind, subjects)}"


def is_binary(content_type: str | None) -> bool:
    """Whether a body of this type is logged as a placeholder instead of text."""
    return (content_type or "").lower().startswith(_BINARY_TYPES)


def binary_placeholder(body: bytes, content_type: str) -> str:
    """What the record holds instead of a binary body (or a page)."""
    kind = "page" if content_type.lower().startswith("text/html") else "binary body"
    return f"[{kind} omitted: {len(body)} bytes of {content_type}]"

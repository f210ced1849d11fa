"""Example cases played as SOAP 1.1 envelopes against a SOAP backend, answers validated against its XSD."""

from __future__ import annotations

import copy
import re
import shlex
import time
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import httpx
from lxml import etree

from ndxp_sim.adapters import soap
from ndxp_sim.adapters._base import SoapAdapter
from ndxp_sim.contracts.cases import Case, check_answer
from ndxp_sim.testing.contract_openapi import TIMEOUT_S, ContractFileError, Outcome

# Answers are untrusted input: no entities, no DTD, no network.
_PARSER = etree.XMLParser(
    resolve_entities=False, no_network=True, load_dtd=False, dtd_validation=False, huge_tree=False
)
_FAULT = f"{{{soap.SOAP_ENV}}}Fault"
_NS_PREFIX = re.compile(r"[\w.-]+:")
_ELEMENT_PREFIX = re.compile(r"^Element '[^']*': ")  # the path already says which element


def load_xsd(path: Path) -> etree.XMLSchema:
    try:
        return etree.XMLSchema(etree.parse(str(path), parser=_PARSER))
    except OSError:
        raise ContractFileError(f"{path}: cannot read") from None
    except (etree.XMLSyntaxError, etree.XMLSchemaParseError) as exc:
        raise ContractFileError(f"{path}: not a valid XML schema ({exc})") from None


def play_soap_case(
    case: Case, params: Mapping[str, Any], adapter: SoapAdapter, *, base_url: str, xsd: etree.XMLSchema
) -> Outcome:
    """POST `params` as the case's envelope; the answer must validate against the XSD and match the case.

    `case` is in backend terms (see contract_test.backend_view): no gateway error type, no error fields.
    """
    started = time.monotonic()
    envelope = soap.build_envelope(adapter.namespace, case.operation, dict(params))
    headers = {
        **case.headers,
        "Content-Type": soap.CONTENT_TYPE,
        "SOAPAction": f'"{adapter.namespace}/{case.operation}"',
    }
    url = base_url + adapter.soap_path
    outcome = Outcome(cases_run=1)
    try:
        response = httpx.post(url, content=envelope, headers=headers, timeout=TIMEOUT_S)
    except httpx.HTTPError as exc:
        outcome.reasons.append(f"no answer: {exc}")
    else:
        outcome.reasons.extend(_judge(case, adapter, response, xsd))
    if outcome.reasons:
        outcome.curl = " ".join(
            [
                "curl -X POST",
                *(f"-H {shlex.quote(f'{name}: {value}')}" for name, value in headers.items()),
                f"--data-binary {shlex.quote(_without_declaration(envelope))}",
                shlex.quote(url),
            ]
        )
    outcome.seconds = time.monotonic() - started
    return outcome


def _without_declaration(envelope: bytes) -> str:
    """The envelope for a shell line: UTF-8 is XML's default, so the declaration can go."""
    text = envelope.decode("utf-8")
    return text.split("?>", 1)[1].lstrip() if text.startswith("<?xml") else text


def _judge(case: Case, adapter: SoapAdapter, response: httpx.Response, xsd: etree.XMLSchema) -> list[str]:
    if "xml" not in response.headers.get("content-type", ""):
        return [f"answer: HTTP {response.status_code} with {response.headers.get('content-type')!r}, not XML"]
    try:
        root = etree.fromstring(response.content, parser=_PARSER)
    except etree.XMLSyntaxError as exc:
        return [f"answer: not well-formed XML ({exc.msg})"]
    first = root.find(f"{{{soap.SOAP_ENV}}}Body/*")
    if root.tag != f"{{{soap.SOAP_ENV}}}Envelope" or first is None:
        return ["answer: not a SOAP 1.1 envelope with a Body"]
    if first.tag == _FAULT:
        detail = first.find("detail")
        problems = [p for child in (detail if detail is not None else []) for p in _invalid(child, xsd)]
        if response.status_code != 500:
            problems.append(f"status: a SOAP fault must come with HTTP 500, got {response.status_code}")
        status, payload = _fault_status(first, adapter), None
    else:
        expected = f"{{{adapter.namespace}}}{case.operation}Response"
        if first.tag != expected:
            return [f"answer: body element {first.tag}, expected {expected}"]
        problems = _invalid(first, xsd)
        status = response.status_code
        # The case's fields are the gateway's JSON: the adapter's own shaping turns the SOAP answer into it.
        payload = adapter.shape_response(
            adapter.by_name[case.operation], soap.parse_envelope(response.content)[1]
        )
    problems.extend(check_answer(case, status, payload, None))
    return problems


def _invalid(element: etree._Element, xsd: etree.XMLSchema) -> list[str]:
    """Where the element breaks the XSD, as `field <path>: <why>`."""
    if xsd.validate(etree.ElementTree(copy.deepcopy(element))):
        return []
    return [
        f"field {_dotted(error.path)}: {_ELEMENT_PREFIX.sub('', error.message)}" for error in xsd.error_log
    ]


def _dotted(xpath: str) -> str:
    """`/dc:A/dc:B[2]/dc:C` as `A.B[2].C`, like the JSON field paths."""
    return _NS_PREFIX.sub("", xpath).strip("/").replace("/", ".")


def _fault_status(fault: etree._Element, adapter: SoapAdapter) -> int:
    """The status the fault means: 404 for a not-found code, 422 for a client fault, else 502."""
    codes = {(node.text or "").strip() for node in fault.iter() if etree.QName(node).localname == "MaLoi"}
    if codes & adapter.not_found_codes:
        return 404
    return 422 if (fault.findtext("faultcode") or "").endswith("Client") else 502

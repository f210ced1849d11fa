"""Validators for answers against the committed contracts: OpenAPI response schemas and the SOAP XSD."""

from __future__ import annotations

import re
from functools import cache
from typing import Any

import yaml
from jsonschema import Draft202012Validator
from lxml import etree
from referencing import Registry
from referencing.jsonschema import DRAFT202012

from ndxp_sim.adapters.soap import SOAP_ENV
from ndxp_sim.contracts import CONTRACTS_DIR


@cache
def document(name: str) -> dict[str, Any]:
    """A contract file under contracts/, e.g. `ho_tich.openapi.yaml` or `backends/ho_tich.openapi.yaml`."""
    loaded: dict[str, Any] = yaml.safe_load((CONTRACTS_DIR / name).read_text(encoding="utf-8"))
    return loaded


def response_validator(name: str, path: str, method: str, status: str) -> Draft202012Validator:
    """A validator for one JSON response of the contract, $refs resolved inside the document.

    KeyError when the contract does not list that status for that operation.
    """
    spec = document(name)
    uri = f"urn:{name}"
    registry = Registry().with_resource(uri, DRAFT202012.create_resource(spec))
    response = spec["paths"][path][method]["responses"][status]
    if "$ref" in response:
        pointer = "/components/responses/" + response["$ref"].rsplit("/", 1)[1]
    else:
        pointer = f"/paths/{path.replace('~', '~0').replace('/', '~1')}/{method}/responses/{status}"
    return Draft202012Validator(
        {"$ref": f"{uri}#{pointer}/content/application~1json/schema"},
        registry=registry,
        format_checker=Draft202012Validator.FORMAT_CHECKER,
    )


def template_of(name: str, path: str) -> str:
    """The contract's path template (`/ho-so/{maHoSo}`) that a concrete path matches."""
    for template in document(name)["paths"]:
        if re.fullmatch(re.sub(r"\\\{[^/}]+\\\}", "[^/]+", re.escape(template)), path):
            return str(template)
    raise KeyError(f"{name} has no path matching {path}")


@cache
def soap_schema() -> etree.XMLSchema:
    return etree.XMLSchema(etree.parse(str(CONTRACTS_DIR / "csdl_dan_cu.xsd")))


def assert_valid_soap(envelope: bytes) -> None:
    """The Body's payload (or the fault detail's children) validates against the published XSD."""
    body = etree.fromstring(envelope).find(f"{{{SOAP_ENV}}}Body")
    assert body is not None, "no SOAP Body"
    payload = next(iter(body))
    if payload.tag == f"{{{SOAP_ENV}}}Fault":
        for element in payload.find("detail"):
            soap_schema().assertValid(etree.ElementTree(element))
    else:
        soap_schema().assertValid(etree.ElementTree(payload))

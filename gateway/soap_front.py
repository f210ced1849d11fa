"""The SOAP face of a SOAP service at the gateway: its WSDL with the gateway's address, and faults.

A service whose backend speaks SOAP is offered at `/{context}/{version}/soap` as well as operation by
operation in JSON: `GET …/soap?wsdl` gives the WSDL, `POST …/soap` takes a SOAP 1.1 envelope. The
envelope is checked (token, ACL on its Body element, quota, fields) and sent on to the backend as it
is; gateway errors come back as SOAP 1.1 faults with the HTTP status the JSON front would give.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import lru_cache
from urllib.parse import parse_qsl

from lxml import etree

from ndxp_sim.adapters import soap
from ndxp_sim.adapters._base import Adapter
from ndxp_sim.contracts import CONTRACTS_DIR
from ndxp_sim.core.errors import GatewayError, InvalidRequestError

SOAP_PATH = "soap"
CONTENT_TYPE = soap.CONTENT_TYPE.encode()
_WSDL = "http://schemas.xmlsoap.org/wsdl/"
_WSDL_SOAP = "http://schemas.xmlsoap.org/wsdl/soap/"
_XS = "http://www.w3.org/2001/XMLSchema"
_CONTRACT = etree.XMLParser(resolve_entities=False, no_network=True, remove_blank_text=True)

ErrorRenderer = Callable[[GatewayError, str], tuple[bytes, bytes]]  # (error, exchange id) -> body, type


def asks_wsdl(query: str) -> bool:
    """`?wsdl` (or `?WSDL`, as some clients write it)."""
    return any(name.lower() == "wsdl" for name, _ in parse_qsl(query, keep_blank_values=True))


def wsdl(adapter: Adapter, address: str) -> bytes | None:
    """The service's WSDL (contracts/<key>.wsdl) naming `address` as its endpoint, its schema imports
    inlined so one request gives a client everything; None when the service has no WSDL contract."""
    return _wsdl(adapter.key, address)


@lru_cache(maxsize=64)  # a handful of services times the addresses the gateway is reached by
def _wsdl(key: str, address: str) -> bytes | None:
    path = CONTRACTS_DIR / f"{key}.wsdl"
    if not path.is_file():
        return None
    document = etree.parse(str(path), _CONTRACT)
    for imported in document.iterfind(f".//{{{_XS}}}schema/{{{_XS}}}import[@schemaLocation]"):
        location = imported.get("schemaLocation") or ""
        wrapper = imported.getparent()
        if "/" in location or wrapper is None or wrapper.getparent() is None:
            continue  # only schemas shipped next to the WSDL are inlined
        schema = etree.parse(str(CONTRACTS_DIR / location), _CONTRACT).getroot()
        wrapper.getparent().replace(wrapper, schema)
    for port_address in document.iterfind(f".//{{{_WSDL}}}port/{{{_WSDL_SOAP}}}address"):
        port_address.set("location", address)
    return bytes(etree.tostring(document, xml_declaration=True, encoding="utf-8"))


def fault(error: GatewayError, exchange_id: str, namespace: str) -> bytes:
    """A gateway error as a SOAP 1.1 fault: faultcode `soap:<error type>` (SOAP 1.1's dotted
    Client.*/Server.* codes), the message, and in detail the type (MaLoi) and the exchange id."""
    code = error.type if error.type.startswith(("Client", "Server")) else "Server"
    detail = {"MaLoi": error.type, "MoTa": error.message, "MaTraoDoi": exchange_id}
    return soap.build_fault(soap.SoapFault(code, error.message, detail), namespace)


@lru_cache(maxsize=64)
def fault_answer(namespace: str) -> ErrorRenderer:
    """The proxy's error renderer for a SOAP front: fault body and SOAP content type."""

    def render(error: GatewayError, exchange_id: str) -> tuple[bytes, bytes]:
        return fault(error, exchange_id, namespace), CONTENT_TYPE

    return render


def request_error(error: soap.SoapParseError) -> InvalidRequestError:
    return InvalidRequestError(f"body: not a SOAP 1.1 request envelope ({error})")

"""The simulator's own listening ports on this machine, where a consumer's callback must never be sent."""

from __future__ import annotations

import ipaddress
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

if TYPE_CHECKING:
    from ndxp_sim.core.settings import Settings

_LOCAL_NAMES = {"localhost", "localhost.localdomain", "ip6-localhost", "ip6-loopback"}


def own_ports(settings: Settings) -> frozenset[int]:
    """Gateway, mocks, embedded and configured brokers, and the store's database server."""
    ports = {settings.port, settings.mocks.port, settings.kafka.embedded_port}
    for server in (settings.kafka.bootstrap_servers or "").split(","):
        _, _, port = server.strip().rpartition(":")
        if port.isdigit():
            ports.add(int(port))
    try:
        store_port = urlsplit(settings.store.url).port
    except ValueError:  # a malformed store URL is reported by the store itself
        store_port = None
    if store_port:
        ports.add(store_port)
    return frozenset(ports)


def is_local(host: str, settings: Settings) -> bool:
    """True for loopback, unspecified and link-local addresses, local names, and the hosts we bind."""
    host = host.strip("[]").lower().rstrip(".")
    if host in _LOCAL_NAMES or host in {settings.host.lower(), settings.mocks.host.lower()}:
        return True
    try:
        address = ipaddress.ip_address(host)
    except ValueError:
        return False
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        address = address.ipv4_mapped
    return address.is_loopback or address.is_unspecified or address.is_link_local


def refusal(host: str, port: int, settings: Settings) -> str | None:
    """Why a callback to `host:port` is refused, or None when it may go there."""
    if port in own_ports(settings) and is_local(host, settings):
        return f"{host}:{port} is one of the simulator's own ports (gateway, mocks, broker or store)"
    return None

"""Matching callback URLs against the patterns a consumer registered (no prefix tricks, no userinfo)."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

from ndxp_sim.core.own_ports import refusal

if TYPE_CHECKING:
    from ndxp_sim.core.settings import Settings

_DOT_SEGMENT = re.compile(r"(^|/)(\.|%2e){1,2}(/|$)", re.IGNORECASE)


def _split_pattern(pattern: str) -> tuple[str, str, str, str]:
    scheme, _, rest = pattern.partition("://")
    netloc, slash, path = rest.partition("/")
    host, _, port = netloc.rpartition(":") if ":" in netloc else (netloc, "", "")
    return scheme.lower(), host.lower(), port, slash + path


def url_allowed(url: str, patterns: list[str], settings: Settings | None = None) -> bool:
    """True if `url` matches one pattern `scheme://host[:port|:*][/path-prefix]` exactly by host and port
    and, given `settings`, is not one of the simulator's own ports on this machine."""
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError:
        return False
    if parts.username is not None or parts.password is not None or not parts.hostname:
        return False
    if parts.scheme not in ("http", "https"):
        return False
    if _DOT_SEGMENT.search(parts.path):
        return False  # "/callbacks/../_admin" would pass the prefix and be normalised away by the client
    default_port = 443 if parts.scheme == "https" else 80
    if settings is not None and refusal(parts.hostname, port or default_port, settings):
        return False
    for pattern in patterns:
        scheme, host, pattern_port, path = _split_pattern(pattern)
        if scheme != parts.scheme or host != parts.hostname.lower():
            continue
        if pattern_port != "*" and int(pattern_port or default_port) != (port or default_port):
            continue
        if parts.path.startswith(path or "/") or (not path and not parts.path):
            return True
    return False

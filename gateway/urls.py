"""Matching callback URLs against the patterns a consumer registered (no prefix tricks, no userinfo)."""

from __future__ import annotations

from urllib.parse import urlsplit


def _split_pattern(pattern: str) -> tuple[str, str, str, str]:
    scheme, _, rest = pattern.partition("://")
    netloc, slash, path = rest.partition("/")
    host, _, port = netloc.rpartition(":") if ":" in netloc else (netloc, "", "")
    return scheme.lower(), host.lower(), port, slash + path


def url_allowed(url: str, patterns: list[str]) -> bool:
    """True if `url` matches one pattern `scheme://host[:port|:*][/path-prefix]` exactly by host and port."""
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError:
        return False
    if parts.username is not None or parts.password is not None or not parts.hostname:
        return False
    if parts.scheme not in ("http", "https"):
        return False
    default_port = 443 if parts.scheme == "https" else 80
    for pattern in patterns:
        scheme, host, pattern_port, path = _split_pattern(pattern)
        if scheme != parts.scheme or host != parts.hostname.lower():
            continue
        if pattern_port != "*" and int(pattern_port or default_port) != (port or default_port):
            continue
        if parts.path.startswith(path or "/") or (not path and not parts.path):
            return True
    return False

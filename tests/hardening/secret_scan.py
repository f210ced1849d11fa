"""Finds credentials in text: private keys, cloud keys, tokens, secrets assigned to credential-like names."""

from __future__ import annotations

import math
import re
from collections import Counter
from dataclasses import dataclass

_PATTERNS = {
    "private key": re.compile(r"-----BEGIN [A-Z ]*PRIVATE KEY-----"),
    "AWS access key id": re.compile(r"\b(?:AKIA|ASIA)[0-9A-Z]{16}\b"),
    "AWS secret key assignment": re.compile(r"(?i)aws_?secret_?access_?key\W{1,4}([A-Za-z0-9/+=]{40})"),
    "JWT": re.compile(r"\beyJ[A-Za-z0-9_-]{8,}\.eyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]*"),
    "service token": re.compile(
        r"\b(?:gh[pousr]_[A-Za-z0-9]{30,}|xox[abprs]-[A-Za-z0-9-]{10,}|sk-[A-Za-z0-9]{32,})"
    ),
    "credential assignment": re.compile(
        r"""(?i)\b[\w.-]*(?:password|passwd|pwd|secret|token|api_?key|private_?key|access_?key|credential)"""
        r"""[\w.-]*["']?\s*[:=]\s*["']([^"'\s]{8,})["']"""
    ),
    "high-entropy assignment": re.compile(r"""[\w\]]["']?\s*[:=]\s*["']([A-Za-z0-9+/=_-]{32,})["']"""),
}
_ENV_NAME = re.compile(r"[A-Z][A-Z0-9_]+")


@dataclass(frozen=True)
class Finding:
    path: str
    kind: str
    value: str


def entropy(text: str) -> float:
    """Shannon entropy in bits per character."""
    counts = Counter(text)
    return -sum(n / len(text) * math.log2(n / len(text)) for n in counts.values())


def _looks_random(value: str) -> bool:
    mixed = all(re.search(pattern, value) for pattern in ("[a-z]", "[A-Z]", "[0-9]"))
    return mixed and entropy(value) >= 4.5


def scan(path: str, text: str) -> list[Finding]:
    found = []
    for kind, pattern in _PATTERNS.items():
        for match in pattern.finditer(text):
            value = match.group(1) if pattern.groups else match.group(0)
            if kind == "credential assignment" and _ENV_NAME.fullmatch(value):
                continue  # the name of a variable holding a secret, not a secret
            if kind == "high-entropy assignment" and not _looks_random(value):
                continue
            found.append(Finding(path, kind, value))
    return found

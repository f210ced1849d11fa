"""The repository holds no credentials except the documented fake ones."""

from __future__ import annotations

import re
import subprocess
from fnmatch import fnmatch
from pathlib import Path

import pytest

from tests.hardening.secret_scan import scan

ROOT = Path(__file__).resolve().parents[2]

# Each fake credential the repository ships on purpose: (value pattern, files it may appear in, the file that
# documents it as fake — which must mention it).
ALLOWED_FAKES = [
    (r"demo-secret-(H91|H92|ops)", "*", "core/config/default.yaml"),
    # the PBKDF2 hashes of those three demo secrets, next to the comment naming each secret
    (
        r"pbkdf2_sha256\$100000\$[0-9a-f]{16}\$[0-9a-f]{64}",
        "core/config/default.yaml",
        "core/config/default.yaml",
    ),
    # FAKE_* defaults (refused outside simulator mode), and test values that say they are fake
    (r"[A-Za-z0-9-]*fake-[A-Za-z0-9-]*", "*", "core/settings.py"),
    # the shipped lgspaccesstoken credentials of the demo agency, and wrong ones the tests send
    (r"demo-(access|lgsp-secret)-[A-Z0-9]+", "*", "core/config/default.yaml"),
    (r"not-the-secret", "tests/*", "core/config/default.yaml"),
    # header names held in constants, not credentials
    (r"lgspaccesstoken", "gateway/auth.py", "gateway/auth.py"),
    (r"Authorization", "mock_services/admin.py", "gateway/auth.py"),
]
_DOCUMENTED_AS = {
    "core/config/default.yaml": "# secret: demo-secret-",
    "core/settings.py": "FAKE_JWT_SECRET",
    "gateway/auth.py": "LGSP_TOKEN_HEADER",
}


def _tracked_text_files() -> dict[str, str]:
    listed = subprocess.run(
        ["git", "ls-files", "-z"], cwd=ROOT, capture_output=True, check=True, timeout=60
    ).stdout.decode()
    files = {}
    for name in filter(None, listed.split("\0")):
        try:
            files[name] = (ROOT / name).read_text(encoding="utf-8")
        except (UnicodeDecodeError, FileNotFoundError, IsADirectoryError):
            continue  # binary, or deleted in the working tree
    return files


def _allowed(path: str, value: str) -> bool:
    return any(re.fullmatch(pattern, value) and fnmatch(path, where) for pattern, where, _ in ALLOWED_FAKES)


def test_tracked_files_hold_no_credentials_but_the_documented_fakes() -> None:
    """Every tracked text file scanned for private keys, AWS keys, JWTs, service tokens, credential and
    high-entropy assignments → nothing but the allow-listed fakes, each documented as fake where named."""
    files = _tracked_text_files()
    assert len(files) > 100  # the scan really read the repository
    findings = [finding for path, text in files.items() for finding in scan(path, text)]
    unexpected = [f for f in findings if not _allowed(f.path, f.value)]
    assert unexpected == []
    for _, _, documented_in in ALLOWED_FAKES:
        assert _DOCUMENTED_AS[documented_in] in files[documented_in]


# Written in two halves joined at run time, so this file does not hold what it plants.
PLANTED = [
    ("-----BEGIN RSA PRIVATE " + "KEY-----\nMIIE", "private key"),
    ("-----BEGIN OPENSSH PRIVATE " + "KEY-----", "private key"),
    ("key_id = AKIA" + "IOSFODNN7EXAMPLE", "AWS access key id"),
    ("aws_secret_access_key = " + "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEYab", "AWS secret key assignment"),
    ("Authorization: Bearer eyJ" + "hbGciOiJIUzI1NiJ9.eyJzdWIiOiJ4In0.c2ln", "JWT"),
    ("GITHUB=gh" + "p_" + "a1B2" * 9, "service token"),
    ("db_password: " + '"hunter2hunter2"', "credential assignment"),
    ("SIGNING_KEY = " + '"q8Z3vN1xR7tK2mB9wL4cF6hJ0pY5sD8gA3"', "high-entropy assignment"),
]


@pytest.mark.parametrize(
    ("planted", "kind"), PLANTED, ids=[f"{kind} {n}" for n, (_, kind) in enumerate(PLANTED)]
)
def test_the_scanner_finds_planted_credentials(planted: str, kind: str) -> None:
    """A private key, an AWS key pair, a JWT, a GitHub token, a password and a random-looking key planted in
    a text → each found under its kind (the repository scan above can fail)."""
    assert kind in {finding.kind for finding in scan("planted.txt", planted)}

"""Shipped defaults must not make tokens forgeable or masking reversible."""

from __future__ import annotations

import os
import re
import stat
from pathlib import Path

import pytest
from joserfc import jwt
from joserfc.jwk import OctKey
from pydantic import ValidationError

from ndxp_sim.core.install_secrets import ensure_secrets_file
from ndxp_sim.core.settings import FAKE_CALLBACK_KEY, FAKE_JWT_SECRET, FAKE_SUBJECT_KEY, Settings
from ndxp_sim.gateway import cli
from ndxp_sim.gateway.logpipe.fields import Kind
from ndxp_sim.gateway.logpipe.masking import mask_value
from tests.conftest import CONSUMER, MakeGateway, MakeSettings

OPERATOR_CLAIMS = {"iss": "ndxp-sim-1", "sub": "ops.ndxp-sim", "iat": 0, "exp": 2**40, "scope": "operator"}


@pytest.mark.parametrize(
    ("value", "kind"),
    [("089085012345", Kind.IDENTIFIER), ("0912345678", Kind.PHONE), ("123456789", Kind.IDENTIFIER)],
)
def test_a_masked_identifier_keeps_at_most_two_digits(value: str, kind: Kind) -> None:
    """Masking a CCCD, a phone and a CMND number → only their last 2 digits stay (6 kept left 10^6 candidates
    to try against the subject hash; 2 leave 10^10 for a CCCD)."""
    masked = mask_value(value, kind)
    assert len(masked) == len(value)
    assert len(re.sub(r"\D", "", masked)) <= 2 and masked.endswith(value[-2:])


def test_up_generates_owner_only_secrets_once_and_says_where(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """`ndxp-sim up`, twice → the first run writes this install's JWT secret, subject key and callback key to
    an owner-only (0600) file, points the processes it starts at it and says where; the second keeps it."""
    path = tmp_path / "var" / "secrets.yaml"
    monkeypatch.setenv("NDXP_SECRETS_FILE", str(path))
    cli._use_install_secrets()
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert str(path) in capsys.readouterr().err and os.environ["NDXP_SECRETS_FILE"] == str(path)
    first = Settings()
    assert first.jwt_secret.get_secret_value() != FAKE_JWT_SECRET
    assert first.log.subject_key.get_secret_value() != FAKE_SUBJECT_KEY
    assert first.mocks.callback_key.get_secret_value() != FAKE_CALLBACK_KEY
    cli._use_install_secrets()
    assert "kept" in capsys.readouterr().err
    assert Settings().jwt_secret == first.jwt_secret


async def test_a_token_signed_with_the_shipped_secret_is_refused_once_secrets_are_generated(
    tmp_path: Path, make_settings: MakeSettings, make_gateway: MakeGateway
) -> None:
    """An operator token forged with the shipped JWT secret, on a gateway with generated secrets → 401; the
    README's demo consumer still gets a token with its documented credentials."""
    secrets_file = tmp_path / "secrets.yaml"
    ensure_secrets_file(secrets_file)
    gateway = make_gateway(make_settings(secrets_file=secrets_file))
    forged = jwt.encode({"alg": "HS256"}, OPERATOR_CLAIMS, OctKey.import_key(FAKE_JWT_SECRET.encode()))
    refused = await gateway.client.get("/_ops/exchanges", headers={"authorization": f"Bearer {forged}"})
    assert refused.status_code == 401
    token = await gateway.client.post("/token", data={"grant_type": "client_credentials"}, auth=CONSUMER)
    assert token.status_code == 200


def test_the_shipped_fake_secrets_are_refused_outside_simulator_mode() -> None:
    """Settings with simulator_mode off and the shipped fake secrets → start refused, naming each one; own
    secrets are accepted."""
    with pytest.raises(ValidationError) as failure:
        Settings(simulator_mode=False)
    assert "jwt_secret, log.subject_key, mocks.callback_key" in str(failure.value)
    real = {"jwt_secret": "j" * 40, "log": {"subject_key": "s" * 40}, "mocks": {"callback_key": "c" * 40}}
    assert Settings(simulator_mode=False, **real).simulator_mode is False

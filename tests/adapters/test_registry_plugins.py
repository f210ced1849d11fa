"""A province plugs in its own adapter through the `ndxp_sim.adapters` entry-point group."""

from __future__ import annotations

import logging
from typing import Any

import pytest

from ndxp_sim.adapters import registry
from ndxp_sim.adapters.csdl_dkdn import CsdlDkdnAdapter


class ProvinceDkdnAdapter(CsdlDkdnAdapter):
    """A province's own business-registry adapter (say, a different sandbox path)."""


class _EntryPoint:
    def __init__(self, name: str, target: Any) -> None:
        self.name = name
        self._target = target

    def load(self) -> Any:
        return self._target


def test_a_plugin_replaces_the_built_in_adapter_of_its_service(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(registry, "entry_points", lambda group: [_EntryPoint("ag_dkdn", ProvinceDkdnAdapter)])
    adapters = registry.load_adapters()
    assert adapters["csdl_dkdn"] is ProvinceDkdnAdapter
    assert "csdl_dan_cu" in adapters  # the others stay built in


def test_an_entry_point_that_is_not_an_adapter_is_ignored_with_an_error(
    monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    monkeypatch.setattr(registry, "entry_points", lambda group: [_EntryPoint("broken", object)])
    with caplog.at_level(logging.ERROR, logger="ndxp.adapters"):
        adapters = registry.load_adapters()
    assert adapters["csdl_dkdn"] is CsdlDkdnAdapter
    assert "broken" in caplog.text

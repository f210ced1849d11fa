"""The embedded tansu broker: starts, answers Kafka requests, stops by PID, fails with a useful message."""

from __future__ import annotations

import os

import pytest

from ndxp_sim.gateway.logpipe import broker as broker_module
from ndxp_sim.gateway.logpipe.broker import BrokerUnavailableError, EmbeddedBroker, api_versions_ok


def test_broker_serves_until_stopped_and_its_process_is_gone_after() -> None:
    broker = EmbeddedBroker()
    broker.start_sync()
    try:
        pid = broker.pid
        assert pid is not None and broker.running
        assert api_versions_ok(broker.host, broker.port)
    finally:
        broker.stop_sync()
    assert not broker.running
    assert not api_versions_ok(broker.host, broker.port)
    with pytest.raises(ProcessLookupError):
        os.kill(pid, 0)


def test_restart_keeps_the_port() -> None:
    with EmbeddedBroker() as broker:
        port = broker.port
        broker.stop_sync()
        broker.start_sync()
        assert broker.port == port and api_versions_ok(broker.host, port)


def test_missing_binary_says_how_to_use_an_external_kafka(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(broker_module, "tansu_binary", lambda: "/nonexistent/tansu")
    with pytest.raises(BrokerUnavailableError, match="NDXP_KAFKA__BOOTSTRAP_SERVERS"):
        EmbeddedBroker().start_sync()


def test_a_taken_port_is_reported_not_mistaken_for_our_broker() -> None:
    with EmbeddedBroker() as first, pytest.raises(BrokerUnavailableError, match="already in use"):
        EmbeddedBroker(port=first.port).start_sync()

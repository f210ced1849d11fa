"""Fixtures for the exchange-log producer tests: a session broker, sink settings, synthetic exchanges."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

import pytest
from pydantic import SecretStr

from ndxp_sim.core.settings import Settings
from ndxp_sim.gateway.exchange import Exchange, sortable_uuid
from tests.gateway.logpipe.logpipe_samples import CITIZEN_ID, JSON_BODY, SOAP_BODY, SUBJECT_KEY, MakeExchange
from tests.kafka_broker import broker_fixture, unique_topic

kafka_broker = broker_fixture()


@pytest.fixture
def make_exchange() -> MakeExchange:
    """Exchanges as the gateway gathers them; keyword arguments override any field."""

    def make(**fields: Any) -> Exchange:
        now = time.time()
        base: dict[str, Any] = {
            "exchange_id": sortable_uuid(),
            "request_id": "req-test",
            "instance": "test-gw",
            "method": "POST",
            "path": f"/apiCSDLDanCu/1.0/congDan/{CITIZEN_ID}",
            "query": f"SoDinhDanh={CITIZEN_ID}&lang=vi",
            "t_request_in": now,
            "t_backend_out": now + 0.001,
            "t_backend_in": now + 0.011,
            "t_response_out": now + 0.012,
            "consumer_id": "000.00.00.H91",
            "service_key": "csdl_dan_cu",
            "service_number": 1,
            "operation": "traCuuCongDan",
            "status": 200,
            "backend_protocol": "soap",
            "backend_status": 200,
            "request_bytes": len(JSON_BODY),
            "response_bytes": len(SOAP_BODY),
            "correlation": {"MaYeuCau": "YC-1", "MaHoSo": "H91.99-250701-0001", "MaDonVi": "000.00.00.H91"},
            "request_body": JSON_BODY,
            "request_content_type": "application/json",
            "response_body": SOAP_BODY,
            "response_content_type": "text/xml; charset=utf-8",
        }
        return Exchange(**(base | fields))

    return make


@pytest.fixture
def sink_settings(make_settings: Callable[..., Settings], kafka_broker: Any) -> Callable[..., Settings]:
    """Settings for a sink on the session broker, with its own topic and spool under tmp_path."""

    def make(*, queue_max: int = 100_000, bootstrap: str | None = None, **overrides: Any) -> Settings:
        settings = make_settings(**overrides)
        return settings.model_copy(
            update={
                "kafka": settings.kafka.model_copy(
                    update={
                        "bootstrap_servers": bootstrap or kafka_broker.bootstrap_servers,
                        "topic": unique_topic(),
                    }
                ),
                "log": settings.log.model_copy(
                    update={"queue_max": queue_max, "subject_key": SecretStr(SUBJECT_KEY)}
                ),
            }
        )

    return make

"""The producing half of the exchange log: records, masking, the Kafka sink and spool, the embedded broker."""

from __future__ import annotations

from typing import TYPE_CHECKING

from ndxp_sim.gateway.exchange import Exchange, ExchangeSink
from ndxp_sim.gateway.logpipe.masking import Masker, subject_hash
from ndxp_sim.gateway.logpipe.record import to_record

if TYPE_CHECKING:
    from ndxp_sim.core.settings import Settings

__all__ = ["CountingSink", "Masker", "build_sink", "subject_hash", "to_record"]


class CountingSink:
    """The sink when exchange logging is disabled: counts submissions and keeps nothing."""

    def __init__(self) -> None:
        self._submitted = 0

    def submit(self, exchange: Exchange) -> None:
        self._submitted += 1

    async def start(self) -> None:
        return None

    async def stop(self) -> None:
        return None

    def stats(self) -> dict[str, int]:
        return {
            "submitted": self._submitted,
            "produced": 0,
            "spooled": 0,
            "replayed": 0,
            "pending": 0,
            "failed": 0,
        }

    def ready(self) -> tuple[bool, str]:
        return True, "exchange logging disabled"


def build_sink(settings: Settings, **options: object) -> ExchangeSink:
    """A KafkaSink when `settings.log.enabled`, else a CountingSink; `options` go to KafkaSink."""
    if not settings.log.enabled:
        return CountingSink()
    from ndxp_sim.gateway.logpipe.sink import KafkaSink  # aiokafka is only needed when logging is on

    return KafkaSink(settings, **options)  # type: ignore[arg-type]

"""aiokafka logs every failed connection attempt (dozens a second in an outage); we report outages once."""

from __future__ import annotations

import logging


def quiet_client_library() -> None:
    """Silence the aiokafka logger unless the application configured it; callers log outages themselves."""
    client_log = logging.getLogger("aiokafka")
    if client_log.level == logging.NOTSET:
        client_log.setLevel(logging.CRITICAL)

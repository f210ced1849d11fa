"""Every example case of every service, played through the gateway: no test identity in clear in records."""

from __future__ import annotations

import orjson

from ndxp_sim.contracts.cases import case_services, load_cases
from ndxp_sim.gateway.logpipe.masking import Masker
from ndxp_sim.gateway.logpipe.record import to_record
from tests.contracts.test_cases import Stack, play
from tests.contracts.test_cases import stack as stack  # the gateway on the in-process mocks (a fixture)
from tests.hardening.test_personal_data_scan import PERSONAL


async def test_no_case_of_any_service_leaves_an_identity_in_clear_in_its_record(stack: Stack) -> None:
    """All example cases of all 24 services (submissions, lookups, refusals, sign-in, chained procedures),
    each exchange turned into its record as the log sink does under the default policy → no test identity's
    CCCD, CMND, phone or BHXH number appears in clear in any record."""
    gateway = stack.gateway
    for service in case_services():
        for case in load_cases(service):
            await play(gateway, case)
    settings = gateway.app.runtime.settings
    masker = Masker(settings.log.subject_key.get_secret_value())
    leaks, services = [], set()
    for exchange in gateway.sink.exchanges:
        policy = settings.service(exchange.service_key or "")
        record = orjson.dumps(to_record(exchange, policy.body_policy, policy.body_cap_bytes, masker)).decode()
        services.add(exchange.service_key)
        leaks += [
            f"{exchange.service_key}/{exchange.operation}: {who}"
            for v, who in PERSONAL.items()
            if v in record
        ]
    assert len(services) == 24 and len(case_services()) == 24
    assert leaks == [], "\n".join(sorted(set(leaks)))

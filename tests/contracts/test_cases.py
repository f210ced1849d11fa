"""Every example case, played through the real gateway app against the real mocks in-process."""

from __future__ import annotations

from collections.abc import AsyncIterator

import httpx
import pytest

from ndxp_sim.adapters.upstream import HttpxUpstream
from ndxp_sim.contracts.cases import Case, case_services, check_answer, load_cases
from ndxp_sim.core.errors import ERROR_HEADER
from ndxp_sim.mock_services.app import create_mock_app
from tests.conftest import GatewayHarness, MakeGateway, MakeSettings

CASES = [case for service in case_services() for case in load_cases(service)]


@pytest.fixture
async def stack(make_gateway: MakeGateway, make_settings: MakeSettings) -> AsyncIterator[GatewayHarness]:
    timeouts = {key: {"timeout_s": 0.5} for key in case_services()}
    settings = make_settings(services=timeouts)
    mock_app = create_mock_app(settings)
    async with mock_app.router.lifespan_context(mock_app):
        upstream = HttpxUpstream(httpx.AsyncClient(transport=httpx.ASGITransport(app=mock_app)))
        yield make_gateway(settings, upstream)


async def play(gateway: GatewayHarness, case: Case) -> httpx.Response:
    headers = {**await gateway.auth(), **case.headers}
    if case.body is None:
        return await gateway.client.get(case.path, params=dict(case.query), headers=headers)
    return await gateway.client.post(case.path, json=case.body, headers=headers)


def answer_of(response: httpx.Response) -> object:
    return (
        response.json() if response.headers.get("content-type", "").startswith("application/json") else None
    )


@pytest.mark.parametrize("case", CASES, ids=[case.id for case in CASES])
async def test_the_gateway_answers_as_the_case_expects(stack: GatewayHarness, case: Case) -> None:
    cases = load_cases(case.service)
    for earlier in cases[: cases.index(case)]:  # a case may rely on the ones before it in its file
        await play(stack, earlier)
    response = await play(stack, case)
    problems = check_answer(
        case, response.status_code, answer_of(response), response.headers.get(ERROR_HEADER)
    )
    assert not problems, f"{case.id}: {problems}; answer {response.text[:500]}"

"""Every example case, played through the real gateway app against the real mocks in-process.

Each case checks three things: the answer is what the case expects (contracts/cases/), it matches the
gateway-facing contract (contracts/<key>.openapi.yaml), and what the mock answered the adapter matches the
backend's contract (contracts/backends/<key>.openapi.yaml, or the XSD for SOAP) — so none can drift apart.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass, field

import httpx
import pytest

from ndxp_sim.adapters.upstream import HttpxUpstream
from ndxp_sim.contracts.cases import Case, case_services, check_answer, load_cases
from ndxp_sim.core.catalogue import services
from ndxp_sim.core.errors import ERROR_HEADER
from ndxp_sim.gateway.contracts_export import contract_path
from ndxp_sim.mock_services.app import create_mock_app
from tests.conftest import GatewayHarness, MakeGateway, MakeSettings
from tests.contract_checks import assert_valid_soap, response_validator, template_of

CASES = [case for service in case_services() for case in load_cases(service)]


@dataclass
class Stack:
    gateway: GatewayHarness
    backend_answers: list[httpx.Response] = field(default_factory=list)  # what the mocks answered


@pytest.fixture
async def stack(make_gateway: MakeGateway, make_settings: MakeSettings) -> AsyncIterator[Stack]:
    settings = make_settings(services={key: {"timeout_s": 0.5} for key in case_services()})
    mock_app = create_mock_app(settings)
    answers: list[httpx.Response] = []

    async def record(response: httpx.Response) -> None:
        await response.aread()
        answers.append(response)

    async with mock_app.router.lifespan_context(mock_app):
        client = httpx.AsyncClient(
            transport=httpx.ASGITransport(app=mock_app), event_hooks={"response": [record]}
        )
        yield Stack(make_gateway(settings, HttpxUpstream(client)), answers)


async def play(gateway: GatewayHarness, case: Case) -> httpx.Response:
    headers = {**await gateway.auth(), **case.headers}
    if case.body is None:
        return await gateway.client.get(case.path, params=dict(case.query), headers=headers)
    return await gateway.client.post(case.path, json=case.body, headers=headers)


def check_gateway_contract(case: Case, response: httpx.Response) -> None:
    """The answer is one the service's gateway-facing OpenAPI documents, in the documented shape."""
    if response.status_code == 405:  # any operation, any other method: documented once, in info
        return
    contract = contract_path(case.service).name
    method = case.method.lower()
    try:
        validator = response_validator(contract, case.path, method, str(response.status_code))
    except KeyError:
        raise AssertionError(f"{contract} does not list {response.status_code} for {case.path}") from None
    validator.validate(response.json())


def check_backend_contract(case: Case, answers: list[httpx.Response]) -> None:
    """What the mock answered the adapter is what the backend's own contract promises."""
    if "X-Mock-Scenario" in case.headers:  # a scenario breaks the backend's contract on purpose
        return
    for answer in answers:
        if services()[case.service].protocol == "soap":
            assert_valid_soap(answer.content)
            continue
        contract = f"backends/{case.service}.openapi.yaml"
        path = answer.request.url.path.removeprefix(f"/{case.service}")
        template = template_of(contract, path)
        method = answer.request.method.lower()
        response_validator(contract, template, method, str(answer.status_code)).validate(answer.json())


@pytest.mark.parametrize("case", CASES, ids=[case.id for case in CASES])
async def test_the_gateway_answers_as_the_case_and_the_contracts_say(stack: Stack, case: Case) -> None:
    cases = load_cases(case.service)
    for earlier in cases[: cases.index(case)]:  # a case may rely on the ones before it in its file
        await play(stack.gateway, earlier)
    stack.backend_answers.clear()
    response = await play(stack.gateway, case)
    is_json = response.headers.get("content-type", "").startswith("application/json")
    problems = check_answer(
        case, response.status_code, response.json() if is_json else None, response.headers.get(ERROR_HEADER)
    )
    assert not problems, f"{case.id}: {problems}; answer {response.text[:500]}"
    check_gateway_contract(case, response)
    check_backend_contract(case, stack.backend_answers)


@pytest.mark.parametrize("service", case_services())
async def test_the_diagnostic_call_plays_the_diagnostic_case(stack: Stack, service: str) -> None:
    headers = await stack.gateway.auth()
    result = (await stack.gateway.client.get(f"/_diag/connect/{service}", headers=headers)).json()
    diagnostic = next(case for case in load_cases(service) if case.diagnostic)
    assert (result["status"], result["case"], result["operation"]) == (
        "green",
        diagnostic.name,
        diagnostic.operation,
    )
    assert result["mismatches"] == []

"""Exchanges of the services about what people hold keep none of the test identities' data in clear."""

from __future__ import annotations

import orjson
import pytest

from ndxp_sim.contracts.cases import Case, load_cases
from ndxp_sim.core import identities
from ndxp_sim.gateway.logpipe.masking import Masker
from ndxp_sim.gateway.logpipe.record import to_record
from ndxp_sim.mock_services.people import dmy
from tests.contracts.test_cases import Stack, play, stack  # noqa: F401 - `stack` is a fixture

SERVICES = ("csdl_bao_hiem", "csdl_gplx", "csdl_dang_kiem", "csdl_can_bo")
CASES = [case for service in SERVICES for case in load_cases(service)]


def birth_dates() -> set[str]:
    citizens, _, _ = identities.fixed_records()
    return {day for person in citizens for day in (str(dmy(person.ngay_sinh)), person.ngay_sinh.isoformat())}


def personal_values() -> set[str]:
    """Every number and name of the fixed identities that could appear in these exchanges.

    Birth dates are checked by field only: a child's card starts on its birth date, and the card's
    validity is not masked.
    """
    citizens, _, _ = identities.fixed_records()
    held = identities.fixed_holdings()
    values: set[str] = set()
    for person in citizens:
        values |= {person.so_dinh_danh, person.ho_va_ten}
        values |= {v for v in (person.ma_so_bhxh, person.so_cmnd, person.so_dien_thoai) if v}
    values |= {card.ma_the for card in held.insurance.values()}
    values |= {licence.so_gplx for licence in held.licences}
    values |= {vehicle.bien_so for vehicle in held.vehicles}
    return values


@pytest.mark.parametrize("case", CASES, ids=[case.id for case in CASES])
async def test_the_masked_record_holds_no_personal_value(stack: Stack, case: Case) -> None:  # noqa: F811
    await play(stack.gateway, case)
    exchange = stack.gateway.sink.exchanges[-1]
    fields = to_record(exchange, "masked", 1 << 20, Masker("test-subject-key"))
    record = orjson.dumps(fields).decode()
    leaked = sorted(value for value in personal_values() if value in record)
    bodies = f"{fields['request_body']}{fields['response_body']}"
    leaked += [day for day in birth_dates() if f'"ngaySinh":"{day}"' in bodies]
    assert not leaked, f"{case.id}: {leaked} in the exchange record"
    raw = (exchange.request_body or b"") + (exchange.response_body or b"")
    assert case.status >= 400 or any(value.encode() in raw for value in personal_values())

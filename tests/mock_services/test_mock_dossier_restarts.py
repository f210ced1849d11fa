"""Dossiers of the newer dossier services across a mock restart: scoped orders, hops and awaited answers."""

from __future__ import annotations

from typing import Any

import httpx
from mock_helpers import eventually
from test_mock_durability import running
from test_mock_lien_thong_tnmt_thue import SALE
from test_mock_nha_o_tuong_lai import ELIGIBLE, NOTICE
from test_mock_vnpost_dvc import CODE as ORDER_CODE
from test_mock_vnpost_dvc import PICK_UP, delivery

from ndxp_sim.core.settings import Settings


def slow(settings: Settings, step_s: float) -> Settings:
    return settings.model_copy(update={"mocks": settings.mocks.model_copy(update={"dossier_step_s": step_s})})


async def history(client: httpx.AsyncClient, url: str) -> list[dict[str, Any]]:
    response = await client.get(url)
    assert response.status_code == 200, response.text
    value = response.json()["value"]
    return value.get("lichSu") or value["Events"]  # type: ignore[no-any-return]


async def test_a_pick_up_and_a_delivery_of_one_dossier_both_survive_a_restart(
    mock_settings: Settings,
) -> None:
    settings = slow(mock_settings, 60)  # neither moves on during the test
    async with running(settings) as first:
        pick_up = (await first.post("/vnpost_dvc/orders", json=PICK_UP)).json()["value"]
        back = (await first.post("/vnpost_dvc/orders", json=delivery())).json()["value"]
    async with running(settings) as second:
        for order in (pick_up, back):
            url = f"/vnpost_dvc/orders/{ORDER_CODE}/{order['OrderType']}"
            tracked = (await second.get(url)).json()["value"]
            assert (tracked["ItemCode"], tracked["Status"]) == (order["ItemCode"], "received")
        again = await second.post("/vnpost_dvc/orders", json=PICK_UP)
        assert again.json()["value"] == pick_up  # still the same order, not a conflict


async def test_a_slip_restarted_on_its_way_does_not_repeat_a_hop(mock_settings: Settings) -> None:
    settings = slow(mock_settings, 0.2)
    url = f"/lien_thong_tnmt_thue/ho-so/{SALE['maHoSo']}"
    async with running(settings) as first:
        await first.post("/lien_thong_tnmt_thue/phieu-chuyen", json=SALE)

        async def at_the_tax_office() -> bool:
            return (await history(first, url))[-1]["nguoiXuLy"] == "Cơ quan thuế"

        await eventually(at_the_tax_office)
    async with running(settings) as second:

        async def done() -> bool:
            return (await history(second, url))[-1]["trangThai"] == "done"

        await eventually(done, limit_s=10)
        handlers = [step["nguoiXuLy"] for step in await history(second, url)]
        assert handlers.count("Cơ quan thuế") == 1


async def test_a_notice_awaiting_the_province_still_awaits_it_after_a_restart(
    mock_settings: Settings,
) -> None:
    settings = slow(mock_settings, 0.05)
    url = f"/nha_o_tuong_lai/ho-so/{NOTICE['maHoSo']}"

    async def awaiting(client: httpx.AsyncClient) -> bool:
        return "chờ văn bản" in (await history(client, url))[-1]["noiDungXuLy"]

    async with running(settings) as first:
        await first.post("/nha_o_tuong_lai/thong-bao", json=NOTICE)
        await eventually(lambda: awaiting(first))
    async with running(settings) as second:

        async def accepts_the_decision() -> bool:
            pushed = await second.post(f"{url}/ket-qua-tinh", json=ELIGIBLE)
            return pushed.status_code == 200

        await eventually(accepts_the_decision)  # once the restored dossier has taken up its wait again

        async def done() -> bool:
            return (await history(second, url))[-1]["trangThai"] == "done"

        await eventually(done)
        texts = [step["noiDungXuLy"] for step in await history(second, url)]
        assert sum("chờ văn bản" in text for text in texts) == 1  # the wait is recorded once

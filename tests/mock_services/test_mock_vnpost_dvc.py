"""VNPost public-service post (pattern D): pick-up and delivery orders, S10 item codes, tracking, cancel."""

from __future__ import annotations

import copy
from typing import Any

import httpx
import pytest
from mock_helpers import eventually

from ndxp_sim.core import identities as ids
from ndxp_sim.core.identifiers import s10_is_valid
from tests.contract_checks import response_validator

ORDERS = "/vnpost_dvc/orders"
CODE = "000.00.30.H91-251103-0001"
PICK_UP: dict[str, Any] = {
    "CustomerCode": "DVC-H91-30307",
    "OrderNumber": CODE,
    "OrderType": "thu-gom",
    "CitizenIdentityNo": ids.CITIZEN_EXISTS,
    "SenderFullname": "Nguyễn Văn An",
    "SenderAddress": "Số 18, đường Trần Hưng Đạo",
    "SenderTel": "0912345678",
    "SenderProvince": "91",
    "SenderWard": "30307",
    "ReceiverFullname": "UBND phường Long Xuyên - Bộ phận một cửa",
    "ReceiverAddress": "Số 1, đường Lê Lợi",
    "ReceiverTel": "0918384123",
    "ReceiverProvince": "91",
    "ReceiverWard": "30307",
    "Weight": 300,
}


def order(**changes: Any) -> dict[str, Any]:
    body = copy.deepcopy(PICK_UP)
    body.update(changes)
    return body


def delivery(**changes: Any) -> dict[str, Any]:
    """The result of the same dossier going back to the citizen, fees collected at the door."""
    swapped = {
        "OrderType": "tra-ket-qua",
        "SenderFullname": PICK_UP["ReceiverFullname"],
        "SenderAddress": PICK_UP["ReceiverAddress"],
        "SenderTel": PICK_UP["ReceiverTel"],
        "ReceiverFullname": PICK_UP["SenderFullname"],
        "ReceiverAddress": PICK_UP["SenderAddress"],
        "ReceiverTel": PICK_UP["SenderTel"],
        "CodAmount": 15000,
    }
    return order(**{**swapped, **changes})


def checked(response: httpx.Response, path: str, method: str = "get") -> Any:
    body = response.json()
    contract = "backends/vnpost_dvc.openapi.yaml"
    response_validator(contract, path, method, str(response.status_code)).validate(body)
    return body


async def tracking(client: httpx.AsyncClient, order_type: str = "thu-gom") -> dict[str, Any]:
    response = await client.get(f"{ORDERS}/{CODE}/{order_type}")
    return checked(response, "/orders/{OrderNumber}/{OrderType}")["value"]


async def wait_status(client: httpx.AsyncClient, wanted: str, order_type: str = "thu-gom") -> dict[str, Any]:
    found: dict[str, Any] = {}

    async def reached() -> bool:
        found.update(await tracking(client, order_type))
        return found["Status"] == wanted

    await eventually(reached)
    return found


async def test_a_pick_up_is_collected_with_an_s10_item_code_and_tracking_events(
    client: httpx.AsyncClient,
) -> None:
    placed = checked(await client.post(ORDERS, json=PICK_UP), "/orders", "post")
    assert placed["value"]["Status"] == "received"
    item = placed["value"]["ItemCode"]
    assert s10_is_valid(item) and item.endswith("VN")

    done = await wait_status(client, "done")
    assert [event["Status"] for event in done["Events"]] == ["received", "processing", "done"]
    assert done["Events"][-1]["Description"] == "Đã thu gom hồ sơ và chuyển đến cơ quan giải quyết"
    assert done["Delivery"]["ItemCode"] == item
    assert done["Delivery"]["ReceiverSignature"] == PICK_UP["ReceiverFullname"]


async def test_one_dossier_has_a_pick_up_and_a_delivery_each_with_its_own_item_code(
    client: httpx.AsyncClient,
) -> None:
    pick_up = (await client.post(ORDERS, json=PICK_UP)).json()["value"]
    back = checked(await client.post(ORDERS, json=delivery()), "/orders", "post")["value"]
    assert (back["OrderNumber"], back["OrderType"]) == (CODE, "tra-ket-qua")
    assert s10_is_valid(back["ItemCode"]) and back["ItemCode"] != pick_up["ItemCode"]
    done = await wait_status(client, "done", "tra-ket-qua")
    assert done["Delivery"]["CodCollected"] == 15000
    assert done["Delivery"]["ReceiverSignature"] == "Nguyễn Văn An"


async def test_a_label_s_own_item_code_is_kept(client: httpx.AsyncClient) -> None:
    placed = (await client.post(ORDERS, json=order(ItemCode="RD123456785VN"))).json()["value"]
    assert placed["ItemCode"] == "RD123456785VN"


async def test_the_same_order_again_is_the_same_order_and_different_content_is_refused(
    client: httpx.AsyncClient,
) -> None:
    first = await client.post(ORDERS, json=PICK_UP)
    again = await client.post(ORDERS, json=PICK_UP)
    assert again.json() == first.json()
    conflict = checked(await client.post(ORDERS, json=order(Weight=500)), "/orders", "post")
    assert conflict["error"] == "conflict"
    assert conflict["message"] == f"Đơn hàng thu-gom của hồ sơ {CODE} đã tồn tại với nội dung khác"


@pytest.mark.parametrize(
    ("changes", "reason"),
    [
        (
            {"CitizenIdentityNo": ids.CITIZEN_MISSING},
            "Không tìm thấy người gửi hồ sơ có số định danh cá nhân",
        ),
        (
            {"CitizenIdentityNo": ids.CITIZEN_DECEASED, "SenderFullname": "Trần Văn Bình"},
            "đã chết theo Cơ sở dữ liệu quốc gia về dân cư",
        ),
        ({"SenderFullname": "Nguyễn Văn Ân"}, "Họ tên của người gửi hồ sơ không khớp"),
    ],
)
async def test_the_post_refuses_an_order_whose_citizen_is_not_who_the_order_says(
    client: httpx.AsyncClient, changes: dict[str, Any], reason: str
) -> None:
    await client.post(ORDERS, json=order(**changes))
    rejected = await wait_status(client, "rejected")
    assert rejected["Events"][-1]["Description"].startswith("Bưu điện từ chối đơn hàng: ")
    assert reason in rejected["Events"][-1]["Description"]
    assert "Delivery" not in rejected


async def test_an_order_not_yet_finished_can_be_cancelled_once(client: httpx.AsyncClient) -> None:
    assert (await client.post("/_admin/clock", json={"step_s": 60})).status_code == 200
    await client.post(ORDERS, json=PICK_UP)
    cancelled = checked(
        await client.post(f"{ORDERS}/{CODE}/thu-gom/cancel", json={"Reason": "Công dân tự nộp hồ sơ"}),
        "/orders/{OrderNumber}/{OrderType}/cancel",
        "post",
    )
    assert cancelled["value"]["Status"] == "cancelled"
    state = await tracking(client)
    assert state["Events"][-1]["Description"] == "Khách hàng hủy đơn: Công dân tự nộp hồ sơ"
    again = await client.post(f"{ORDERS}/{CODE}/thu-gom/cancel", json={"Reason": "lần nữa"})
    assert again.status_code == 409
    assert again.json()["message"] == f"Đơn hàng của hồ sơ {CODE} đã kết thúc, không thể hủy"


@pytest.mark.parametrize(
    ("body", "field"),
    [
        (order(SenderWard="99999"), "SenderWard"),
        (order(SenderProvince="01"), "SenderWard"),
        (order(SenderTel="0112345678"), "SenderTel"),
        (order(ItemCode="RD123456780VN"), "ItemCode"),
        (order(OrderType="chuyen-phat"), "OrderType"),
        (order(OrderNumber="HS 01/2025"), "OrderNumber"),
        (order(CodAmount=-1), "CodAmount"),
        ({k: v for k, v in PICK_UP.items() if k != "CitizenIdentityNo"}, "CitizenIdentityNo"),
    ],
)
async def test_a_malformed_order_is_refused_naming_the_field_and_nothing_is_registered(
    client: httpx.AsyncClient, body: dict[str, Any], field: str
) -> None:
    refused = checked(await client.post(ORDERS, json=body), "/orders", "post")
    assert refused["error"] == "validation_error"
    assert any(field in problem["loc"] for problem in refused["detail"])
    assert (await client.get(f"{ORDERS}/{CODE}/thu-gom")).status_code == 404
    assert (await client.post(ORDERS, json=PICK_UP)).status_code == 200  # the code is still free


async def test_unknown_orders_are_not_found(client: httpx.AsyncClient) -> None:
    assert (await client.get(f"{ORDERS}/{CODE}/thu-gom")).status_code == 404
    assert (await client.get(f"{ORDERS}/{CODE}/khac")).status_code == 404
    missing = await client.post(f"{ORDERS}/{CODE}/thu-gom/cancel", json={"Reason": "Không cần"})
    assert checked(missing, "/orders/{OrderNumber}/{OrderType}/cancel", "post")["error"] == "not_found"

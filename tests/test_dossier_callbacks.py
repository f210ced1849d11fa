"""The new dossier services through the gateway: callbacks via the relay, traced, masked in the record."""

from __future__ import annotations

from typing import Any

import orjson

from ndxp_sim.contracts.cases import load_cases
from ndxp_sim.gateway.logpipe.masking import Masker
from ndxp_sim.gateway.logpipe.record import to_record
from tests.local_http import CallbackReceiver
from tests.test_callback_relay import Stack, _wait, stack

__all__ = ["stack"]  # the relay test's gateway-and-mock stack, used here as a fixture

VNPOST = "/apiVNPostDVC/1.0"
LAND_TAX = "/apiLienThongTNMTThue/1.0"
HOUSING = "/apiNhaOTuongLai/1.0"


def first_case_body(service: str, **changes: Any) -> dict[str, Any]:
    """The body of the service's first example case, changed."""
    first = load_cases(service)[0]
    assert first.body is not None
    return {**first.body, **changes}


def order(**changes: Any) -> dict[str, Any]:
    return first_case_body("vnpost_dvc", **changes)


async def test_an_order_s_callbacks_and_calls_trace_under_its_order_number(
    stack: Stack, receiver: CallbackReceiver
) -> None:
    code = "000.00.30.H91-251103-0101"
    headers = await stack.gateway.auth()
    placed = await stack.gateway.client.post(
        f"{VNPOST}/postOrder", json=order(OrderNumber=code, CallbackUrl=receiver.url), headers=headers
    )
    assert placed.status_code == 200, placed.text
    item = placed.json()["value"]["ItemCode"]
    await receiver.wait_for(lambda: any(b'"done"' in d["raw"] for d in receiver.received), limit_s=10)
    tracked = await stack.gateway.client.get(
        f"{VNPOST}/getOrderTracking", params={"OrderNumber": code, "OrderType": "thu-gom"}, headers=headers
    )
    assert tracked.json()["value"]["Delivery"]["ItemCode"] == item
    await _wait(lambda: sum(e.operation == "callback" for e in stack.records(code)) >= 3)

    operations = [e.operation for e in stack.records(code)]
    assert operations[0] == "postOrder" and "getOrderTracking" in operations
    assert operations.count("callback") == 3  # received, processing, done
    assert all(e.service_key == "vnpost_dvc" for e in stack.records(code))
    assert b'"ItemCode":"' + item.encode() in receiver.received[-1]["raw"]


async def test_an_order_with_an_unregistered_callback_is_refused_and_not_placed(stack: Stack) -> None:
    code = "000.00.30.H91-251103-0102"
    headers = await stack.gateway.auth()
    refused = await stack.gateway.client.post(
        f"{VNPOST}/postOrder",
        json=order(OrderNumber=code, CallbackUrl="http://198.51.100.7/x"),
        headers=headers,
    )
    assert refused.status_code == 422
    assert refused.json()["message"].startswith("CallbackUrl:")
    missing = await stack.gateway.client.get(
        f"{VNPOST}/getOrderTracking", params={"OrderNumber": code, "OrderType": "thu-gom"}, headers=headers
    )
    assert missing.status_code == 404


async def test_the_order_s_record_masks_the_citizen_s_id_name_and_phones(stack: Stack) -> None:
    code = "000.00.30.H91-251103-0103"
    placed = await stack.gateway.client.post(
        f"{VNPOST}/postOrder", json=order(OrderNumber=code), headers=await stack.gateway.auth()
    )
    assert placed.status_code == 200
    exchange = stack.records(code)[0]
    record = to_record(exchange, "masked", 1 << 20, Masker(b"k" * 32))
    for personal in ("089085012345", "Nguyễn Văn An", "0912345678", "0918384123"):
        assert personal not in record["request_body"]
    assert code in record["request_body"]  # the dossier code is not personal: it stays readable


async def test_a_land_tax_slip_s_hops_come_back_as_callbacks_ending_with_the_tax_notice(
    stack: Stack, receiver: CallbackReceiver
) -> None:
    code = "000.00.12.H91-DD-251103-0101"
    body = first_case_body("lien_thong_tnmt_thue", maHoSo=code, callbackUrl=receiver.url)
    sent = await stack.gateway.client.post(
        f"{LAND_TAX}/guiPhieuChuyen", json=body, headers=await stack.gateway.auth()
    )
    assert sent.status_code == 200, sent.text
    await receiver.wait_for(lambda: any(b'"done"' in d["raw"] for d in receiver.received), limit_s=10)
    statuses = [orjson.loads(d["raw"])["trangThai"] for d in receiver.received]
    assert statuses == ["received", "processing", "processing", "done"]  # gateway, tax office, back
    notice = orjson.loads(receiver.received[-1]["raw"])["ketQuaXuLy"]
    assert [item["tieuMuc"] for item in notice["khoanNop"]] == ["1006", "2801"]
    await _wait(lambda: sum(e.operation == "callback" for e in stack.records(code)) >= 4)
    assert stack.records(code)[0].operation == "guiPhieuChuyen"


async def test_a_housing_notice_is_synchronised_both_ways_and_traced_under_its_code(
    stack: Stack, receiver: CallbackReceiver
) -> None:
    code = "000.00.18.H91-NOTTL-251103-0101"
    headers = await stack.gateway.auth()
    body = first_case_body("nha_o_tuong_lai", maHoSo=code, callbackUrl=receiver.url)
    body["duAn"] = {**body["duAn"], "maDuAn": "DA-91-2024-0101"}
    sent = await stack.gateway.client.post(f"{HOUSING}/guiThongBao", json=body, headers=headers)
    assert sent.status_code == 200, sent.text
    await receiver.wait_for(lambda: any("chờ văn bản".encode() in d["raw"] for d in receiver.received), 10)

    decision = {
        "maHoSo": code,
        "ketLuan": "du-dieu-kien",
        "soVanBan": "3120/SXD-QLN",
        "ngayBanHanh": "2025-11-14",
        "nguoiKy": "Trần Minh Tuấn",
    }
    pushed = await stack.gateway.client.post(f"{HOUSING}/dongBoKetQuaTinh", json=decision, headers=headers)
    assert pushed.status_code == 200, pushed.text
    await receiver.wait_for(lambda: any(b'"done"' in d["raw"] for d in receiver.received), limit_s=10)
    published = orjson.loads(receiver.received[-1]["raw"])["ketQuaXuLy"]
    assert published["soVanBan"] == "3120/SXD-QLN"
    operations = [e.operation for e in stack.records(code)]
    assert operations[0] == "guiThongBao" and "dongBoKetQuaTinh" in operations and "callback" in operations


async def test_an_evn_request_s_record_keeps_neither_the_papers_nor_the_customer_s_id(stack: Stack) -> None:
    code = "PC91-CDM-251103-0101"
    body = first_case_body("evn", maHoSo=code)
    sent = await stack.gateway.client.post(
        "/apiEVN/1.0/dangKyCapDienMoi", json=body, headers=await stack.gateway.auth()
    )
    assert sent.status_code == 200, sent.text
    record = to_record(stack.records(code)[0], "masked", 1 << 20, Masker(b"k" * 32))
    paper = body["tepDinhKem"][0]["fileByte"]
    for personal in (paper, "089085012345", "Nguyễn Văn An", "0912345678"):
        assert personal not in record["request_body"]

"""Judicial-record certificates (pattern D, NGSP shape): receipt, statuses, review, the certificate PDF."""

from __future__ import annotations

import base64
import copy
import io
from typing import Any

import httpx
import pytest
from mock_helpers import eventually
from pypdf import PdfReader
from test_mock_durability import running

from ndxp_sim.core import identities as ids
from ndxp_sim.core.settings import Settings
from tests.contract_checks import response_validator

BASE = "/ly_lich_tu_phap"
REQUEST: dict[str, Any] = {
    "idMinistryJustice": "000.00.03.H91",
    "idReceivedDec": "000.00.03.H91-251103-0001",
    "dateReceivedDec": "03/11/2025",
    "datePromissoryDec": "13/11/2025",
    "idMoneyReceipt": "BL-0001234",
    "declarationWSForm": {
        "fullName": "Nguyễn Văn An",
        "genderId": 1,
        "birthDateStr": "15/03/1985",
        "nationalityId": "704",
        "ethnicId": "01",
        "residence": "Số 18, đường Trần Hưng Đạo, Phường Long Xuyên, Tỉnh An Giang",
        "reRegionId": "30307",
        "idTypeId": 3,
        "identifyNo": ids.CITIZEN_EXISTS,
        "phone": "0912345678",
        "declareDate": "03/11/2025",
        "declareTypeId": 3846,
        "requestQty": 1,
        "objectRequestId": 72,
        "formType": 1,
        "isBanPosition": 1,
        "purpose": "Bổ sung hồ sơ xin việc",
    },
    "residenceWSForm": [
        {"fromDateStr": "1985", "toDateStr": "11/2025", "residencePlace": "Phường Long Xuyên, Tỉnh An Giang"}
    ],
}


def lltp(**changes: Any) -> dict[str, Any]:
    """The sample request with top-level or declarationWSForm fields changed (None removes a field)."""
    body = copy.deepcopy(REQUEST)
    for key, value in changes.items():
        target = body if key in (*REQUEST, "mandatorWSForm") else body["declarationWSForm"]
        if value is None:
            target.pop(key, None)
        else:
            target[key] = value
    return body


async def status(client: httpx.AsyncClient, code: str) -> dict[str, Any]:
    response = await client.post(
        f"{BASE}/LLTP-API-traTrangThaiHs", json={"idReceivedDec": code, "infoType": "2"}
    )
    assert response.status_code == 200, response.text
    return response.json()


async def wait_status(client: httpx.AsyncClient, code: str, wanted: str) -> dict[str, Any]:
    found: dict[str, Any] = {}

    async def reached() -> bool:
        found.update(await status(client, code))
        return found["DEC_STATUS_ID"] == wanted

    await eventually(reached)
    return found


async def test_certificate_flow_ends_with_a_pdf_of_the_applicant(client: httpx.AsyncClient) -> None:
    receipt = await client.post(f"{BASE}/nhanHoSoDangKy", json=REQUEST)
    assert receipt.status_code == 200
    assert receipt.json()["STATUS"] == 1
    assert receipt.json()["ID"].startswith("LLTP-")
    done = await wait_status(client, REQUEST["idReceivedDec"], "5")
    assert done["DEC_STATUS_NAME"] == "Đã có phiếu"
    assert done["ISSUE_DATE"] == done["APPROVE_DATE"]

    answer = await client.post(
        f"{BASE}/LLTP-API-traHoSo", json={"infoType": "2", "receiveNo": REQUEST["idReceivedDec"]}
    )
    item = answer.json()["LISTCONTENT"][0]
    assert item["declarationTraHoSoForm"]["decStatusId"] == "5"
    result = item["ketQuaXuLy"]
    assert result["soPhieuLLTP"] == "000001/STP-LLTP"
    assert result["coQuanCap"] == "Sở Tư pháp tỉnh An Giang"
    pdf = base64.b64decode(result["phieuLLTP"])
    text = " ".join(PdfReader(io.BytesIO(pdf)).pages[0].extract_text().split())
    for line in (
        "PHIẾU LÝ LỊCH TƯ PHÁP SỐ 1",
        "Họ và tên: Nguyễn Văn An",
        "Ngày, tháng, năm sinh: 15/03/1985",
        f"Căn cước công dân số {ids.CITIZEN_EXISTS}",
        "Không có án tích",
        "Không bị cấm đảm nhiệm chức vụ",  # isBanPosition 1 asks for it
    ):
        assert line in text
    assert "Họ và tên cha" not in text  # only Phiếu số 2 names the family
    again = await client.post(
        f"{BASE}/LLTP-API-traHoSo", json={"infoType": "2", "receiveNo": REQUEST["idReceivedDec"]}
    )
    assert again.json()["LISTCONTENT"][0]["ketQuaXuLy"]["phieuLLTP"] == result["phieuLLTP"]  # same bytes


async def test_phieu_so_2_names_the_family_from_the_population(client: httpx.AsyncClient) -> None:
    body = lltp(
        idReceivedDec="000.00.03.H91-251103-0002",
        fullName="Lê Ngọc Hân",
        genderId=0,
        birthDateStr="09/05/2016",
        identifyNo=ids.COUPLE_CHILD,
        formType=2,
        isBanPosition=0,
    )
    await client.post(f"{BASE}/nhanHoSoDangKy", json=body)
    await wait_status(client, body["idReceivedDec"], "5")
    answer = await client.post(
        f"{BASE}/LLTP-API-traHoSo", json={"infoType": "2", "receiveNo": body["idReceivedDec"]}
    )
    pdf = base64.b64decode(answer.json()["LISTCONTENT"][0]["ketQuaXuLy"]["phieuLLTP"])
    text = " ".join(PdfReader(io.BytesIO(pdf)).pages[0].extract_text().split())
    assert "PHIẾU LÝ LỊCH TƯ PHÁP SỐ 2" in text
    assert "Họ và tên cha: Lê Văn Cường" in text
    assert "Họ và tên mẹ: Phạm Thị Dung" in text
    assert "CẤM ĐẢM NHIỆM" not in text


@pytest.mark.parametrize(
    ("changes", "reason"),
    [
        ({"identifyNo": ids.CITIZEN_MISSING}, "Không tìm thấy thông tin người yêu cầu cấp Phiếu"),
        ({"fullName": "Nguyễn Văn Ân"}, "Họ tên, ngày sinh trên tờ khai không khớp"),
        ({"birthDateStr": "16/03/1985"}, "Họ tên, ngày sinh trên tờ khai không khớp"),
        ({"genderId": 0}, "Giới tính trên tờ khai không khớp"),
        (
            {"identifyNo": ids.CITIZEN_DECEASED, "fullName": "Trần Văn Bình", "birthDateStr": "20/06/1945"},
            "Người yêu cầu cấp Phiếu đã chết",
        ),
        (
            {
                "formType": 2,
                "declareTypeId": 3845,
                "mandatorWSForm": {
                    "fullName": "Lê Văn Cường",
                    "idTypeId": 3,
                    "identifyNo": ids.COUPLE_HUSBAND,
                },
            },
            "Không được ủy quyền cho người khác làm thủ tục yêu cầu cấp Phiếu lý lịch tư pháp số 2",
        ),
    ],
)
async def test_review_refuses_with_the_reason_in_vietnamese(
    client: httpx.AsyncClient, changes: dict[str, Any], reason: str
) -> None:
    await client.post(f"{BASE}/nhanHoSoDangKy", json=lltp(**changes))
    refused = await wait_status(client, REQUEST["idReceivedDec"], "6")
    assert refused["DEC_STATUS_NAME"] == "Từ chối cấp phiếu"
    assert reason in refused["REASON"]
    assert refused["ISSUE_DATE"] is None


async def test_birth_year_alone_is_enough_to_match(client: httpx.AsyncClient) -> None:
    await client.post(f"{BASE}/nhanHoSoDangKy", json=lltp(birthDateStr="1985"))
    await wait_status(client, REQUEST["idReceivedDec"], "5")


async def test_same_person_same_certificate_twice_is_refused_the_second_time(
    client: httpx.AsyncClient,
) -> None:
    await client.post(f"{BASE}/nhanHoSoDangKy", json=REQUEST)
    second = lltp(idReceivedDec="000.00.03.H91-251103-0009")
    await client.post(f"{BASE}/nhanHoSoDangKy", json=second)
    refused = await wait_status(client, second["idReceivedDec"], "6")
    assert "đang giải quyết hoặc đã được cấp" in refused["REASON"]
    assert REQUEST["idReceivedDec"] in refused["REASON"]
    assert (await status(client, REQUEST["idReceivedDec"]))["DEC_STATUS_ID"] in ("3", "4", "5")
    # A Phiếu số 2 is another certificate: not a duplicate of the Phiếu số 1.
    other = lltp(idReceivedDec="000.00.03.H91-251103-0010", formType=2)
    await client.post(f"{BASE}/nhanHoSoDangKy", json=other)
    await wait_status(client, other["idReceivedDec"], "5")


async def test_resubmission_is_idempotent_and_different_content_conflicts(client: httpx.AsyncClient) -> None:
    first = await client.post(f"{BASE}/nhanHoSoDangKy", json=REQUEST)
    again = await client.post(f"{BASE}/nhanHoSoDangKy", json=REQUEST)
    assert again.json() == first.json()
    conflict = await client.post(f"{BASE}/nhanHoSoDangKy", json=lltp(purpose="Du học"))
    assert conflict.status_code == 409
    assert conflict.json()["STATUS"] == 0
    assert REQUEST["idReceivedDec"] in conflict.json()["DESCRIPTION"]
    listed = await client.post(f"{BASE}/LLTP-API-traHoSo", json={"infoType": "2"})
    assert len(listed.json()["LISTCONTENT"]) == 1  # one dossier, not two


@pytest.mark.parametrize(
    ("body", "field"),
    [
        (lltp(ethnicId="55"), "declarationWSForm.ethnicId"),
        (lltp(reRegionId="99999"), "declarationWSForm.reRegionId"),
        (lltp(nationalityId="999"), "declarationWSForm.nationalityId"),
        (lltp(idMinistryJustice="000.00.03.H99"), "idMinistryJustice"),
        (lltp(dateReceivedDec="2025-11-03"), "dateReceivedDec"),
        (lltp(dateReceivedDec="31/02/2025"), "dateReceivedDec"),
        (lltp(genderId=2), "declarationWSForm.genderId"),
        (lltp(idReceivedDec="has space"), "idReceivedDec"),
        (lltp(declarationWSForm=None), "declarationWSForm"),
        (lltp(declareTypeId=3845), "mandatorWSForm"),
    ],
)
async def test_malformed_request_is_422_naming_the_field_and_registers_nothing(
    client: httpx.AsyncClient, body: dict[str, Any], field: str
) -> None:
    response = await client.post(f"{BASE}/nhanHoSoDangKy", json=body)
    assert response.status_code == 422, response.text
    error = response.json()
    assert (error["STATUS"], error["ERROR_CODE"]) == (0, "500")
    assert ".".join(str(part) for part in error["detail"][0]["loc"]) == field
    listed = await client.post(f"{BASE}/LLTP-API-traHoSo", json={"infoType": "2"})
    assert listed.json()["LISTCONTENT"] == []


async def test_unknown_dossier_is_404_record_not_found(client: httpx.AsyncClient) -> None:
    response = await client.post(
        f"{BASE}/LLTP-API-traTrangThaiHs", json={"idReceivedDec": "KHONG-CO", "infoType": "2"}
    )
    assert response.status_code == 404
    assert response.json()["ERROR_CODE"] == "201"
    assert response.json()["DESCRIPTION"].startswith("RECORD_NOT_FOUND")
    missing = await client.post(f"{BASE}/LLTP-API-traHoSo", json={"infoType": "2", "receiveNo": "KHONG-CO"})
    assert missing.status_code == 404


async def test_status_without_one_stop_needs_the_id_and_the_identity_number(
    client: httpx.AsyncClient,
) -> None:
    receipt = (await client.post(f"{BASE}/nhanHoSoDangKy", json=REQUEST)).json()
    by_id = {"idReceivedDec": receipt["ID"], "infoType": "1", "identifyNo": ids.CITIZEN_EXISTS}
    assert (await client.post(f"{BASE}/LLTP-API-traTrangThaiHs", json=by_id)).status_code == 200
    wrong = {**by_id, "identifyNo": ids.COUPLE_WIFE}
    assert (await client.post(f"{BASE}/LLTP-API-traTrangThaiHs", json=wrong)).status_code == 404
    without = {"idReceivedDec": receipt["ID"], "infoType": "1"}
    assert (await client.post(f"{BASE}/LLTP-API-traTrangThaiHs", json=without)).status_code == 422


async def test_marked_dossiers_and_statuses_leave_the_lists(client: httpx.AsyncClient) -> None:
    receipt = (await client.post(f"{BASE}/nhanHoSoDangKy", json=REQUEST)).json()
    await wait_status(client, REQUEST["idReceivedDec"], "5")
    changes = (await client.post(f"{BASE}/LLTP-API-traDsTrangThaiHs", json={"infoType": "2"})).json()
    assert changes["LISTCONTENT"] == [
        {
            "DECLARATION_ID": receipt["ID"],
            "DEC_STATUS_ID": "5",
            "DEC_STATUS_NAME": "Đã có phiếu",
            "APPROVE_DATE": changes["LISTCONTENT"][0]["ISSUE_DATE"],
            "ISSUE_DATE": changes["LISTCONTENT"][0]["ISSUE_DATE"],
            "RECEIVE_NO": REQUEST["idReceivedDec"],
        }
    ]
    unknown = {"declarationId": f"{receipt['ID']};LLTP-KHONGCO", "infoType": "2"}
    refused = await client.post(f"{BASE}/LLTP-API-danhDauHsThanhCong", json=unknown)
    assert refused.status_code == 404
    assert "LLTP-KHONGCO" in refused.json()["DESCRIPTION"]
    still = (await client.post(f"{BASE}/LLTP-API-traDsTrangThaiHs", json={"infoType": "2"})).json()
    assert len(still["LISTCONTENT"]) == 1  # all or nothing: the known id was not marked either

    marked = await client.post(
        f"{BASE}/LLTP-API-danhDauHsThanhCong", json={"declarationId": receipt["ID"], "infoType": "2"}
    )
    assert marked.json()["STATUS"] == 1
    assert (await client.post(f"{BASE}/LLTP-API-traDsTrangThaiHs", json={"infoType": "2"})).json()[
        "LISTCONTENT"
    ] == []
    await client.post(
        f"{BASE}/LLTP-API-danhDauHsThanhCong", json={"declarationId": receipt["ID"], "infoType": "3"}
    )
    assert (await client.post(f"{BASE}/LLTP-API-traHoSo", json={"infoType": "2"})).json()["LISTCONTENT"] == []


@pytest.mark.parametrize(
    ("info_type", "first"), [("2", {"ID": "704", "NAME": "Việt Nam"}), ("3", {"ID": "01", "NAME": "Kinh"})]
)
async def test_catalogues(client: httpx.AsyncClient, info_type: str, first: dict[str, str]) -> None:
    answer = (await client.post(f"{BASE}/LLTP-API-traDanhMuc", json={"infoType": info_type})).json()
    assert first in answer["LISTCONTENT"]
    units = (await client.post(f"{BASE}/LLTP-API-traDanhMuc", json={"infoType": "5"})).json()["LISTCONTENT"]
    assert {"ID": "000.00.03.H91", "NAME": "Sở Tư pháp tỉnh An Giang"} in units
    assert len(units) == 34


async def test_every_answer_keeps_to_the_backend_contract(client: httpx.AsyncClient) -> None:
    contract = "backends/ly_lich_tu_phap.openapi.yaml"

    async def check(path: str, body: Any) -> Any:
        response = await client.post(f"{BASE}{path}", json=body)
        response_validator(contract, path, "post", str(response.status_code)).validate(response.json())
        return response.json()

    receipt = await check("/nhanHoSoDangKy", REQUEST)
    await check("/nhanHoSoDangKy", lltp(purpose="Khác"))  # 409
    await check("/nhanHoSoDangKy", lltp(ethnicId="99"))  # 422
    await check("/nhanHoSoDangKy", [1, 2])  # 422: not an object
    refused = lltp(idReceivedDec="000.00.03.H91-251103-0005", identifyNo=ids.CITIZEN_MISSING)
    await check("/nhanHoSoDangKy", refused)
    await wait_status(client, REQUEST["idReceivedDec"], "5")
    await wait_status(client, refused["idReceivedDec"], "6")
    for code in (REQUEST["idReceivedDec"], refused["idReceivedDec"]):
        await check("/LLTP-API-traTrangThaiHs", {"idReceivedDec": code, "infoType": "2"})
        await check("/LLTP-API-traHoSo", {"infoType": "2", "receiveNo": code})
    await check("/LLTP-API-traTrangThaiHs", {"idReceivedDec": "KHONG-CO", "infoType": "2"})
    await check("/LLTP-API-traHoSo", {"infoType": "2"})
    await check("/LLTP-API-traHoSo", {"infoType": "9"})
    for info_type in "12345":
        await check("/LLTP-API-traDanhMuc", {"infoType": info_type})
    for info_type in "12":
        await check("/LLTP-API-traDsTrangThaiHs", {"infoType": info_type})
    await check("/LLTP-API-danhDauHsThanhCong", {"declarationId": receipt["ID"], "infoType": "2"})
    await check("/LLTP-API-danhDauHsThanhCong", {"declarationId": "X", "infoType": "2"})


async def test_an_issued_certificate_survives_a_restart_byte_for_byte(mock_settings: Settings) -> None:
    async def certificate(client: httpx.AsyncClient) -> dict[str, Any]:
        answer = await client.post(
            f"{BASE}/LLTP-API-traHoSo", json={"infoType": "2", "receiveNo": REQUEST["idReceivedDec"]}
        )
        result: dict[str, Any] = answer.json()["LISTCONTENT"][0]["ketQuaXuLy"]
        return result

    async with running(mock_settings) as first:
        await first.post(f"{BASE}/nhanHoSoDangKy", json=REQUEST)
        await wait_status(first, REQUEST["idReceivedDec"], "5")
        before = await certificate(first)
    async with running(mock_settings) as second:
        assert (await status(second, REQUEST["idReceivedDec"]))["DEC_STATUS_ID"] == "5"
        assert await certificate(second) == before
        again = await second.post(
            f"{BASE}/nhanHoSoDangKy", json=lltp(idReceivedDec="000.00.03.H91-251103-0002")
        )
        assert again.status_code == 200
        refused = await wait_status(second, "000.00.03.H91-251103-0002", "6")
        assert REQUEST["idReceivedDec"] in refused["REASON"]  # the restored one still counts as issued

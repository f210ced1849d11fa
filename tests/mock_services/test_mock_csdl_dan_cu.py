"""The population DB mock over SOAP 1.1: lookups, checks, faults, hardened parsing, WSDL, access log."""

from __future__ import annotations

import time
from pathlib import Path

import httpx
import pytest
from lxml import etree
from mock_helpers import SOAP_NS, soap_call

from ndxp_sim.adapters.soap import SOAP_ENV, build_envelope
from ndxp_sim.core import identities as ids

CONTRACTS = Path(__file__).resolve().parents[2] / "contracts"
CALLER = {"MaYeuCau": "YC-0001", "MaDVC": "1.001193", "MaTichHop": "TH-91", "MaCanBo": "CB-042"}


@pytest.fixture(scope="module")
def schema() -> etree.XMLSchema:
    return etree.XMLSchema(etree.parse(str(CONTRACTS / "csdl_dan_cu.xsd")))


def assert_valid_body(response: httpx.Response, schema: etree.XMLSchema) -> None:
    """The Body's payload (or the fault detail's children) validates against the published XSD."""
    body = etree.fromstring(response.content).find(f"{{{SOAP_ENV}}}Body")
    payload = next(iter(body))
    if payload.tag == f"{{{SOAP_ENV}}}Fault":
        for element in payload.find("detail"):
            schema.assertValid(etree.ElementTree(element))
    else:
        schema.assertValid(etree.ElementTree(payload))


async def post_raw(client: httpx.AsyncClient, payload: bytes) -> httpx.Response:
    return await client.post("/csdl_dan_cu/soap", content=payload, headers={"Content-Type": "text/xml"})


async def test_lookup_by_so_dinh_danh(client: httpx.AsyncClient, schema: etree.XMLSchema) -> None:
    status, name, body = await soap_call(
        client, "TraCuuThongTinCongDan", **CALLER, SoDinhDanh=ids.CITIZEN_EXISTS
    )
    assert (status, name) == (200, "TraCuuThongTinCongDanResponse")
    assert body["MaYeuCau"] == "YC-0001"
    person = body["CongdanCollection"]["CongDan"]
    assert person["SoDinhDanh"] == ids.CITIZEN_EXISTS
    assert person["SoCMND"] == ids.CITIZEN_EXISTS_CMND
    assert person["HoVaTen"] == {"Ho": "Nguyễn", "ChuDem": "Văn", "Ten": "An"}
    assert person["NgayThangNamSinh"] == {"Nam": "1985", "NgayThangNam": "19850315"}
    assert person["ThuongTru"]["MaTinhThanh"] == "91"
    assert person["ThuongTru"]["ChiTiet"] == "Số 18, đường Trần Hưng Đạo"
    assert person["ChuHo"] == {
        "QuanHe": "Chủ hộ",
        "SoDinhDanh": ids.CITIZEN_EXISTS,
        "HoVaTen": "Nguyễn Văn An",
    }
    assert person["TrangThai"] == "Còn sống"
    response = await client.post(
        "/csdl_dan_cu/soap",
        content=build_envelope(SOAP_NS, "TraCuuThongTinCongDan", {"SoDinhDanh": ids.CITIZEN_EXISTS}),
    )
    assert_valid_body(response, schema)


async def test_lookup_by_cmnd_and_with_matching_name(client: httpx.AsyncClient) -> None:
    _, name, body = await soap_call(client, "TraCuuThongTinCongDan", SoCMND=ids.CITIZEN_EXISTS_CMND)
    assert body["CongdanCollection"]["CongDan"]["SoDinhDanh"] == ids.CITIZEN_EXISTS
    # LGSP clients send the name upper-case without diacritics or spaces.
    _, name, _ = await soap_call(
        client,
        "TraCuuThongTinCongDan",
        SoDinhDanh=ids.CITIZEN_EXISTS,
        HoVaTen="NGUYENVANAN",
        NgayThangNamSinh={"Nam": "1985"},
    )
    assert name == "TraCuuThongTinCongDanResponse"
    _, name, _ = await soap_call(
        client,
        "TraCuuThongTinCongDan",
        SoDinhDanh=ids.CITIZEN_EXISTS,
        HoVaTen={"Ho": "Nguyễn", "Ten": "Bình"},
    )
    assert name == "Client:CD-404"


async def test_deceased_and_family(client: httpx.AsyncClient, schema: etree.XMLSchema) -> None:
    _, _, body = await soap_call(client, "TraCuuThongTinCongDan", SoDinhDanh=ids.CITIZEN_DECEASED)
    person = body["CongdanCollection"]["CongDan"]
    assert person["TrangThai"] == "Đã chết"
    assert person["NgayMat"] == "20230810"
    _, _, body = await soap_call(client, "TraCuuThongTinCongDan", SoDinhDanh=ids.COUPLE_CHILD)
    child = body["CongdanCollection"]["CongDan"]
    assert child["Cha"]["SoDinhDanh"] == ids.COUPLE_HUSBAND
    assert child["Me"] == {"HoVaTen": "Phạm Thị Dung", "SoDinhDanh": ids.COUPLE_WIFE, "QuocTich": "VN"}
    assert child["ChuHo"]["QuanHe"] == "Con"
    response = await client.post(
        "/csdl_dan_cu/soap",
        content=build_envelope(SOAP_NS, "TraCuuThongTinCongDan", {"SoDinhDanh": ids.COUPLE_CHILD}),
    )
    assert_valid_body(response, schema)


async def test_missing_citizen_is_a_cd404_client_fault(
    client: httpx.AsyncClient, schema: etree.XMLSchema
) -> None:
    status, name, detail = await soap_call(client, "TraCuuThongTinCongDan", SoDinhDanh=ids.CITIZEN_MISSING)
    assert (status, name) == (500, "Client:CD-404")
    assert detail["MoTa"] == "Không tìm thấy thông tin công dân"
    response = await client.post(
        "/csdl_dan_cu/soap",
        content=build_envelope(SOAP_NS, "TraCuuThongTinCongDan", {"SoDinhDanh": ids.CITIZEN_MISSING}),
    )
    assert_valid_body(response, schema)


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"SoDinhDanh": "12345"}, "SoDinhDanh"),
        ({"SoDinhDanh": "999085012345"}, "SoDinhDanh"),  # no such province prefix
        ({"SoCMND": "12AB"}, "SoCMND"),
        ({}, "SoDinhDanh"),
        (
            {"SoDinhDanh": ids.CITIZEN_EXISTS, "NgayThangNamSinh": {"NgayThangNam": "19851315"}},
            "NgayThangNamSinh",
        ),
    ],
)
async def test_invalid_input_is_a_cd422_client_fault(
    client: httpx.AsyncClient, fields: dict[str, object], field: str
) -> None:
    status, name, detail = await soap_call(client, "TraCuuThongTinCongDan", **fields)
    assert (status, name) == (500, "Client:CD-422")
    assert detail["TruongLoi"] == field


async def test_xac_thuc_match_and_mismatch(client: httpx.AsyncClient, schema: etree.XMLSchema) -> None:
    _, name, body = await soap_call(
        client,
        "XacThucThongTinCongDan",
        **CALLER,
        SoDinhDanh=ids.CITIZEN_EXISTS,
        HoVaTen={"Ho": "Nguyễn", "ChuDem": "Văn", "Ten": "An"},
        NgayThangNamSinh={"NgayThangNam": "19850315"},
    )
    assert name == "XacThucThongTinCongDanResponse"
    assert body["KetQua"] == "true"
    assert "TruongKhongKhop" not in body
    fields = {
        "HoVaTen": {"Ho": "Nguyễn", "ChuDem": "Văn", "Ten": "Anh"},
        "NgayThangNamSinh": {"NgayThangNam": "19850316"},
        "GioiTinh": "Nam",
    }
    _, _, body = await soap_call(client, "XacThucThongTinCongDan", SoDinhDanh=ids.CITIZEN_EXISTS, **fields)
    assert body["KetQua"] == "false"
    assert body["TruongKhongKhop"] == ["HoVaTen", "NgayThangNamSinh"]
    response = await client.post(
        "/csdl_dan_cu/soap",
        content=build_envelope(
            SOAP_NS, "XacThucThongTinCongDan", {"SoDinhDanh": ids.CITIZEN_EXISTS, **fields}
        ),
    )
    assert_valid_body(response, schema)


async def test_xac_minh_married_and_unmarried(client: httpx.AsyncClient, schema: etree.XMLSchema) -> None:
    _, name, body = await soap_call(client, "XacMinhTinhTrangHonNhan", SoDinhDanh=ids.COUPLE_HUSBAND)
    assert name == "XacMinhTinhTrangHonNhanResponse"
    assert body["TinhTrangHonNhan"] == "Đã kết hôn"
    assert body["VoChong"] == {"HoVaTen": "Phạm Thị Dung", "SoDinhDanh": ids.COUPLE_WIFE, "QuocTich": "VN"}
    _, _, body = await soap_call(client, "XacMinhTinhTrangHonNhan", SoDinhDanh=ids.CITIZEN_EXISTS)
    assert body["TinhTrangHonNhan"] == "Chưa kết hôn"
    assert "VoChong" not in body
    response = await client.post(
        "/csdl_dan_cu/soap",
        content=build_envelope(SOAP_NS, "XacMinhTinhTrangHonNhan", {"SoDinhDanh": ids.COUPLE_HUSBAND}),
    )
    assert_valid_body(response, schema)


async def test_unknown_operation_is_cd405(client: httpx.AsyncClient) -> None:
    status, name, _ = await soap_call(client, "XoaCongDan", SoDinhDanh=ids.CITIZEN_EXISTS)
    assert (status, name) == (500, "Client:CD-405")


@pytest.mark.parametrize(
    "payload",
    [
        b"not xml at all",
        b"<Envelope><Body/></Envelope>",
        b'<soap:Envelope xmlns:soap="http://schemas.xmlsoap.org/soap/envelope/"><soap:Body></soap:Body>'
        b"</soap:Envelope>",
        b'<soap:Envelope xmlns:soap="http://schemas.xmlsoap.org/soap/envelope/"><soap:Body>',
    ],
)
async def test_malformed_envelope_is_a_client_fault_with_http_500(
    client: httpx.AsyncClient, payload: bytes
) -> None:
    response = await post_raw(client, payload)
    assert response.status_code == 500
    assert response.headers["content-type"].startswith("text/xml")
    fault = etree.fromstring(response.content).find(f".//{{{SOAP_ENV}}}Fault")
    assert fault.findtext("faultcode") == "soap:Client"
    assert fault.findtext(f"detail/{{{SOAP_NS}}}MaLoi") == "CD-400"


BILLION_LAUGHS = (
    b'<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">'
    + b"".join(
        f'<!ENTITY lol{i} "{("&lol" + (str(i - 1) if i > 1 else "") + ";") * 10}">'.encode()
        for i in range(1, 10)
    )
    + b']><soap:Envelope xmlns:soap="http://schemas.xmlsoap.org/soap/envelope/"><soap:Body>'
    b'<dc:TraCuuThongTinCongDan xmlns:dc="http://dancuquocgia.bca"><dc:SoDinhDanh>&lol9;</dc:SoDinhDanh>'
    b"</dc:TraCuuThongTinCongDan></soap:Body></soap:Envelope>"
)


async def test_entity_expansion_is_refused_quickly_and_service_keeps_serving(
    client: httpx.AsyncClient,
) -> None:
    started = time.perf_counter()
    response = await post_raw(client, BILLION_LAUGHS)
    assert time.perf_counter() - started < 1
    assert response.status_code == 500
    assert b"soap:Client" in response.content
    assert b"CD-400" in response.content
    _, name, _ = await soap_call(client, "TraCuuThongTinCongDan", SoDinhDanh=ids.CITIZEN_EXISTS)
    assert name == "TraCuuThongTinCongDanResponse"


async def test_wsdl_and_xsd_are_served(client: httpx.AsyncClient) -> None:
    response = await client.get("/csdl_dan_cu/soap?wsdl")
    assert response.status_code == 200
    wsdl = etree.fromstring(response.content)
    ns = {"w": "http://schemas.xmlsoap.org/wsdl/", "s": "http://schemas.xmlsoap.org/wsdl/soap/"}
    assert wsdl.xpath("//s:address/@location", namespaces=ns) == ["http://mocks/csdl_dan_cu/soap"]
    operations = set(wsdl.xpath("//w:portType/w:operation/@name", namespaces=ns))
    assert operations == {
        "TraCuuThongTinCongDan",
        "XacThucThongTinCongDan",
        "XacMinhTinhTrangHonNhan",
        "DangKyThuongTru",
        "XoaDangKyThuongTru",
    }
    location = wsdl.xpath("//*[local-name()='import']/@schemaLocation")[0]
    xsd = await client.get(f"/csdl_dan_cu/{location}")
    assert xsd.status_code == 200
    etree.XMLSchema(etree.fromstring(xsd.content))
    assert (await client.get("/csdl_dan_cu/soap")).status_code == 400


async def test_access_log_keeps_masked_lookups(client: httpx.AsyncClient) -> None:
    await soap_call(client, "TraCuuThongTinCongDan", **CALLER, SoDinhDanh=ids.CITIZEN_EXISTS)
    await soap_call(
        client, "TraCuuThongTinCongDan", **CALLER | {"MaYeuCau": "YC-0002"}, SoDinhDanh=ids.CITIZEN_MISSING
    )
    items = (await client.get("/_admin/access-log")).json()["items"]
    assert [item["MaYeuCau"] for item in items] == ["YC-0002", "YC-0001"]
    assert items[1]["SoDinhDanh"] == "089******345"
    assert items[1]["MaCanBo"] == "CB-042"
    assert [item["ketQua"] for item in items] == ["not_found", "found"]
    assert ids.CITIZEN_EXISTS not in (await client.get("/_admin/access-log")).text
    await client.post("/_admin/reset")
    assert (await client.get("/_admin/access-log")).json()["items"] == []

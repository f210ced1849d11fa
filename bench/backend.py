"""The benchmark backend: raw ASGI serving a ~1 KB enterprise JSON (REST) and a ~1 KB citizen SOAP answer.

Raw ASGI on uvicorn + uvloop + httptools, like the direct-path anchor ("A" in bench/README.md), so the
backend is never the slow part. All data is synthetic.
"""

from __future__ import annotations

from typing import Any

import orjson

REST_PREFIX = "/csdl_dkdn/doanh-nghiep/"
SOAP_PATH = "/csdl_dan_cu/soap"

_ENTERPRISE = {
    "GetEntCert": [
        {
            "MaNoiBo": "NB-0000001",
            "MaSoDoanhNghiep": "@MSDN@",
            "SoGCNDKKD": "@MSDN@",
            "MaLoaiHinhDN": "02",
            "LoaiHinhDN": "Công ty trách nhiệm hữu hạn một thành viên",
            "TenTiengViet": "CÔNG TY TNHH THƯƠNG MẠI DỊCH VỤ MÔ PHỎNG",
            "TenNuocNgoai": "SIMULATED TRADING SERVICES COMPANY LIMITED",
            "TenVietTat": "MOPHONG CO., LTD",
            "NgayDangKyLanDau": "2015-03-12",
            "NgayDangKyThayDoi": "2021-09-30",
            "SoLanDangKyThayDoi": 3,
            "VonDieuLe": 5000000000,
            "TinhTrangPhapLy": [{"TinhTrangPhapLy": "Đang hoạt động", "MaTinhTrangPhapLy": "1"}],
            "DaiDienPhapLuat": [
                {
                    "ThongTinCaNhan": [
                        {
                            "HoVaTen": "NGUYỄN VĂN MẪU",
                            "LoaiGiayToChungThuc": "Căn cước công dân",
                            "MaLoaiGiayToChungThuc": "1",
                            "SoGiayChungThuc": "089085012345",
                            "QuocTich": "Việt Nam",
                        }
                    ]
                }
            ],
            "DiaChiTruSo": [
                {
                    "DiaChi": [
                        {
                            "TenTinhThanh": "Tỉnh An Giang",
                            "MaTinhThanh": 89,
                            "TenPhuongXa": "Phường Mỹ Bình",
                            "DiaChi": "Số 12 đường Mô Phỏng, Phường Mỹ Bình, Tỉnh An Giang",
                        }
                    ]
                }
            ],
            "NganhNgheKinhDoanh": [{"MaNganh": "4690", "TenNganh": "Bán buôn tổng hợp", "LaNganhChinh": 1}],
        }
    ]
}
_REST_PRE, _REST_MID, _REST_POST = orjson.dumps(_ENTERPRISE).split(b"@MSDN@")

SOAP_RESPONSE = """<?xml version='1.0' encoding='utf-8'?>
<soap:Envelope xmlns:soap="http://schemas.xmlsoap.org/soap/envelope/" xmlns:dc="http://dancuquocgia.bca">
<soap:Body><dc:TraCuuThongTinCongDanResponse><dc:MaYeuCau>YC-1</dc:MaYeuCau><dc:CongdanCollection>
<dc:CongDan><dc:SoDinhDanh>089085012345</dc:SoDinhDanh><dc:HoVaTen><dc:Ho>Nguyễn</dc:Ho>
<dc:ChuDem>Văn</dc:ChuDem><dc:Ten>Mẫu</dc:Ten></dc:HoVaTen><dc:GioiTinh>Nam</dc:GioiTinh>
<dc:DanToc>01</dc:DanToc><dc:TonGiao>Không</dc:TonGiao><dc:TinhTrangHonNhan>Đã kết hôn</dc:TinhTrangHonNhan>
<dc:NgayThangNamSinh><dc:Nam>1985</dc:Nam><dc:NgayThangNam>19850412</dc:NgayThangNam></dc:NgayThangNamSinh>
<dc:ThuongTru><dc:MaTinhThanh>89</dc:MaTinhThanh><dc:TenTinhThanh>Tỉnh An Giang</dc:TenTinhThanh>
<dc:ChiTiet>Số 12 đường Mô Phỏng</dc:ChiTiet><dc:QuocGia>Việt Nam</dc:QuocGia></dc:ThuongTru>
<dc:QuocTich>Việt Nam</dc:QuocTich><dc:ChuHo><dc:QuanHe>Chủ hộ</dc:QuanHe>
<dc:SoDinhDanh>089085012345</dc:SoDinhDanh><dc:HoVaTen>Nguyễn Văn Mẫu</dc:HoVaTen></dc:ChuHo>
<dc:SoSoHoKhau>SHK-0001</dc:SoSoHoKhau><dc:TrangThai>Còn sống</dc:TrangThai></dc:CongDan>
</dc:CongdanCollection></dc:TraCuuThongTinCongDanResponse></soap:Body></soap:Envelope>""".encode()

_JSON_HEADERS = [(b"content-type", b"application/json")]
_XML_HEADERS = [(b"content-type", b"text/xml; charset=utf-8")]


def rest_body(msdn: str) -> bytes:
    """The enterprise JSON the backend answers for `msdn`."""
    value = msdn.encode()
    return _REST_PRE + value + _REST_MID + value + _REST_POST


async def _respond(send: Any, status: int, headers: list[tuple[bytes, bytes]], body: bytes) -> None:
    await send(
        {
            "type": "http.response.start",
            "status": status,
            "headers": [*headers, (b"content-length", str(len(body)).encode())],
        }
    )
    await send({"type": "http.response.body", "body": body})


async def app(scope: dict[str, Any], receive: Any, send: Any) -> None:
    if scope["type"] != "http":
        return
    path = scope["path"]
    if scope["method"] == "GET" and path.startswith(REST_PREFIX):
        await _respond(send, 200, _JSON_HEADERS, rest_body(path[len(REST_PREFIX) :]))
    elif scope["method"] == "POST" and path == SOAP_PATH:
        more = True
        while more:  # drain the request envelope
            more = (await receive()).get("more_body", False)
        await _respond(send, 200, _XML_HEADERS, SOAP_RESPONSE)
    else:
        await _respond(send, 404, _JSON_HEADERS, b'{"error":"not_found"}')

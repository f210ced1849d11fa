"""Synthetic identities and bodies for the exchange-log tests: none of them belongs to a real person."""

from __future__ import annotations

from collections.abc import Callable

from ndxp_sim.gateway.exchange import Exchange

MakeExchange = Callable[..., Exchange]

SUBJECT_KEY = "test-subject-key"

CITIZEN_ID = "079203001234"
OLD_ID = "271234567"
MOTHER_ID = "001185004321"
PHONE = "0912345678"
BHXH = "7912345678"
NAMES = ("Nguyễn Văn Thử", "Trần Thị Mẫu", "Lê Hoàng Giả")
BIRTH_DATES = ("2003-04-15", "15/04/2003", "19850310")

JSON_BODY = (
    '{"SoDinhDanh": "079203001234", "SoCMND": "271234567", "HoVaTen": "Nguyễn Văn Thử",'
    ' "NgayThangNamSinh": "2003-04-15", "SoDienThoai": "0912345678", "MaSoBHXH": "7912345678",'
    ' "Email": "thu.nguyen@example.invalid", "MaHoSo": "H91.99-250701-0001",'
    ' "data": "{\\"hoTich\\": {\\"nksHoTen\\": \\"Lê Hoàng Giả\\", \\"meHoTen\\": \\"Trần Thị Mẫu\\",'
    ' \\"meSoDDCN\\": \\"001185004321\\", \\"nksNgaySinh\\": \\"15/04/2003\\"}}",'
    ' "ghiChu": "Liên hệ 0912345678, CMND cũ 271234567"}'
).encode()

SOAP_BODY = """<?xml version="1.0" encoding="utf-8"?>
<soap:Envelope xmlns:soap="http://schemas.xmlsoap.org/soap/envelope/">
  <soap:Body>
    <CongdanCollection xmlns="http://dancuquocgia.bca">
      <CongDan>
        <SoDinhDanh>079203001234</SoDinhDanh>
        <SoCMND>271234567</SoCMND>
        <HoVaTen><Ho>Nguyễn</Ho><ChuDem>Văn</ChuDem><Ten>Thử</Ten></HoVaTen>
        <NgayThangNamSinh><Nam>2003</Nam><NgayThangNam>19850310</NgayThangNam></NgayThangNamSinh>
        <Me><HoVaTen>Trần Thị Mẫu</HoVaTen><SoDinhDanh>001185004321</SoDinhDanh></Me>
        <ThuDienTu>thu.nguyen@example.invalid</ThuDienTu>
        <GhiChu>Gọi 0912345678</GhiChu>
      </CongDan>
    </CongdanCollection>
  </soap:Body>
</soap:Envelope>""".encode()

"""#2 National Population DB (CSDLQG về dân cư): SOAP 1.1 lookups and residence registration (cư trú)."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Mapping
from datetime import date, datetime
from typing import TYPE_CHECKING, Any

from fastapi import APIRouter, Request
from fastapi.responses import Response

from ndxp_sim.contracts import CONTRACTS_DIR
from ndxp_sim.core.identifiers import cccd_is_valid
from ndxp_sim.mock_services import responses
from ndxp_sim.mock_services.clock import now_vn
from ndxp_sim.mock_services.context import MockContext
from ndxp_sim.mock_services.engines.host import log_access as record_access
from ndxp_sim.mock_services.soap_server import CONTENT_TYPE, SoapRequestError, answer, read_request

if TYPE_CHECKING:
    from ndxp_sim.core.model import Address
    from ndxp_sim.mock_services.population import Citizen, Population

SERVICE = "csdl_dan_cu"
NS = "http://dancuquocgia.bca"
CONTRACTS = CONTRACTS_DIR
WSDL_ADDRESS = "http://127.0.0.1:9100/csdl_dan_cu/soap"  # as written in the WSDL file; replaced when served
MAX_ENVELOPE_BYTES = 1_048_576
ALIVE, DEAD = "Còn sống", "Đã chết"

_CMND = re.compile(r"[0-9]{9}|[0-9]{12}")
_DAY = re.compile(r"[0-9]{8}")
_YEAR = re.compile(r"[0-9]{4}")


class CitizenLookupError(Exception):
    """A fault to answer with: faultcode, MaLoi, message and the field at fault."""

    def __init__(self, ma_loi: str, message: str, field: str | None = None, code: str = "Client") -> None:
        super().__init__(message)
        self.code, self.ma_loi, self.message, self.field = code, ma_loi, message, field


def _invalid(field: str, message: str) -> CitizenLookupError:
    return CitizenLookupError(responses.SOAP_INVALID_FIELD, message, field)


def _not_found() -> CitizenLookupError:
    return CitizenLookupError(responses.SOAP_NOT_FOUND, "Không tìm thấy thông tin công dân")


def _ymd(day: date) -> str:
    return day.strftime("%Y%m%d")


def fold_name(name: str) -> str:
    """Upper case, no diacritics, no spaces: how LGSP clients send HoVaTen (docs/data-formats.md)."""
    decomposed = unicodedata.normalize("NFD", name.replace("đ", "d").replace("Đ", "D"))
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch) and not ch.isspace()).upper()


# Request fields -----------------------------------------------------------------------------------------


def _text(payload: Mapping[str, Any], field: str) -> str | None:
    value = payload.get(field)
    if value is None or isinstance(value, str):
        return value
    raise _invalid(field, f"{field} phải là chuỗi ký tự")


def _so_dinh_danh(payload: Mapping[str, Any], *, required: bool) -> str | None:
    value = _text(payload, "SoDinhDanh")
    if value is None:
        if required:
            raise _invalid("SoDinhDanh", "Thiếu SoDinhDanh")
        return None
    if not cccd_is_valid(value):
        raise _invalid("SoDinhDanh", "SoDinhDanh phải gồm 12 chữ số với mã tỉnh hợp lệ")
    return value


def _so_cmnd(payload: Mapping[str, Any]) -> str | None:
    value = _text(payload, "SoCMND")
    if value is not None and not _CMND.fullmatch(value):
        raise _invalid("SoCMND", "SoCMND phải gồm 9 hoặc 12 chữ số")
    return value


def _requested_name(payload: Mapping[str, Any]) -> str | None:
    value = payload.get("HoVaTen")
    if value is None:
        return None
    if isinstance(value, str):
        return fold_name(value)
    if isinstance(value, Mapping):
        parts = [value.get(key) for key in ("Ho", "ChuDem", "Ten")]
        if all(part is None or isinstance(part, str) for part in parts):
            return fold_name("".join(part for part in parts if part))
    raise _invalid("HoVaTen", "HoVaTen phải gồm Ho, ChuDem, Ten")


def _requested_birth(payload: Mapping[str, Any]) -> tuple[str | None, str | None]:
    """(NgayThangNam yyyyMMdd, Nam yyyy) from NgayThangNamSinh, given as a structure or a bare string."""
    value = payload.get("NgayThangNamSinh")
    if value is None:
        return None, None
    if isinstance(value, str):
        value = {"NgayThangNam": value} if len(value) == 8 else {"Nam": value}
    if not isinstance(value, Mapping):
        raise _invalid("NgayThangNamSinh", "NgayThangNamSinh không hợp lệ")
    day, year = value.get("NgayThangNam"), value.get("Nam")
    if day is not None:
        if not isinstance(day, str) or not _DAY.fullmatch(day):
            raise _invalid("NgayThangNamSinh", "NgayThangNam phải có dạng yyyyMMdd")
        try:
            datetime.strptime(day, "%Y%m%d")
        except ValueError:
            raise _invalid("NgayThangNamSinh", "NgayThangNam không phải ngày hợp lệ") from None
    if year is not None and (not isinstance(year, str) or not _YEAR.fullmatch(year)):
        raise _invalid("NgayThangNamSinh", "Nam phải gồm 4 chữ số")
    return day, year


def _mismatches(citizen: Citizen, payload: Mapping[str, Any]) -> list[str]:
    """The given identity fields that disagree with the record."""
    wrong = []
    name = _requested_name(payload)
    if name is not None and name != fold_name(citizen.ho_va_ten):
        wrong.append("HoVaTen")
    day, year = _requested_birth(payload)
    if (day is not None and day != _ymd(citizen.ngay_sinh)) or (
        year is not None and year != str(citizen.ngay_sinh.year)
    ):
        wrong.append("NgayThangNamSinh")
    sex = _text(payload, "GioiTinh")
    if sex is not None and sex != citizen.gioi_tinh:
        wrong.append("GioiTinh")
    return wrong


# Response records ---------------------------------------------------------------------------------------


def _dia_chi(address: Address) -> dict[str, str]:
    return {
        "MaTinhThanh": address.province_code,
        "TenTinhThanh": address.province_name,
        "MaPhuongXa": address.ward_code,
        "TenPhuongXa": address.ward_name,
        "ChiTiet": address.detail,
        "QuocGia": address.country,
    }


def _relative(population: Population, so_dinh_danh: str | None) -> dict[str, str] | None:
    if so_dinh_danh is None:
        return None
    person = population.citizen(so_dinh_danh)
    if person is None:
        return {"SoDinhDanh": so_dinh_danh}
    return {"HoVaTen": person.ho_va_ten, "SoDinhDanh": person.so_dinh_danh, "QuocTich": person.quoc_tich}


def _spouse(population: Population, citizen: Citizen) -> dict[str, str] | None:
    """The current spouse as every operation shows it (Population.spouse_of decides; none when widowed)."""
    spouse = population.spouse_of(citizen)
    return _relative(population, spouse.so_dinh_danh) if spouse else None


def cong_dan(population: Population, citizen: Citizen) -> dict[str, Any]:
    """The CongDan record, fields in the order LGSP clients read them."""
    household = population.household_of(citizen)
    head = population.citizen(household.chu_ho)
    return {
        "SoDinhDanh": citizen.so_dinh_danh,
        "SoCMND": citizen.so_cmnd,
        "HoVaTen": {"Ho": citizen.ho, "ChuDem": citizen.chu_dem, "Ten": citizen.ten},
        "GioiTinh": citizen.gioi_tinh,
        "DanToc": citizen.dan_toc,
        "TonGiao": citizen.ton_giao,
        "TinhTrangHonNhan": citizen.tinh_trang_hon_nhan,
        "NhomMau": citizen.nhom_mau,
        "NgayThangNamSinh": {"Nam": str(citizen.ngay_sinh.year), "NgayThangNam": _ymd(citizen.ngay_sinh)},
        "NoiDangKyKhaiSinh": _dia_chi(citizen.noi_dang_ky_khai_sinh),
        "QueQuan": _dia_chi(citizen.que_quan),
        "ThuongTru": _dia_chi(citizen.thuong_tru),
        "NoiOHienTai": _dia_chi(citizen.noi_o_hien_tai),
        "QuocTich": citizen.quoc_tich,
        "Cha": _relative(population, citizen.cha),
        "Me": _relative(population, citizen.me),
        "VoChong": _spouse(population, citizen),
        "ChuHo": {
            "QuanHe": citizen.quan_he_chu_ho,
            "SoDinhDanh": household.chu_ho,
            "HoVaTen": head.ho_va_ten if head else None,
        },
        "SoSoHoKhau": household.id,
        "TrangThai": DEAD if citizen.da_mat else ALIVE,
        "NgayMat": _ymd(citizen.ngay_mat) if citizen.ngay_mat else None,
    }


# Operations ---------------------------------------------------------------------------------------------


def tra_cuu(population: Population, payload: Mapping[str, Any]) -> dict[str, Any]:
    """TraCuuThongTinCongDan: by SoDinhDanh, else SoCMND; given name and birth date must match too."""
    so_dinh_danh, so_cmnd = _so_dinh_danh(payload, required=False), _so_cmnd(payload)
    if so_dinh_danh is None and so_cmnd is None:
        raise _invalid("SoDinhDanh", "Cần SoDinhDanh hoặc SoCMND")
    citizen = population.citizen(so_dinh_danh) if so_dinh_danh else population.find_by_cmnd(so_cmnd or "")
    if citizen is None or _mismatches(citizen, payload):
        raise _not_found()
    return {
        "MaYeuCau": _text(payload, "MaYeuCau"),
        "CongdanCollection": {"CongDan": cong_dan(population, citizen)},
    }


def xac_thuc(population: Population, payload: Mapping[str, Any]) -> dict[str, Any]:
    """XacThucThongTinCongDan: KetQua true when every given field matches the record."""
    so_dinh_danh = _so_dinh_danh(payload, required=True) or ""
    citizen = population.citizen(so_dinh_danh)
    if citizen is None:
        raise _not_found()
    wrong = _mismatches(citizen, payload)
    return {
        "MaYeuCau": _text(payload, "MaYeuCau"),
        "SoDinhDanh": so_dinh_danh,
        "KetQua": "false" if wrong else "true",
        "TruongKhongKhop": wrong,
        "TrangThai": DEAD if citizen.da_mat else ALIVE,
    }


def xac_minh_hon_nhan(population: Population, payload: Mapping[str, Any]) -> dict[str, Any]:
    """XacMinhTinhTrangHonNhan: marital status, and the spouse when married."""
    so_dinh_danh = _so_dinh_danh(payload, required=True) or ""
    citizen = population.citizen(so_dinh_danh)
    if citizen is None:
        raise _not_found()
    return {
        "MaYeuCau": _text(payload, "MaYeuCau"),
        "SoDinhDanh": so_dinh_danh,
        "HoVaTen": citizen.ho_va_ten,
        "TinhTrangHonNhan": citizen.tinh_trang_hon_nhan,
        "VoChong": _spouse(population, citizen),
    }


# Residence registration (cư trú) ------------------------------------------------------------------------
# Permanent residence is kept in the residence database of the same Ministry (CSDL về cư trú), which shares
# the citizen record with CSDLQG về dân cư; the chained procedures of NĐ 63/2024 write it through the same
# SOAP service, so these two operations live here rather than in a service of their own.

RESIDENCE_STORE = "csdl_dan_cu.cu-tru"  # residence changes, journaled and replayed on restore
STATE_CONFLICT = "CD-409"  # the citizen's state does not allow the change (documented in BACKENDS.md)
DEATH = "chết"


def _conflict(message: str) -> CitizenLookupError:
    return CitizenLookupError(STATE_CONFLICT, message, "SoDinhDanh")


def _required(payload: Mapping[str, Any], field: str) -> str:
    value = _text(payload, field)
    if not value or len(value) > 128:
        raise _invalid(field, f"Thiếu {field} hoặc {field} quá dài")
    return value


def dang_ky_thuong_tru(population: Population, payload: Mapping[str, Any]) -> dict[str, Any]:
    """DangKyThuongTru: the citizen joins the household SoSoHoKhau with its address as permanent residence
    (the same request again answers the same registration)."""
    so_dinh_danh = _so_dinh_danh(payload, required=True) or ""
    household_id, quan_he = _required(payload, "SoSoHoKhau"), _required(payload, "QuanHeChuHo")
    _required(payload, "MaHoSo")
    citizen = population.citizen(so_dinh_danh)
    if citizen is None:
        raise _not_found()
    if citizen.da_mat:
        raise _conflict("Công dân đã chết, không thể đăng ký thường trú")
    if household_id not in population.households:
        raise _invalid("SoSoHoKhau", f"Không tìm thấy hộ gia đình có số sổ hộ khẩu {household_id}")
    population.register_residence(so_dinh_danh, household_id, quan_he, now_vn().date())
    _, registered_on = population.residence_registered[so_dinh_danh]
    return {
        "MaYeuCau": _text(payload, "MaYeuCau"),
        "SoDinhDanh": so_dinh_danh,
        "SoSoHoKhau": household_id,
        "QuanHeChuHo": citizen.quan_he_chu_ho,
        "ThuongTru": _dia_chi(citizen.thuong_tru),
        "NgayDangKy": _ymd(registered_on),
    }


def xoa_dang_ky_thuong_tru(population: Population, payload: Mapping[str, Any]) -> dict[str, Any]:
    """XoaDangKyThuongTru: the citizen leaves their household's register (Luật Cư trú art. 24); for a death
    the register must already show it. A head who leaves is followed by the oldest living member."""
    so_dinh_danh = _so_dinh_danh(payload, required=True) or ""
    reason = _required(payload, "LyDo")
    _required(payload, "MaHoSo")
    citizen = population.citizen(so_dinh_danh)
    if citizen is None:
        raise _not_found()
    if reason.casefold() == DEATH and not citizen.da_mat:
        raise _conflict("CSDLQG về dân cư chưa ghi nhận công dân đã chết")
    household = population.remove_residence(so_dinh_danh, now_vn().date(), reason)
    removed_on, recorded_reason = population.residence_removed[so_dinh_danh]
    head = population.citizen(household.chu_ho)
    return {
        "MaYeuCau": _text(payload, "MaYeuCau"),
        "SoDinhDanh": so_dinh_danh,
        "SoSoHoKhau": household.id,
        "LyDo": recorded_reason,
        "NgayXoa": _ymd(removed_on),
        "ChuHo": {"SoDinhDanh": household.chu_ho, "HoVaTen": head.ho_va_ten if head else None},
    }


def replay_residence(ctx: MockContext) -> None:
    """After a restart: the residence changes made before it, in the order they were made."""
    population = ctx.population
    for record in ctx.engines.store(RESIDENCE_STORE).values():
        if record["SoDinhDanh"] not in population.citizens:
            continue
        person, day = record["SoDinhDanh"], datetime.strptime(record["Ngay"], "%Y%m%d").date()
        if record["ThaoTac"] == "DangKyThuongTru":
            population.register_residence(person, record["SoSoHoKhau"], record["QuanHeChuHo"], day)
        else:
            population.remove_residence(person, day, record["LyDo"])


def _journal_residence(ctx: MockContext, operation: str, result: Mapping[str, Any]) -> None:
    day = result.get("NgayDangKy") or result.get("NgayXoa")
    record = {
        "ThaoTac": operation,
        "SoDinhDanh": result["SoDinhDanh"],
        "SoSoHoKhau": result["SoSoHoKhau"],
        "QuanHeChuHo": result.get("QuanHeChuHo"),
        "LyDo": result.get("LyDo"),
        "Ngay": day,
    }
    ctx.engines.put(RESIDENCE_STORE, f"{operation}:{result['SoDinhDanh']}", record)


Operation = Callable[["Population", Mapping[str, Any]], dict[str, Any]]
OPERATIONS: Mapping[str, Operation] = {
    "TraCuuThongTinCongDan": tra_cuu,
    "XacThucThongTinCongDan": xac_thuc,
    "XacMinhTinhTrangHonNhan": xac_minh_hon_nhan,
    "DangKyThuongTru": dang_ky_thuong_tru,
    "XoaDangKyThuongTru": xoa_dang_ky_thuong_tru,
}


def _fault_response(fault: CitizenLookupError) -> Response:
    return responses.to_response(
        responses.soap_fault(NS, fault.code, fault.ma_loi, fault.message, fault.field)
    )


def _parse(body: bytes) -> tuple[str, dict[str, Any]]:
    if len(body) > MAX_ENVELOPE_BYTES:
        raise CitizenLookupError(responses.SOAP_MALFORMED, "Thông điệp vượt quá kích thước cho phép")
    try:
        return read_request(body)
    except SoapRequestError as exc:
        raise CitizenLookupError(responses.SOAP_MALFORMED, str(exc)) from None


def create_router(ctx: MockContext) -> APIRouter:
    router = APIRouter()
    ctx.restore_hooks.append(lambda: replay_residence(ctx))

    def log_access(operation: str, payload: Mapping[str, Any], outcome: str) -> None:
        key = payload.get("SoDinhDanh") or payload.get("SoCMND")
        record_access(ctx, SERVICE, operation, payload, key if isinstance(key, str) else None, outcome)

    @router.post("/soap")
    async def soap(request: Request) -> Response:
        try:
            operation, payload = _parse(await request.body())
        except CitizenLookupError as fault:
            return _fault_response(fault)
        handler = OPERATIONS.get(operation)
        if handler is None:
            return _fault_response(
                CitizenLookupError(responses.SOAP_UNKNOWN_OPERATION, f"Không hỗ trợ thao tác {operation}")
            )
        try:
            result = handler(ctx.population, payload)
        except CitizenLookupError as fault:
            outcome = "not_found" if fault.ma_loi == responses.SOAP_NOT_FOUND else "invalid"
            log_access(operation, payload, outcome)
            return _fault_response(fault)
        log_access(operation, payload, "found")
        if operation in ("DangKyThuongTru", "XoaDangKyThuongTru"):
            _journal_residence(ctx, operation, result)
        return Response(answer(NS, f"{operation}Response", result), media_type=CONTENT_TYPE)

    @router.get("/soap")
    async def wsdl(request: Request) -> Response:
        if "wsdl" not in request.query_params:
            message = "POST a SOAP 1.1 envelope here, or GET ?wsdl"
            return responses.to_response(responses.rest_error(400, "bad_request", message))
        address = str(request.url.replace(query=""))
        text = (CONTRACTS / "csdl_dan_cu.wsdl").read_text(encoding="utf-8").replace(WSDL_ADDRESS, address)
        return Response(text, media_type=CONTENT_TYPE)

    @router.get("/csdl_dan_cu.xsd")
    async def xsd() -> Response:
        return Response((CONTRACTS / "csdl_dan_cu.xsd").read_bytes(), media_type=CONTENT_TYPE)

    return router

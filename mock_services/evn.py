"""#22 EVN services: new connections with uploaded papers (dossiers), outage schedules, monthly kWh."""

from __future__ import annotations

import hashlib
import json
import math
from collections.abc import Mapping
from datetime import date, timedelta
from typing import TYPE_CHECKING, Any, Literal

from fastapi import APIRouter, Query, Request
from fastapi.responses import Response
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator
from starlette.datastructures import UploadFile
from starlette.exceptions import HTTPException as StarletteHTTPException

from ndxp_sim.core import catalogues
from ndxp_sim.core.fields import IsoDate
from ndxp_sim.core.identifiers import phone_is_valid
from ndxp_sim.core.places import commune_of
from ndxp_sim.mock_services.clock import now_vn
from ndxp_sim.mock_services.context import MockContext
from ndxp_sim.mock_services.dossier import (
    DONE,
    OK,
    PROCESSING,
    RECEIVED,
    DossierConflictError,
    DossierDuplicateError,
    DossierKind,
    DuplicateRule,
    Review,
)
from ndxp_sim.mock_services.dossier_api import MA_HO_SO_PATTERN, create_dossier_router, fail, ok
from ndxp_sim.mock_services.dossier_checks import RefusedError, citizen, enterprise
from ndxp_sim.mock_services.population.dates import age_on

if TYPE_CHECKING:
    from ndxp_sim.core.model import Household
    from ndxp_sim.mock_services.population import Population

SERVICE = "evn"
MAX_FILES = 5
MAX_FILE_BYTES = 2 * 1024 * 1024  # per paper: scans of a few pages
MAX_FORM_BYTES = MAX_FILES * MAX_FILE_BYTES + 64 * 1024
FILE_TYPES = {"application/pdf": b"%PDF-", "image/jpeg": b"\xff\xd8\xff", "image/png": b"\x89PNG\r\n\x1a\n"}
FORMS = ("multipart/form-data", "application/x-www-form-urlencoded")  # the latter: a form with no files
ADULT = 18  # age to sign an electricity sale contract
SINGLE_PHASE_MAX_KW = 15.0
MAX_MONTHS = 24
# Household tariff, VND/kWh before VAT, since 10 May 2025; tiers 0–50, 51–100, 101–200, 201–300, 301–400, 401+
TIERS = ((50, 1984), (50, 2050), (100, 2380), (100, 2998), (100, 3350), (math.inf, 3460))
OUTAGE_REASONS = (
    "Bảo dưỡng, sửa chữa lưới điện trung áp",
    "Thay máy biến áp, nâng cấp trạm biến áp",
    "Thi công đường dây 22 kV, di dời cột điện",
    "Vệ sinh cách điện, xử lý điểm phát nhiệt",
)
SCHEDULE_DAYS_AHEAD = 7  # planned outages are announced a week ahead
BILLED_SINCE = date(2015, 1, 1)  # the population's households: billed long before any period asked


class KhachHang(BaseModel):
    model_config = ConfigDict(extra="allow")
    hoTen: str = Field(..., min_length=3, max_length=100)
    soDinhDanh: str = Field(..., pattern=r"^[0-9]{12}$")
    soDienThoai: str
    email: str | None = Field(None, max_length=100)
    maSoThue: str | None = Field(None, pattern=r"^[0-9]{10}$", description="an organisation's request")

    @field_validator("soDienThoai")
    @classmethod
    def _phone(cls, value: str) -> str:
        if not phone_is_valid(value):
            raise ValueError("số điện thoại không thuộc đầu số của nhà mạng nào")
        return value


class DiaChiDungDien(BaseModel):
    model_config = ConfigDict(extra="forbid")
    maTinh: str = Field(..., pattern=r"^[0-9]{2}$")
    maXa: str = Field(..., pattern=r"^[0-9]{5}$")
    chiTiet: str = Field(..., min_length=1, max_length=200)

    _commune = commune_of("maTinh", "maXa")


class TepDinhKem(BaseModel):
    """What the mock keeps of an uploaded paper: its name, type, size and digest (not its bytes)."""

    model_config = ConfigDict(extra="forbid")
    tenTep: str
    loaiTep: str
    kichThuoc: int
    sha256: str


class CapDienMoi(BaseModel):
    model_config = ConfigDict(extra="allow")
    maHoSo: str = Field(..., pattern=MA_HO_SO_PATTERN)
    ngayTiepNhan: str | None = None
    callbackUrl: str | None = Field(None, pattern=r"^https?://")
    khachHang: KhachHang
    diaChiDungDien: DiaChiDungDien
    mucDichSuDung: Literal["sinh-hoat", "kinh-doanh", "san-xuat"]
    congSuatDangKy: float = Field(..., gt=0, le=2000, description="kW")
    soPha: Literal[1, 3]
    tepDinhKem: list[TepDinhKem] = Field(..., min_length=1, max_length=MAX_FILES)


def corporation(province_code: str) -> str:
    """The EVN corporation's customer-code prefix: PD Hà Nội, PE TP HCM, PA north, PC centre, PB south."""
    if province_code == "01":
        return "PD"
    if province_code == "79":
        return "PE"
    number = int(province_code)
    return "PA" if number < 40 else "PC" if number < 68 else "PB"


def household_customer(household: Household) -> str:
    """The customer code of a household's meter: corporation, province, 0, the household's own serial."""
    return f"{corporation(household.id[:2])}{household.id[:2]}0{household.id[2:]}"


def review_connection(request: BaseModel, population: Population) -> Review:
    """The requester is a living adult of that name (an organisation's: its legal representative); a
    single-phase meter cannot carry more than 15 kW."""
    assert isinstance(request, CapDienMoi)
    customer = request.khachHang
    person = citizen(population, customer.soDinhDanh, customer.hoTen, "khách hàng")
    if age_on(person.ngay_sinh, now_vn().date()) < ADULT:
        raise RefusedError("Khách hàng chưa đủ 18 tuổi, không đủ điều kiện ký hợp đồng mua bán điện")
    company = enterprise(population, customer.maSoThue) if customer.maSoThue else None
    if company is not None and company.nguoi_dai_dien != person.so_dinh_danh:
        return Review(
            "reject",
            f"Người yêu cầu không phải người đại diện theo pháp luật của doanh nghiệp {customer.maSoThue}",
        )
    if request.soPha == 1 and request.congSuatDangKy > SINGLE_PHASE_MAX_KW:
        return Review(
            "reject",
            f"Công suất đăng ký {request.congSuatDangKy:g} kW vượt quá khả năng của công tơ 1 pha "
            f"(tối đa {SINGLE_PHASE_MAX_KW:g} kW), đề nghị đăng ký công tơ 3 pha",
        )
    return OK


def connect(request: BaseModel, population: Population, sequence: int) -> dict[str, Any]:
    """The contract, the meter and the new customer code."""
    assert isinstance(request, CapDienMoi)
    province = request.diaChiDungDien.maTinh
    today = now_vn().date()
    return {
        "maKhachHang": f"{corporation(province)}{province}9{sequence:08d}",
        "soHopDong": f"HĐMBĐ-{province}-{today.year}-{sequence:06d}",
        "maCongTo": f"{'3P' if request.soPha == 3 else '1P'}{today:%y}{sequence:07d}",
        "chiSoDau": 0,
        "ngayDongDien": today.isoformat(),
        "giaBieu": "Sinh hoạt bậc thang" if request.mucDichSuDung == "sinh-hoat" else "Kinh doanh/sản xuất",
    }


def same_place(request: Mapping[str, Any]) -> str:
    """Where the meter goes: the commune and the address as typed, in any case or spacing."""
    place = request["diaChiDungDien"]
    return f"{place['maXa']}:{' '.join(place['chiTiet'].casefold().split())}"


KIND = DossierKind(
    model=CapDienMoi,
    review=review_connection,
    build_result=connect,
    supplement_into="diaChiDungDien",
    labels={
        RECEIVED: "Tiếp nhận yêu cầu cấp điện mới",
        PROCESSING: "Điện lực khảo sát địa điểm, lắp đặt công tơ",
        DONE: "Đã ký hợp đồng mua bán điện và đóng điện",
    },
    handler="Điện lực khu vực - bộ phận giao dịch khách hàng",
    duplicate=DuplicateRule(
        of=same_place, refusal="Địa điểm {diaChiDungDien[chiTiet]} đã có yêu cầu cấp điện mới", at="submit"
    ),
)


def _seeded(*parts: object) -> int:
    return int.from_bytes(hashlib.sha256(":".join(map(str, parts)).encode()).digest()[:8], "big")


def outages(ward_code: str, day: date) -> list[dict[str, Any]]:
    """0–2 planned outages in a ward on a day, the same every time it is asked."""
    ward = catalogues.ward(ward_code)
    assert ward is not None
    found = []
    for index in range(_seeded("outage", ward_code, day) % 5 // 2):  # mostly none, sometimes one or two
        seed = _seeded("outage", ward_code, day, index)
        start = 7 + seed % 7
        found.append(
            {
                "maLich": f"NCD-{ward_code}-{day:%Y%m%d}-{index + 1}",
                "khuVuc": f"Một phần {ward.name}, tổ/ấp {seed % 20 + 1}",
                "tuGio": f"{day.isoformat()}T{start:02d}:00:00+07:00",
                "denGio": f"{day.isoformat()}T{start + 2 + seed % 3:02d}:30:00+07:00",
                "lyDo": OUTAGE_REASONS[seed % len(OUTAGE_REASONS)],
                "donViThucHien": f"Điện lực {ward.name.split(' ', 1)[1]}",
            }
        )
    return found


def tariff(kwh: int) -> int:
    """The household bill before VAT, tier by tier."""
    left, total = kwh, 0.0
    for width, price in TIERS:
        used = min(left, width)
        total += used * price
        left -= int(used)
        if left <= 0:
            break
    return round(total)


def monthly_kwh(customer: str, members: int, province_code: str, month: date) -> int:
    """About 90 kWh for one person, a bit less for each more; hot months higher (the north's summer, the
    south's dry season); the same every time it is asked."""
    base = 90 + 70 * (members - 1) ** 0.8 if members > 0 else 60
    north = int(province_code) < 40
    hot = month.month in ((5, 6, 7, 8) if north else (3, 4, 5))
    cold = north and month.month in (12, 1, 2)
    season = 1.35 if hot else 0.8 if cold else 1.0
    noise = 0.85 + (_seeded("kwh", customer, month) % 300) / 1000
    return round(base * season * noise)


def _month(value: str) -> date:
    return date.fromisoformat(f"{value}-01")


def _months(first: date, last: date) -> list[date]:
    months, current = [], first
    while current <= last:
        months.append(current)
        current = (current + timedelta(days=32)).replace(day=1)
    return months


def create_router(ctx: MockContext) -> APIRouter:
    """POST /cap-dien-moi (multipart), GET /ho-so/{maHoSo}, GET /lich-ngung-cap-dien,
    GET /khach-hang/{maKhachHang}/san-luong."""
    router = create_dossier_router(ctx, service=SERVICE, lt_prefix="EVN", kinds={})
    ctx.dossiers.register_kind(SERVICE, "/cap-dien-moi", KIND)

    @router.post("/cap-dien-moi")
    async def new_connection(request: Request) -> Response:
        declared = request.headers.get("content-length", "")
        if declared.isdigit() and int(declared) > MAX_FORM_BYTES:
            return fail(413, "payload_too_large", f"Dung lượng hồ sơ vượt quá {MAX_FORM_BYTES // 1048576} MB")
        if not request.headers.get("content-type", "").startswith(FORMS):
            return fail(415, "unsupported_media_type", "Yêu cầu phải gửi dạng multipart/form-data")
        try:
            async with request.form(max_files=MAX_FILES + 1, max_fields=10) as form:
                return await _register(form.get("hoSo"), form.getlist("tepDinhKem"))
        except StarletteHTTPException as exc:  # Starlette's parser refuses a broken or oversized form
            return fail(
                422,
                "validation_error",
                f"Biểu mẫu multipart không hợp lệ: {exc.detail}",
                _loc("body", exc.detail),
            )

    async def _register(data: Any, uploads: list[Any]) -> Response:
        if not isinstance(data, str):
            return fail(
                422, "validation_error", "Thiếu phần hoSo (JSON) trong biểu mẫu", _loc("hoSo", "bắt buộc")
            )
        try:
            fields = json.loads(data)
        except ValueError:
            return fail(422, "validation_error", "Phần hoSo không phải JSON", _loc("hoSo", "không phải JSON"))
        if not isinstance(fields, dict):
            return fail(
                422,
                "validation_error",
                "Phần hoSo phải là một đối tượng JSON",
                _loc("hoSo", "không phải đối tượng"),
            )
        papers = []
        for index, upload in enumerate(uploads):
            if not isinstance(upload, UploadFile):
                return fail(
                    422,
                    "validation_error",
                    "tepDinhKem phải là tệp",
                    _loc(f"tepDinhKem.{index}", "không phải tệp"),
                )
            content = await upload.read(MAX_FILE_BYTES + 1)
            name = upload.filename or f"tep-{index + 1}"
            if len(content) > MAX_FILE_BYTES:
                return fail(
                    413,
                    "payload_too_large",
                    f"Tệp {name} vượt quá dung lượng cho phép {MAX_FILE_BYTES // 1048576} MB",
                )
            kind = upload.content_type or ""
            magic = FILE_TYPES.get(kind)
            if magic is None or not content.startswith(magic):
                why = f"Tệp {name} không đúng định dạng cho phép (PDF, JPG, PNG)"
                return fail(415, "unsupported_media_type", why, _loc(f"tepDinhKem.{index}", why))
            papers.append(
                {
                    "tenTep": name,
                    "loaiTep": kind,
                    "kichThuoc": len(content),
                    "sha256": hashlib.sha256(content).hexdigest(),
                }
            )
        try:
            model = CapDienMoi.model_validate({**fields, "tepDinhKem": papers})
        except ValidationError as exc:
            detail = [{"loc": list(err["loc"]), "msg": err["msg"]} for err in exc.errors()]
            return fail(422, "validation_error", "dữ liệu hồ sơ không hợp lệ", detail)
        try:
            dossier, _ = ctx.dossiers.submit(
                service=SERVICE,
                lt_prefix="EVN",
                kind=KIND,
                kind_name="/cap-dien-moi",
                request=model,
                force_supplement=False,
            )
        except DossierConflictError:
            return fail(409, "conflict", f"Mã hồ sơ {model.maHoSo} đã được gửi với nội dung khác")
        except DossierDuplicateError as exc:
            return fail(409, "duplicate", str(exc))
        return ok("Tiếp nhận yêu cầu cấp điện thành công", dossier.receipt())

    @router.get("/lich-ngung-cap-dien")
    async def outage_schedule(
        ma_xa: str = Query(..., alias="maXa", pattern=r"^[0-9]{5}$"), ngay: IsoDate = Query(...)
    ) -> Response:
        if catalogues.ward(ma_xa) is None:
            return fail(
                404, "not_found", f"Không tìm thấy xã/phường mã {ma_xa} trong danh mục đơn vị hành chính"
            )
        if ngay > now_vn().date() + timedelta(days=SCHEDULE_DAYS_AHEAD):
            return ok(
                "Chưa có lịch ngừng cấp điện cho ngày này",
                {"maXa": ma_xa, "ngay": ngay.isoformat(), "items": []},
            )
        return ok("Thành công", {"maXa": ma_xa, "ngay": ngay.isoformat(), "items": outages(ma_xa, ngay)})

    @router.get("/khach-hang/{ma_khach_hang}/san-luong")
    async def consumption(
        ma_khach_hang: str,
        tu_thang: str = Query(..., alias="tuThang", pattern=r"^(19|20)[0-9]{2}-(0[1-9]|1[0-2])$"),
        den_thang: str = Query(..., alias="denThang", pattern=r"^(19|20)[0-9]{2}-(0[1-9]|1[0-2])$"),
    ) -> Response:
        first, last = _month(tu_thang), _month(den_thang)
        if last < first:
            return fail(422, "validation_error", "denThang trước tuThang", _loc("denThang", "trước tuThang"))
        if len(_months(first, last)) > MAX_MONTHS:
            why = f"Chỉ tra cứu tối đa {MAX_MONTHS} tháng một lần"
            return fail(422, "validation_error", why, _loc("denThang", why))
        customer = _customer(ctx, ma_khach_hang)
        if customer is None:
            return fail(404, "not_found", f"Không tìm thấy khách hàng mã {ma_khach_hang}")
        members, province, since = customer
        this_month = now_vn().date().replace(day=1)
        items = []
        for month in _months(max(first, since), min(last, this_month - timedelta(days=1))):
            kwh = monthly_kwh(ma_khach_hang, members, province, month)
            items.append({"thang": f"{month:%Y-%m}", "dienNangTieuThu": kwh, "tienDienChuaVat": tariff(kwh)})
        return ok("Thành công", {"maKhachHang": ma_khach_hang, "donVi": "kWh", "items": items})

    return router


def _customer(ctx: MockContext, code: str) -> tuple[int, str, date] | None:
    """(people using the meter, province, first month billed) of a customer code, None if unknown."""
    province = code[2:4]
    if len(code) != 13 or not province.isdigit() or code[:2] != corporation(province):
        return None
    if code[4] == "0":
        household = ctx.population.households.get(province + code[5:])
        return (len(household.members), province, BILLED_SINCE) if household else None
    for dossier in ctx.dossiers.of_service(SERVICE):
        if dossier.result is not None and dossier.result["maKhachHang"] == code:
            opened = date.fromisoformat(dossier.result["ngayDongDien"])
            return 1, province, (opened + timedelta(days=32)).replace(day=1)  # billed from the next month
    return None


def _loc(field: str, message: str) -> list[dict[str, Any]]:
    return [{"loc": field.split("."), "msg": message}]

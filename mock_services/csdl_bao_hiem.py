"""#3 National Insurance DB (BHXH/BHYT): its rules and answers, served by engine L."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime
from typing import TYPE_CHECKING, Any

from fastapi import APIRouter

from ndxp_sim.core import catalogues
from ndxp_sim.core.identifiers import bhxh_is_valid
from ndxp_sim.mock_services.bhxh_che_do import add_write_routes
from ndxp_sim.mock_services.clock import now_vn
from ndxp_sim.mock_services.context import MockContext
from ndxp_sim.mock_services.engines import Host, Lookup, Param, ParamError, serve
from ndxp_sim.mock_services.engines.params import CCCD, one_of, pattern, province
from ndxp_sim.mock_services.people import NAME, dmy, folded_name
from ndxp_sim.mock_services.population.insurance import EXPIRED, WITHDRAWN

if TYPE_CHECKING:
    from ndxp_sim.core.model import Citizen, HealthInsurance

SERVICE = "csdl_bao_hiem"
BIRTH_FORMATS = {"0": "%Y%m%d", "1": "%Y%m", "2": "%Y"}
SEXES = {"1": "Nam", "2": "Nữ"}  # 3: not known, not filtered
MAX_MATCHES = 20

# maKetQua of the BHXH card check (the meanings hospitals' software shows for each code).
RESULTS = {
    "000": "Thông tin thẻ chính xác",
    "010": "Thẻ hết giá trị sử dụng",
    "050": "Không thấy thông tin thẻ BHYT",
    "051": "Mã thẻ không đúng",
    "052": "Mã tỉnh cấp thẻ (ký tự thứ 4, 5 của mã thẻ) không đúng",
    "053": "Mã quyền lợi thẻ (ký tự thứ 3 của mã thẻ) không đúng",
    "060": "Thẻ sai họ tên",
    "061": "Thẻ sai họ tên (đúng ký tự đầu)",
    "070": "Thẻ sai ngày sinh",
    "120": "Thẻ đã báo giảm",
}
_CARD_FIELDS = (
    "hoTen",
    "ngaySinh",
    "gioiTinh",
    "diaChi",
    "maDKBD",
    "tenDKBD",
    "gtTheTu",
    "gtTheDen",
    "maKV",
    "ngayDu5Nam",
    "maSoBHXH",
)


def _bhxh(value: str) -> str:
    if not bhxh_is_valid(value):
        raise ValueError("không phải mã số BHXH hợp lệ (10 chữ số, 2 số đầu là mã tỉnh)")
    return value


def _ward(value: str) -> str:
    if catalogues.ward(value) is None:
        raise ValueError("không có trong danh mục xã, phường")
    return value


# getMaSoBhxhTheoTieuChi ---------------------------------------------------------------------------------


def _birth_matches(keys: Mapping[str, Any]) -> Any:
    """A test on a birth date for ngaySinh read as loaiNgaySinh says (full date, month, year)."""
    kind, raw = keys["loaiNgaySinh"], keys["ngaySinh"]
    try:
        wanted = datetime.strptime(raw, BIRTH_FORMATS[kind]).date()
    except ValueError:
        shape = {"0": "yyyymmdd", "1": "yyyymm", "2": "yyyy"}[kind]
        raise ParamError("ngaySinh", f"ngaySinh phải là ngày dạng {shape}", location="body") from None
    if kind == "0":
        return lambda day: day == wanted
    if kind == "1":
        return lambda day: (day.year, day.month) == (wanted.year, wanted.month)
    return lambda day: day.year == wanted.year


def _criteria(host: Host, keys: Mapping[str, Any]) -> list[Citizen] | None:
    born = _birth_matches(keys)
    if keys["maXaKs"] and keys["maTinhKs"] is None:
        raise ParamError("maXaKs", "maXaKs cần có maTinhKs", location="body")
    ward = catalogues.ward(keys["maXaKs"]) if keys["maXaKs"] else None
    if ward and ward.province_code != keys["maTinhKs"]:
        raise ParamError("maXaKs", "xã, phường không thuộc tỉnh maTinhKs", location="body")
    name, sex = folded_name(keys["hoTen"]), SEXES.get(keys["gioiTinh"])
    population = host.population
    if keys["soCccd"]:
        person = population.citizen(keys["soCccd"])
        candidates: Any = (person,) if person else ()
    else:
        candidates = population.citizens.values()
    found = []
    for person in candidates:
        registered = person.noi_dang_ky_khai_sinh
        if (
            person.ma_so_bhxh
            and born(person.ngay_sinh)
            and (sex is None or person.gioi_tinh == sex)
            and (keys["maTinhKs"] is None or registered.province_code == keys["maTinhKs"])
            and (keys["maXaKs"] is None or registered.ward_code == keys["maXaKs"])
            and folded_name(person.ho_va_ten) == name
        ):
            found.append(person)
            if len(found) == MAX_MATCHES:
                break
    return found or None


def _bhxh_answer(_: Host, found: list[Citizen]) -> dict[str, Any]:
    if len(found) == 1:
        return {"errorCode": "0", "trangThai": "Tìm thấy", "maSoBhxh": found[0].ma_so_bhxh, "soKetQua": 1}
    return {
        "errorCode": "2",
        "trangThai": "Có nhiều người phù hợp, cần bổ sung tiêu chí tìm kiếm",
        "maSoBhxh": None,
        "soKetQua": len(found),
    }


# getTraCuuTtHgdByMaSoBhxh -------------------------------------------------------------------------------


def _household(host: Host, keys: Mapping[str, Any]) -> tuple[Citizen, Any] | None:
    person = host.population.find_by_bhxh(keys["maSoBhxh"])
    if person is None:
        return None
    return person, host.population.household_of(person)


def _household_answer(host: Host, found: tuple[Citizen, Any]) -> dict[str, Any]:
    population = host.population
    _, household = found
    cover = population.household_insurance(household.id)
    paid = {member.so_dinh_danh: member for member in (cover.thanh_vien if cover else ())}
    head = population.citizen(household.chu_ho)
    members = []
    for member_id in household.members:
        member = population.citizen(member_id)
        if member is None or member.da_mat:
            continue
        card = population.health_insurance(member_id)
        enrolled = paid.get(member_id)
        members.append(
            {
                "maSoBhxh": member.ma_so_bhxh,
                "hoTen": member.ho_va_ten,
                "ngaySinh": dmy(member.ngay_sinh),
                "gioiTinh": member.gioi_tinh,
                "quanHeChuHo": member.quan_he_chu_ho,
                "maThe": card.ma_the if card else None,
                "gtTheTu": dmy(card.gt_the_tu) if card else None,
                "gtTheDen": dmy(card.gt_the_den) if card else None,
                "thamGiaTheoHgd": enrolled is not None,
                "thuTuThamGia": enrolled.thu_tu if enrolled else None,
                "soTienNam": enrolled.so_tien_nam if enrolled else None,
            }
        )
    address = household.address or (head.thuong_tru if head else None)
    return {
        "maHoGiaDinh": household.id,
        "hoTenChuHo": head.ho_va_ten if head else "",
        "diaChi": address.full() if address else "",
        "soThanhVien": len(members),
        "thanhVien": members,
    }


# kiemTraTheBhyt ------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class CardCheck:
    code: str
    ma_the: str
    record: HealthInsurance | None = None
    holder: Citizen | None = None


def _card_code(asked: str, record: HealthInsurance) -> str | None:
    """051/053/052 when a 15-character card differs from the current one in a box, else None."""
    if len(asked) != len(record.ma_the) or asked == record.ma_the:
        return None
    if asked[:2] != record.ma_the[:2]:
        return "051"
    if asked[2] != record.ma_the[2]:
        return "053"
    return "052" if asked[3:5] != record.ma_the[3:5] else "051"


def _birth_differs(asked: str, born: date) -> bool:
    return asked != (dmy(born) if len(asked) == len("dd/mm/yyyy") else str(born.year))


def check_card(host: Host, keys: Mapping[str, Any], today: date) -> CardCheck:
    """The card check's verdict, in the order the BHXH gateway reports problems."""
    asked = keys["maThe"]
    holder = host.population.find_by_bhxh(asked[-10:])
    record = host.population.health_insurance(holder.so_dinh_danh) if holder else None
    if holder is None or record is None:
        return CardCheck("050", asked)
    code = _card_code(asked, record)
    if code is None and folded_name(keys["hoTen"]) != folded_name(holder.ho_va_ten):
        same_initial = folded_name(keys["hoTen"])[:1] == folded_name(holder.ho_va_ten)[:1]
        code = "061" if same_initial else "060"
    if code is None and _birth_differs(keys["ngaySinh"], holder.ngay_sinh):
        code = "070"
    if code is not None:
        return CardCheck(code, asked)
    if record.trang_thai == WITHDRAWN:
        return CardCheck("120", record.ma_the, record, holder)
    expired = record.trang_thai == EXPIRED or record.gt_the_den < today
    return CardCheck("010" if expired else "000", record.ma_the, record, holder)


def card_answer(check: CardCheck) -> dict[str, Any]:
    answer: dict[str, Any] = {"maKetQua": check.code, "ghiChu": RESULTS[check.code], "maThe": check.ma_the}
    answer |= dict.fromkeys(_CARD_FIELDS) | {"maTheMoi": None, "gtTheTuMoi": None, "gtTheDenMoi": None}
    record, holder = check.record, check.holder
    if record is None or holder is None:
        return answer
    return answer | {
        "hoTen": holder.ho_va_ten,
        "ngaySinh": dmy(holder.ngay_sinh),
        "gioiTinh": holder.gioi_tinh,
        "diaChi": holder.thuong_tru.full(),
        "maDKBD": record.ma_dkbd,
        "tenDKBD": record.ten_dkbd,
        "gtTheTu": dmy(record.gt_the_tu),
        "gtTheDen": dmy(record.gt_the_den),
        "maKV": "",  # K1/K2/K3 only for remote areas; no synthetic address is in one
        "ngayDu5Nam": dmy(record.ngay_du_5_nam),
        "maSoBHXH": record.ma_so_bhxh,
    }


CRITERIA = Lookup[list["Citizen"]](
    route="/ma-so-bhxh/tra-cuu",
    operation="getMaSoBhxhTheoTieuChi",
    method="POST",
    keys=(
        Param("hoTen", NAME),
        Param("ngaySinh", pattern(r"[0-9]{4}([0-9]{2}([0-9]{2})?)?", "yyyymmdd, yyyymm hoặc yyyy")),
        Param("loaiNgaySinh", one_of("0", "1", "2"), required=False, default="0"),
        Param("gioiTinh", one_of("1", "2", "3")),
        Param("maTinhKs", province, "invalid_province", required=False),
        Param("maXaKs", _ward, "invalid_ward", required=False),
        Param("soCccd", CCCD, "invalid_cccd", required=False),
    ),
    resolve=_criteria,
    answer=_bhxh_answer,
    not_found="không tìm thấy người tham gia phù hợp với tiêu chí",
    log_key="soCccd",
)

HOUSEHOLD = Lookup[tuple["Citizen", Any]](
    route="/ho-gia-dinh/{maSoBhxh}",
    operation="getTraCuuTtHgdByMaSoBhxh",
    keys=(Param("maSoBhxh", _bhxh, "invalid_ma_so_bhxh"),),
    resolve=_household,
    answer=_household_answer,
    not_found="không tìm thấy mã số BHXH {maSoBhxh}",
)

CARD = Lookup[CardCheck](
    route="/the-bhyt/kiem-tra",
    operation="kiemTraTheBhyt",
    method="POST",
    keys=(
        Param(
            "maThe",
            pattern(r"([A-Z]{2}[1-5][0-9]{2})?[0-9]{10}", "mã thẻ 15 ký tự hoặc mã số BHXH"),
            "invalid_ma_the",
        ),
        Param("hoTen", NAME),
        Param("ngaySinh", pattern(r"([0-9]{2}/[0-9]{2}/)?[0-9]{4}", "dd/mm/yyyy hoặc yyyy")),
        Param("hoTenCb", NAME),
        Param("cccdCb", CCCD, "invalid_cccd"),
    ),
    resolve=lambda host, keys: check_card(host, keys, now_vn().date()),
    answer=lambda _, check: card_answer(check),
    not_found="",  # every well-formed card gets a maKetQua, 050 when unknown
)


def create_router(ctx: MockContext) -> APIRouter:
    router = serve(ctx, SERVICE, CRITERIA, HOUSEHOLD, CARD)
    add_write_routes(router, ctx)  # the insurance steps of the chained procedures (bhxh_che_do.py)
    return router

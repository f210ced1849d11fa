"""#15 Transport management system: the province's road-transport dossiers, searched and read (S, L)."""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import date, timedelta
from typing import TYPE_CHECKING, Any

from fastapi import APIRouter

from ndxp_sim.core import identities as ids
from ndxp_sim.core.model import Citizen, DrivingLicence, Vehicle
from ndxp_sim.core.transport import STATUSES, Procedure, procedures
from ndxp_sim.mock_services.context import MockContext
from ndxp_sim.mock_services.engines import Filter, Host, Lookup, Param, Search, serve
from ndxp_sim.mock_services.engines.params import CCCD, text
from ndxp_sim.mock_services.population.dates import age_on

if TYPE_CHECKING:
    from ndxp_sim.mock_services.population import Population

SERVICE = "quan_ly_gtvt"
PROVINCE = "91"  # the simulated province (An Giang), as in core/identities.py
AGENCY = "000.00.27.H91"  # the department's dossier-code prefix; assumed
FIRST_DAY, SNAPSHOT = date(2024, 1, 1), date(2025, 6, 30)  # dossiers received in this window, as of the end
POLICE_LICENSING = date(2025, 3, 1)  # licences moved to the traffic police: no licence dossier after this
MERGER = date(2025, 3, 1)  # the transport department became part of the construction department
SHARE = 2  # one adult resident in SHARE files a dossier in the window
CLOSE_AFTER_DAYS = 30  # a dossier older than this at the snapshot is closed
CHANNELS = ("Trực tuyến", "Trực tiếp", "Dịch vụ bưu chính")
CARS = ("Ô tô con", "Ô tô tải")


@dataclass(frozen=True, slots=True)
class Dossier:
    ma_ho_so: str
    procedure: Procedure
    applicant: Citizen
    received: date
    status: str
    channel: str
    vehicle: Vehicle | None
    licence: DrivingLicence | None

    @property
    def due(self) -> date:
        return add_working_days(self.received, self.procedure.days)

    @property
    def closed(self) -> date | None:
        if self.status in ("3", "10"):
            return min(self.due, SNAPSHOT) if self.status == "10" else self.received + timedelta(days=1)
        return None


def add_working_days(day: date, days: int) -> date:
    while days:
        day += timedelta(days=1)
        days -= day.weekday() < 5
    return day


def _draw(text: str) -> int:
    return int.from_bytes(hashlib.sha256(text.encode()).digest()[:8], "big")


def _weekday(day: date) -> date:
    return day + timedelta(days=(7 - day.weekday()) % 7 if day.weekday() >= 5 else 0)


def _status(received: date, due: date, draw: int) -> str:
    if (SNAPSHOT - received).days > CLOSE_AFTER_DAYS:
        return "3" if draw % 17 == 0 else "10"
    if due > SNAPSHOT:
        return "2" if received >= SNAPSHOT - timedelta(days=1) else "5" if draw % 7 == 0 else "4"
    return "9" if draw % 3 == 0 else "10"


def _subject(
    population: Population, person: Citizen, draw: int
) -> tuple[str, Vehicle | None, DrivingLicence | None]:
    """The procedure a resident files and what it concerns, from what the population says they hold."""
    cars = [v for v in population.vehicles_of(person.so_dinh_danh) if v.loai_xe in CARS]
    licences = population.licences_of(person.so_dinh_danh)
    if licences and draw % 3 == 0:
        return ("GT01" if draw % 2 else "GT02"), None, licences[draw % len(licences)]
    if cars:
        car = cars[draw % len(cars)]
        code = "GT04" if car.loai_xe == "Ô tô tải" and draw % 2 else "GT05" if draw % 5 == 0 else "GT03"
        return code, car, None
    return ("GT06" if draw % 2 else "GT07"), None, None


def _generated(population: Population) -> list[Dossier]:
    found = []
    span = (SNAPSHOT - FIRST_DAY).days
    for person in sorted(population.citizens.values(), key=lambda c: c.so_dinh_danh):
        draw = _draw(f"{population.seed}:{SERVICE}:{person.so_dinh_danh}")
        if (
            draw % SHARE
            or person.da_mat
            or person.thuong_tru.province_code != PROVINCE
            or age_on(person.ngay_sinh, FIRST_DAY) < 18
            or person.so_dinh_danh in FIXED_APPLICANTS
        ):
            continue
        code, vehicle, licence = _subject(population, person, draw >> 8)
        window = (POLICE_LICENSING - FIRST_DAY).days if licence else span
        received = _weekday(FIRST_DAY + timedelta(days=(draw >> 16) % window))
        if (vehicle and vehicle.ngay_dang_ky > received) or (licence and licence.ngay_cap > received):
            code, vehicle, licence = ("GT06" if draw % 2 else "GT07"), None, None
        received = min(received, SNAPSHOT)
        procedure = procedures()[code]
        status = _status(received, add_working_days(received, procedure.days), draw >> 24)
        channel = CHANNELS[(draw >> 32) % len(CHANNELS)]
        found.append(Dossier("", procedure, person, received, status, channel, vehicle, licence))
    found.sort(key=lambda d: (d.received, d.applicant.so_dinh_danh))
    numbered, per_day = [], 0
    for position, dossier in enumerate(found):
        per_day = per_day + 1 if position and found[position - 1].received == dossier.received else 1
        numbered.append(replace(dossier, ma_ho_so=f"{AGENCY}-{dossier.received:%y%m%d}-{per_day:04d}"))
    return numbered


FIXED_APPLICANTS = frozenset({ids.CITIZEN_EXISTS, ids.COUPLE_HUSBAND})


def _fixed(population: Population) -> list[Dossier]:
    """Dossiers of the test identities (numbered from 9001 so no generated one takes their codes)."""
    an = population.citizen(ids.CITIZEN_EXISTS)
    cuong = population.citizen(ids.COUPLE_HUSBAND)
    if an is None or cuong is None:
        return []
    gt = procedures()
    car, licence = population.vehicle(ids.PLATE_CAR), population.licence(ids.LICENCE_CAR)
    return [
        Dossier(
            _fixed_code(2024, 11, 4), gt["GT01"], an, date(2024, 11, 4), "10", "Trực tuyến", None, licence
        ),
        Dossier(_fixed_code(2025, 6, 27), gt["GT03"], an, date(2025, 6, 27), "4", "Trực tuyến", car, None),
        Dossier(_fixed_code(2025, 5, 12), gt["GT06"], cuong, date(2025, 5, 12), "3", "Trực tiếp", None, None),
    ]


def _fixed_code(year: int, month: int, day: int) -> str:
    return f"{AGENCY}-{date(year, month, day):%y%m%d}-9001"


_held: tuple[Population, tuple[Dossier, ...], dict[str, Dossier], dict[str, list[Dossier]]] | None = None


def dossiers(
    population: Population,
) -> tuple[tuple[Dossier, ...], dict[str, Dossier], dict[str, list[Dossier]]]:
    """The dossiers of this population (built once per population: a reset loads a new one)."""
    global _held
    if _held is None or _held[0] is not population:
        every = tuple(_fixed(population) + _generated(population))
        by_applicant: dict[str, list[Dossier]] = {}
        for dossier in every:
            by_applicant.setdefault(dossier.applicant.so_dinh_danh, []).append(dossier)
        _held = (population, every, {d.ma_ho_so: d for d in every}, by_applicant)
    return _held[1:]


def _department(day: date) -> str:
    name = "Sở Giao thông vận tải" if day < MERGER else "Sở Xây dựng"
    return f"{name} tỉnh An Giang"


def summary(dossier: Dossier) -> dict[str, Any]:
    vehicle, licence, closed = dossier.vehicle, dossier.licence, dossier.closed
    return {
        "MaHoSo": dossier.ma_ho_so,
        "MaTTHC": dossier.procedure.code,
        "TenTTHC": dossier.procedure.name,
        "ChuHoSo": dossier.applicant.ho_va_ten,
        "SoDinhDanhChuHoSo": dossier.applicant.so_dinh_danh,
        "NgayTiepNhan": dossier.received.isoformat(),
        "NgayHenTra": dossier.due.isoformat(),
        "NgayKetThucXuLy": closed.isoformat() if closed else None,
        "TrangThaiHoSo": dossier.status,
        "TenTrangThaiHoSo": STATUSES[dossier.status],
        "DonViXuLy": _department(dossier.received),
        "KenhNop": dossier.channel,
        "LePhi": dossier.procedure.fee,
        "PhuongTien": None
        if vehicle is None
        else {
            "BienSo": vehicle.bien_so,
            "LoaiXe": vehicle.loai_xe,
            "NhanHieu": vehicle.nhan_hieu,
            "SoLoai": vehicle.so_loai,
            "NamSanXuat": vehicle.nam_san_xuat,
        },
        "GiayPhepLaiXe": None
        if licence is None
        else {
            "SoGPLX": licence.so_gplx,
            "HangGPLX": licence.hang,
            "NgayCap": licence.ngay_cap.isoformat(),
            "NgayHetHan": licence.ngay_het_han.isoformat() if licence.ngay_het_han else None,
        },
    }


def history(dossier: Dossier) -> list[dict[str, Any]]:
    """The processing steps up to the status, in order (QuaTrinhXuLy)."""
    steps = [(dossier.received, "2", "Tiếp nhận hồ sơ")]
    if dossier.status != "2":
        steps.append((dossier.received + timedelta(days=1), "4", "Chuyển phòng chuyên môn xử lý"))
    if dossier.status == "5":
        steps.append((dossier.received + timedelta(days=2), "5", "Yêu cầu bổ sung giấy tờ"))
    if dossier.status == "3":
        steps.append(
            (dossier.received + timedelta(days=1), "3", "Hồ sơ không đủ điều kiện, từ chối giải quyết")
        )
    if dossier.status in ("9", "10"):
        steps.append((dossier.due, "9", "Có kết quả, chờ trả"))
    if dossier.status == "10":
        steps.append((min(dossier.due, SNAPSHOT), "10", "Đã trả kết quả cho người nộp"))
    return [
        {"ThoiDiemXuLy": day.isoformat(), "TrangThaiHoSo": code, "NoiDungXuLy": what}
        for day, code, what in steps
    ]


def _all(host: Host) -> Sequence[Dossier]:
    return dossiers(host.population)[0]


SEARCH = Search[Dossier](
    route="/ho-so",
    operation="timKiemHoSo",
    records=_all,
    item=lambda _, dossier: summary(dossier),
    order={"NgayTiepNhan": lambda d: d.received, "MaHoSo": lambda d: d.ma_ho_so},
    identity=lambda d: d.ma_ho_so,
    filters=(
        Filter("trangThai", lambda d: d.status, "enum", choices=tuple(STATUSES), error="invalid_trang_thai"),
        Filter(
            "maTTHC", lambda d: d.procedure.code, "enum", choices=tuple(procedures()), error="invalid_ma_tthc"
        ),
        Filter("tuNgay", lambda d: d.received, "date_range", end="denNgay", error="invalid_date"),
        Filter(
            "soDinhDanh",
            lambda d: d.applicant.so_dinh_danh,
            parse=CCCD,
            error="invalid_so_dinh_danh",
            index=lambda host, number: dossiers(host.population)[2].get(number, ()),
        ),
    ),
    default_order="-NgayTiepNhan",
)

DETAIL = Lookup[Dossier](
    route="/ho-so/{maHoSo}",
    operation="chiTietHoSo",
    keys=(Param("maHoSo", text(64)),),
    resolve=lambda host, keys: dossiers(host.population)[1].get(keys["maHoSo"]),
    answer=lambda _, dossier: summary(dossier) | {"QuaTrinhXuLy": history(dossier)},
    not_found="không có hồ sơ {maHoSo}",
    log_key="maHoSo",
)


def create_router(ctx: MockContext) -> APIRouter:
    return serve(ctx, SERVICE, SEARCH, DETAIL)

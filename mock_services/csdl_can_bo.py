"""#5 National Civil-Servant DB (CBCCVC): provinces push staff (engine P); search (S) and look up (L)."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import date
from typing import TYPE_CHECKING, Any, Literal

from fastapi import APIRouter
from pydantic import BaseModel, ConfigDict, Field

from ndxp_sim.core.identifiers import agency_code_is_valid, rank_code_is_valid
from ndxp_sim.mock_services.clock import now_vn
from ndxp_sim.mock_services.context import MockContext
from ndxp_sim.mock_services.engines import Filter, Host, Lookup, Param, Push, Search, serve
from ndxp_sim.mock_services.engines.params import CCCD, identifier
from ndxp_sim.mock_services.people import NAME, folded_name
from ndxp_sim.mock_services.population.civil_service import AGENCIES, RANKS, agency_name, coefficient
from ndxp_sim.mock_services.population.dates import add_years

if TYPE_CHECKING:
    from ndxp_sim.core.model import Citizen, CivilServant

SERVICE = "csdl_can_bo"
HIRING_AGE = 18
View = dict[str, Any]  # one servant as the backend answers it


class HoSoCanBo(BaseModel):
    """One pushed staff record; the backend derives the agency's and the rank's names."""

    model_config = ConfigDict(extra="forbid")
    soDinhDanh: str = Field(..., pattern=r"^[0-9]{12}$")
    hoTen: str = Field(..., min_length=1, max_length=100)
    ngaySinh: date
    gioiTinh: Literal["Nam", "Nữ"]
    maCoQuan: str = Field(..., pattern=r"^000\.00\.[0-9]{2}\.H[0-9]{2}$")
    chucVu: str = Field(..., min_length=1, max_length=100)
    maNgach: str = Field(..., pattern=r"^[0-9]{2}\.[0-9]{3}$")
    bacLuong: int = Field(..., ge=1, le=12)
    heSoLuong: float = Field(..., gt=0, le=10)
    ngayTuyenDung: date


def _agency_known(code: str) -> bool:
    return agency_code_is_valid(code) and code.split(".")[2] in dict(AGENCIES)


def _person_rules(person: Citizen | None, record: HoSoCanBo) -> list[tuple[str, str]]:
    """Every servant is a citizen: a living person of the population DB, with the data it holds."""
    if person is None:
        return [("soDinhDanh", "không có trong Cơ sở dữ liệu quốc gia về dân cư")]
    if person.da_mat:
        return [("soDinhDanh", "công dân đã chết")]
    broken = []
    if folded_name(record.hoTen) != folded_name(person.ho_va_ten):
        broken.append(("hoTen", "không khớp với Cơ sở dữ liệu quốc gia về dân cư"))
    if record.ngaySinh != person.ngay_sinh:
        broken.append(("ngaySinh", "không khớp với Cơ sở dữ liệu quốc gia về dân cư"))
    if record.gioiTinh != person.gioi_tinh:
        broken.append(("gioiTinh", "không khớp với Cơ sở dữ liệu quốc gia về dân cư"))
    if record.ngayTuyenDung < add_years(person.ngay_sinh, HIRING_AGE):
        broken.append(("ngayTuyenDung", f"trước khi đủ {HIRING_AGE} tuổi"))
    return broken


def staff_rules(host: Host, record: HoSoCanBo) -> Sequence[tuple[str, str]]:
    broken = _person_rules(host.population.citizen(record.soDinhDanh), record)
    if not _agency_known(record.maCoQuan):
        broken.append(("maCoQuan", "không phải mã cơ quan cấp tỉnh có trong danh mục"))
    rank = RANKS.get(record.maNgach)
    if rank is None:
        broken.append(("maNgach", "không có trong danh mục ngạch"))
    elif record.bacLuong > rank.grades:
        broken.append(("bacLuong", f"ngạch {rank.code} có {rank.grades} bậc"))
    elif abs(record.heSoLuong - coefficient(rank, record.bacLuong)) > 0.005:
        expected = coefficient(rank, record.bacLuong)
        broken.append(("heSoLuong", f"ngạch {rank.code} bậc {record.bacLuong} có hệ số {expected}"))
    if record.ngayTuyenDung > now_vn().date():
        broken.append(("ngayTuyenDung", "ở tương lai"))
    return broken


PUSH = Push[HoSoCanBo](
    route="/can-bo/cap-nhat",
    operation="capNhatCanBo",
    model=HoSoCanBo,
    key="soDinhDanh",
    rules=staff_rules,
    records_field="danhSach",
    max_batch=100,
)


# The servants as the backend answers: national data, each replaced by what a province pushed last. ----


def _pushed(host: Host) -> dict[str, Any]:
    return dict(host.engines.store(PUSH.store_name(SERVICE)))


def _national(person: Citizen, servant: CivilServant) -> View:
    return {
        "soDinhDanh": person.so_dinh_danh,
        "hoTen": person.ho_va_ten,
        "ngaySinh": person.ngay_sinh.isoformat(),
        "gioiTinh": person.gioi_tinh,
        "maCoQuan": servant.ma_co_quan,
        "tenCoQuan": servant.ten_co_quan,
        "chucVu": servant.chuc_vu,
        "maNgach": servant.ma_ngach,
        "tenNgach": servant.ten_ngach,
        "bacLuong": servant.bac_luong,
        "heSoLuong": servant.he_so_luong,
        "ngayTuyenDung": servant.ngay_tuyen_dung.isoformat(),
        "nguon": "CSDL",
        "phienBan": None,
        "capNhatLuc": None,
    }


def _from_push(held: dict[str, Any]) -> View:
    data: View = held["duLieu"]
    code = data["maCoQuan"]
    return data | {
        "tenCoQuan": agency_name(code[-2:], code.split(".")[2]),
        "tenNgach": RANKS[data["maNgach"]].name,
        "nguon": "CAP_NHAT",
        "phienBan": held["phienBan"],
        "capNhatLuc": held["capNhatLuc"],
    }


def servant_view(host: Host, so_dinh_danh: str, pushed: dict[str, Any] | None = None) -> View | None:
    held = (pushed if pushed is not None else _pushed(host)).get(so_dinh_danh)
    if held is not None:
        return _from_push(held)
    person = host.population.citizen(so_dinh_danh)
    servant = host.population.civil_servant(so_dinh_danh)
    return _national(person, servant) if person and servant else None


def _views(host: Host, ids: Iterable[str]) -> list[View]:
    pushed = _pushed(host)
    return [
        view
        for person_id in dict.fromkeys([*ids, *pushed])
        if (view := servant_view(host, person_id, pushed))
    ]


def _all_servants(host: Host) -> list[View]:
    agencies = host.population.servant_registry.servants_by_agency.values()
    return _views(host, (person_id for ids in agencies for person_id in ids))


def _of_agency(host: Host, code: str) -> list[View]:
    return _views(host, host.population.servant_registry.servants_by_agency.get(code, ()))


def _agency(value: str) -> str:
    if not _agency_known(value):
        raise ValueError("không phải mã cơ quan cấp tỉnh có trong danh mục")
    return value


LOOKUP = Lookup[View](
    route="/can-bo/{soDinhDanh}",
    operation="traCuuCanBo",
    keys=(Param("soDinhDanh", CCCD, "invalid_so_dinh_danh"),),
    resolve=lambda host, keys: servant_view(host, keys["soDinhDanh"]),
    answer=lambda _, view: view,
    not_found="không tìm thấy cán bộ, công chức {soDinhDanh}",
)

SEARCH = Search[View](
    route="/can-bo",
    operation="danhSachCanBo",
    records=_all_servants,
    item=lambda _, view: view,
    order={
        "hoTen": lambda view: folded_name(view["hoTen"]),
        "ngayTuyenDung": lambda view: view["ngayTuyenDung"],
        "soDinhDanh": lambda view: view["soDinhDanh"],
    },
    identity=lambda view: view["soDinhDanh"],
    filters=(
        Filter(
            "maCoQuan",
            lambda view: view["maCoQuan"],
            parse=_agency,
            error="invalid_ma_co_quan",
            index=_of_agency,
        ),
        Filter(
            "maNgach",
            lambda view: view["maNgach"],
            parse=identifier(rank_code_is_valid, "mã ngạch"),
            error="invalid_ma_ngach",
        ),
        Filter("hoTen", lambda view: view["hoTen"], match="prefix", parse=NAME),
    ),
)


def create_router(ctx: MockContext) -> APIRouter:
    return serve(ctx, SERVICE, PUSH, LOOKUP, SEARCH)

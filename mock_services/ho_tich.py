"""#11 Civil status (hộ tịch, BTP liên thông): birth and death registration dossiers, alone or chained."""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from datetime import date
from typing import TYPE_CHECKING, Any, Literal

from fastapi import APIRouter
from pydantic import BaseModel, Field, field_validator

from ndxp_sim.core import catalogues
from ndxp_sim.core.model import Address
from ndxp_sim.mock_services import civil_status_checks as checks
from ndxp_sim.mock_services import ho_tich_lien_thong as lien_thong
from ndxp_sim.mock_services.clock import now_vn
from ndxp_sim.mock_services.context import MockContext
from ndxp_sim.mock_services.dossier import DONE, OK, PROCESSING, RECEIVED, DossierKind, DuplicateRule, Review
from ndxp_sim.mock_services.dossier_api import BtpDossier, FormFields, create_dossier_router
from ndxp_sim.mock_services.dossier_checks import RefusedError, citizen
from ndxp_sim.mock_services.khai_tu import KHAI_TU
from ndxp_sim.mock_services.people import folded_name

if TYPE_CHECKING:
    from ndxp_sim.core.model import Citizen
    from ndxp_sim.mock_services.population import Population

SERVICE = "ho_tich"
PAGES_PER_BOOK = 200  # quyển sổ hộ tịch: a new book every 200 registrations
SEX = {"1": "Nam", "2": "Nữ", "Nam": "Nam", "Nữ": "Nữ"}
_DDCN = r"^[0-9]{12}$"


class NoiSinh(FormFields):
    maTinh: str = Field(..., pattern=r"^[0-9]{2}$")
    maXa: str = Field(..., pattern=r"^[0-9]{5}$")
    maHuyen: str | None = None
    dcChiTiet: str = ""


class HoTichKhaiSinh(FormFields):
    maGCS: str | None = None
    ngayCapGCS: str | None = None
    nksHoTen: str = Field(..., min_length=3, max_length=100)
    nksGioiTinh: Literal["Nam", "Nữ", "1", "2"]
    nksNgaySinh: date
    nksNoiSinh: NoiSinh
    nksDanToc: str = Field(..., pattern=r"^[0-9]{2}$")
    nksQuocTich: str = Field(..., min_length=2, max_length=3)
    meHoTen: str = Field(..., min_length=1)
    meSoDDCN: str = Field(..., pattern=_DDCN)
    chaHoTen: str | None = None
    chaSoDDCN: str | None = Field(None, pattern=_DDCN)
    nycHoTen: str = Field(..., min_length=1)
    nycQuanHe: str = Field(..., min_length=1)

    @field_validator("nksHoTen")
    @classmethod
    def _family_and_given_name(cls, value: str) -> str:
        if len(value.split()) < 2:
            raise ValueError("nksHoTen needs at least a family name and a given name")
        return " ".join(value.split())


class KhaiSinhRequest(BtpDossier):
    maTTHC: str = Field(..., min_length=1)
    hoTich: HoTichKhaiSinh


def review_birth(request: BaseModel, population: Population) -> Review:
    """What the official checks: the parents in the register (names matching their numbers, a living woman
    of child-bearing age as mother, a man as father), the ethnic group, the birthplace on the post-2025
    map, the birth date, no earlier registration of the child; then the hospital certificate."""
    assert isinstance(request, KhaiSinhRequest)
    birth = request.hoTich
    checks.check_not_after(birth.nksNgaySinh, now_vn().date(), "Ngày sinh của trẻ")
    mother = citizen(population, birth.meSoDDCN, birth.meHoTen, "người mẹ", alive=False)
    checks.check_parent(mother, "người mẹ", "Nữ", checks.MOTHER_AGE, birth.nksNgaySinh)
    if birth.chaSoDDCN:
        father = citizen(population, birth.chaSoDDCN, birth.chaHoTen or "", "người cha", alive=False)
        checks.check_parent(father, "người cha", "Nam", checks.FATHER_AGE, birth.nksNgaySinh)
    checks.check_ethnic_group(birth.nksDanToc, "nksDanToc")
    checks.check_place(birth.nksNoiSinh.maTinh, birth.nksNoiSinh.maXa, "Nơi sinh")
    already = registered_child(population, mother, birth.nksHoTen, birth.nksNgaySinh)
    if already is not None:
        raise RefusedError(
            f"Trẻ đã được đăng ký khai sinh (số định danh {already.so_dinh_danh}): cùng người mẹ, "
            "họ tên và ngày sinh"
        )
    if not birth.maGCS:
        return Review("supplement", "Đề nghị bổ sung Giấy chứng sinh (maGCS)")
    return OK


def registered_child(population: Population, mother: Citizen, name: str, born: date) -> Citizen | None:
    """The mother's child of that name and birth date already in the register: births join her household,
    and a child registered elsewhere since is among the residence registrations."""
    wanted = folded_name(name)
    for member_id in [*population.household_of(mother).members, *population.residence_registered]:
        child = population.citizen(member_id)
        if (
            child is not None
            and child.me == mother.so_dinh_danh
            and child.ngay_sinh == born
            and folded_name(child.ho_va_ten) == wanted
        ):
            return child
    return None


def same_birth(request: Mapping[str, Any]) -> tuple[str, ...]:
    """Two dossiers for one birth: the same mother, child's name and birth date."""
    birth = request["hoTich"]
    return birth["meSoDDCN"], folded_name(birth["nksHoTen"]), birth["nksNgaySinh"]


def register_birth(
    request: BaseModel, population: Population, sequence: int, *, insured: bool = True
) -> dict[str, Any]:
    """Register the child in the population and return ketQuaXuLy."""
    assert isinstance(request, KhaiSinhRequest)
    birth = request.hoTich
    words = birth.nksHoTen.split()
    ward = catalogues.ward(birth.nksNoiSinh.maXa)
    province = catalogues.province(birth.nksNoiSinh.maTinh)
    assert ward is not None and province is not None  # review_birth checked both
    child = population.register_birth(
        ho=words[0],
        chu_dem=" ".join(words[1:-1]),
        ten=words[-1],
        gioi_tinh=SEX[birth.nksGioiTinh],
        ngay_sinh=birth.nksNgaySinh,
        noi_sinh=Address(province.code, province.name, ward.code, ward.name, birth.nksNoiSinh.dcChiTiet),
        dan_toc=birth.nksDanToc,
        cha=birth.chaSoDDCN,
        me=birth.meSoDDCN,
        insured=insured,
    )
    today = now_vn().date()
    return {
        "soDinhDanh": child.so_dinh_danh,
        "ngayDangKy": today.isoformat(),
        "soDangKy": str(sequence),
        "quyenSo": f"{(sequence - 1) // PAGES_PER_BOOK + 1:02d}/{today.year}",
        "trangSo": str((sequence - 1) % PAGES_PER_BOOK + 1),
        "ndkksMaTinh": request.maTinh,
        "ndkksMaXa": ward.code,
        "giayKhaiSinh": "Bản chính giấy khai sinh điện tử",
        "maGiayToKetQua": f"KS-{request.maTinh}-{today.year}-{sequence:06d}",
    }


KHAI_SINH = DossierKind(
    model=KhaiSinhRequest,
    review=review_birth,
    build_result=register_birth,
    supplement_into="hoTich",
    labels={
        RECEIVED: "Tiếp nhận hồ sơ đăng ký khai sinh",
        PROCESSING: "Công chức tư pháp - hộ tịch đang xử lý hồ sơ",
        DONE: "Đã đăng ký khai sinh và cấp số định danh cá nhân",
    },
    handler="Công chức tư pháp - hộ tịch",
    duplicate=DuplicateRule(
        of=same_birth,
        refusal="Trẻ đã có hồ sơ đăng ký khai sinh khác đang giải quyết hoặc đã giải quyết",
        at="review",
    ),
)


class LienThongKhaiSinhRequest(KhaiSinhRequest):
    """A birth that starts the chained procedure (group 1): optionally where the child's residence goes."""

    thuongTru: lien_thong.ThuongTru | None = None


def register_birth_uninsured(request: BaseModel, population: Population, sequence: int) -> dict[str, Any]:
    """A chained birth: the child's insurance number comes with its card, the chain's last step."""
    return register_birth(request, population, sequence, insured=False)


KHAI_SINH_LIEN_THONG = dataclasses.replace(
    KHAI_SINH, model=LienThongKhaiSinhRequest, build_result=register_birth_uninsured
)


def create_router(ctx: MockContext) -> APIRouter:
    kinds = {
        "/khai-sinh": KHAI_SINH,
        "/khai-tu": KHAI_TU,
        lien_thong.BIRTH_PATH: KHAI_SINH_LIEN_THONG,
        lien_thong.DEATH_PATH: lien_thong.KHAI_TU_LIEN_THONG,
    }
    starters = lien_thong.chain_starters(ctx)
    router = create_dossier_router(ctx, service=SERVICE, lt_prefix="HT", kinds=kinds, after_submit=starters)
    router.include_router(lien_thong.create_chain_router(ctx))
    return router

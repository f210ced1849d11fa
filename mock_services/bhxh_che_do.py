"""#3 csdl_bao_hiem's two write operations, the insurance steps of the chained procedures (NĐ 63/2024).

`POST /the-bhyt/tre-em` issues the free BHYT card of a child under 6; `POST /che-do-tu-tuat` settles the
funeral allowance and survivor benefit of a deceased insured person. Both are idempotent by the person, so
a retried or resumed chain step gets the same answer, and both refuse what BHXH refuses with a 409 whose
message is the reason in Vietnamese.
"""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING, Any

from fastapi import APIRouter, Request
from fastapi.responses import Response
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from ndxp_sim.mock_services import responses
from ndxp_sim.mock_services.clock import now_vn
from ndxp_sim.mock_services.people import dmy, folded_name
from ndxp_sim.mock_services.population import work
from ndxp_sim.mock_services.population.dates import add_years, age_on

if TYPE_CHECKING:
    from ndxp_sim.core.model import Citizen, InsurancePeriod
    from ndxp_sim.mock_services.context import MockContext

# Luật BHXH 2024 (in force 1 July 2025): allowances are multiples of the reference level (mức tham chiếu),
# 2,340,000 VND from 1 July 2025 (the base salary it replaced).
MUC_THAM_CHIEU = 2_340_000
FUNERAL_MULTIPLE = 10  # art. 85: trợ cấp mai táng = 10 × mức tham chiếu
FUNERAL_MIN_MONTHS = 12  # contributions needed for the funeral allowance, unless drawing a pension
MONTHLY_SURVIVOR_MONTHS = 180  # 15 years: a monthly survivor pension becomes possible
LUMP_SUM_MONTHS_PER_YEAR = 2  # simplified lump sum: 2 months of the mean contribution base per year
LUMP_SUM_MIN_MONTHS = 3  # and never under 3 months of it
BENEFITS_STORE = "csdl_bao_hiem.che-do-tu-tuat"
ISSUED_STORE = "csdl_bao_hiem.so-bhxh-cap-moi"  # BHXH numbers given with a child's card, replayed on restore
_DDCN = r"^[0-9]{12}$"
_DMY = r"^[0-9]{2}/[0-9]{2}/[0-9]{4}$"


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class CapTheTreEm(_Strict):
    soDinhDanh: str = Field(..., pattern=_DDCN)
    hoTen: str = Field(..., min_length=1, max_length=100)
    ngaySinh: str = Field(..., pattern=_DMY)
    maHoSo: str = Field(..., min_length=1, max_length=64)


class NguoiNhan(_Strict):
    soDinhDanh: str = Field(..., pattern=_DDCN)
    hoTen: str = Field(..., min_length=1, max_length=100)
    quanHe: str = Field(..., min_length=1, max_length=50)


class CheDoTuTuat(_Strict):
    soDinhDanh: str = Field(..., pattern=_DDCN)
    hoTen: str = Field(..., min_length=1, max_length=100)
    ngayChet: str = Field(..., pattern=_DMY)
    maHoSo: str = Field(..., min_length=1, max_length=64)
    nguoiNhan: NguoiNhan


class RefusedError(Exception):
    def __init__(self, status: int, code: str, message: str) -> None:
        super().__init__(message)
        self.status, self.code, self.message = status, code, message


def _person(ctx: MockContext, so_dinh_danh: str, ho_ten: str) -> Citizen:
    person = ctx.population.citizen(so_dinh_danh)
    if person is None:
        raise RefusedError(404, "not_found", f"không tìm thấy công dân có số định danh {so_dinh_danh}")
    if folded_name(ho_ten) != folded_name(person.ho_va_ten):
        raise RefusedError(409, "mismatch", f"họ tên không khớp với số định danh {so_dinh_danh}")
    return person


def issue_child_card(ctx: MockContext, request: CapTheTreEm) -> dict[str, Any]:
    """The free card of a child under 6 (Luật BHYT art. 12, 16): valid from birth until the child is 72
    months old, or to 30 September of that year when the sixth birthday comes before school starts."""
    person = _person(ctx, request.soDinhDanh, request.hoTen)
    if dmy(person.ngay_sinh) != request.ngaySinh:
        raise RefusedError(409, "mismatch", f"ngày sinh không khớp với số định danh {request.soDinhDanh}")
    if person.da_mat:
        raise RefusedError(409, "deceased", "Trẻ đã chết, không cấp thẻ BHYT")
    today = now_vn().date()
    if add_years(person.ngay_sinh, 6) <= today:
        raise RefusedError(409, "not_eligible", "Trẻ đã đủ 6 tuổi, không thuộc đối tượng cấp thẻ BHYT trẻ em")
    person = ctx.population.issue_bhxh_number(person.so_dinh_danh)
    ctx.engines.put(ISSUED_STORE, person.so_dinh_danh, {"maSoBhxh": person.ma_so_bhxh})
    record = ctx.population.health_insurance(person.so_dinh_danh)
    assert record is not None and record.ma_doi_tuong == work.CHILD, record
    return {
        "maSoBhxh": record.ma_so_bhxh,
        "maThe": record.ma_the,
        "hoTen": person.ho_va_ten,
        "ngaySinh": dmy(person.ngay_sinh),
        "gtTheTu": dmy(record.gt_the_tu),
        "gtTheDen": dmy(record.gt_the_den),
        "maDKBD": record.ma_dkbd,
        "tenDKBD": record.ten_dkbd,
        "mucHuong": record.muc_huong,
        "trangThai": record.trang_thai,
    }


def settle_survivor_benefits(ctx: MockContext, request: CheDoTuTuat) -> dict[str, Any]:
    """Funeral allowance (10 × mức tham chiếu) and the survivor benefit decision for a deceased insured
    person; the deceased must already be dead in the population register (the death step comes first)."""
    settled = ctx.engines.store(BENEFITS_STORE).get(request.soDinhDanh)
    if settled is not None:
        return settled
    person = _person(ctx, request.soDinhDanh, request.hoTen)
    if not person.da_mat or person.ngay_mat is None:
        raise RefusedError(409, "not_deceased", "CSDLQG về dân cư chưa ghi nhận công dân đã chết")
    if dmy(person.ngay_mat) != request.ngayChet:
        raise RefusedError(409, "mismatch", "ngày chết không khớp với CSDLQG về dân cư")
    receiver = _person(ctx, request.nguoiNhan.soDinhDanh, request.nguoiNhan.hoTen)
    if receiver.da_mat or age_on(receiver.ngay_sinh, person.ngay_mat) < 18:
        raise RefusedError(409, "receiver", "Người nhận trợ cấp phải là thân nhân còn sống, đủ 18 tuổi")
    job = work.work_of(ctx.population, person)
    months = _months(job.periods, person.ngay_mat)
    pensioner = job.kind == work.RETIRED
    if months < FUNERAL_MIN_MONTHS and not pensioner:
        raise RefusedError(
            409,
            "not_eligible",
            f"Người chết có {months} tháng đóng BHXH, "
            f"chưa đủ {FUNERAL_MIN_MONTHS} tháng để hưởng trợ cấp mai táng",
        )
    monthly = pensioner or months >= MONTHLY_SURVIVOR_MONTHS
    decision = {
        "soDinhDanh": person.so_dinh_danh,
        "maSoBhxh": person.ma_so_bhxh,
        "ngayChet": dmy(person.ngay_mat),
        "soThangDongBhxh": months,
        "troCapMaiTang": FUNERAL_MULTIPLE * MUC_THAM_CHIEU,
        "loaiTroCapTuat": "Tuất hằng tháng" if monthly else "Tuất một lần",
        "troCapTuatMotLan": None if monthly else _lump_sum(job.periods, months),
        "nguoiNhan": request.nguoiNhan.model_dump(),
        "maHoSo": request.maHoSo,
        "ngayGiaiQuyet": dmy(now_vn().date()),
    }
    ctx.engines.put(BENEFITS_STORE, person.so_dinh_danh, decision)
    return decision


def _months(periods: tuple[InsurancePeriod, ...], until: date) -> int:
    total = 0
    for period in periods:
        end = min(period.den_ngay or until, until)
        if end > period.tu_ngay:
            total += (end.year - period.tu_ngay.year) * 12 + end.month - period.tu_ngay.month
    return total


def _lump_sum(periods: tuple[InsurancePeriod, ...], months: int) -> int:
    """A documented simplification of art. 90: 2 months of the mean contribution base per year paid
    (the law weighs years before and after 2014 differently), never under 3 months of it."""
    bases = [period.muc_luong for period in periods] or [MUC_THAM_CHIEU]
    mean = sum(bases) / len(bases)
    return round(mean * max(LUMP_SUM_MIN_MONTHS, LUMP_SUM_MONTHS_PER_YEAR * months / 12))


def replay_issued_numbers(ctx: MockContext) -> None:
    """After a restart: the children insured before it get their BHXH numbers back."""
    for so_dinh_danh, record in ctx.engines.store(ISSUED_STORE).items():
        if so_dinh_danh in ctx.population.citizens:
            ctx.population.issue_bhxh_number(so_dinh_danh, record["maSoBhxh"])


def add_write_routes(router: APIRouter, ctx: MockContext) -> None:
    ctx.restore_hooks.append(lambda: replay_issued_numbers(ctx))

    async def parse(request: Request, model: type[BaseModel]) -> BaseModel | Response:
        try:
            return model.model_validate_json(await request.body())
        except ValidationError as exc:
            detail = [{"loc": list(err["loc"]), "msg": err["msg"]} for err in exc.errors()]
            invalid = responses.rest_error(422, "validation_error", "invalid request", detail)
            return responses.to_response(invalid)

    async def run(request: Request, model: type[BaseModel], action: Any) -> Response:
        parsed = await parse(request, model)
        if isinstance(parsed, Response):
            return parsed
        try:
            return responses.json_response(action(ctx, parsed))
        except RefusedError as refusal:
            return responses.to_response(responses.rest_error(refusal.status, refusal.code, refusal.message))

    @router.post("/the-bhyt/tre-em")
    async def child_card(request: Request) -> Response:
        return await run(request, CapTheTreEm, issue_child_card)

    @router.post("/che-do-tu-tuat")
    async def survivor_benefits(request: Request) -> Response:
        return await run(request, CheDoTuTuat, settle_survivor_benefits)

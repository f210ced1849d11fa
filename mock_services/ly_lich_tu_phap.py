"""#10 Judicial record (lý lịch tư pháp, NGSP apiLyLichTuPhap): certificate requests as pattern-D dossiers."""

from __future__ import annotations

import base64
import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import date, datetime
from typing import TYPE_CHECKING, Any, Literal

from fastapi import APIRouter, Request
from fastapi.responses import Response
from pydantic import BaseModel, ConfigDict, Field, ValidationError, ValidationInfo, field_validator

from ndxp_sim.core import catalogues
from ndxp_sim.core.model import Citizen
from ndxp_sim.mock_services import responses
from ndxp_sim.mock_services.clock import now_vn
from ndxp_sim.mock_services.context import MockContext
from ndxp_sim.mock_services.dossier import (
    DONE,
    OK,
    PROCESSING,
    RECEIVED,
    REJECTED,
    Dossier,
    DossierConflictError,
    DossierKind,
    DuplicateRule,
    Review,
)
from ndxp_sim.mock_services.dossier_api import MA_HO_SO_PATTERN
from ndxp_sim.mock_services.dossier_checks import IN_POPULATION, REGISTRY
from ndxp_sim.mock_services.lltp_pdf import Certificate, render
from ndxp_sim.mock_services.people import folded_name
from ndxp_sim.mock_services.population.civil_service import agency_code

if TYPE_CHECKING:
    from ndxp_sim.mock_services.population import Population

SERVICE = "ly_lich_tu_phap"
DDMMYYYY = r"^[0-9]{2}/[0-9]{2}/[0-9]{4}$"
JUSTICE_DEPARTMENT = "03"  # Sở Tư pháp: the unit (idMinistryJustice) that issues the certificate
DECLARE_AUTHORISED = 3845  # declareTypeId: ủy quyền (3846 cá nhân, 3847 cơ quan tổ chức, 3844 tố tụng)
ID_TYPES = {0: "Hộ chiếu", 1: "Chứng minh nhân dân", 2: "Thẻ thường trú", 3: "Căn cước công dân"}
# DEC_STATUS_ID of the NGSP guide: 3 STP đã tiếp nhận, 4 Đang xử lý, 5 Đã có phiếu. The guide lists no
# code for a refusal; 6 is the simulator's, with the reason in REASON (see the backend contract).
DEC_STATUS = {
    RECEIVED: ("3", "STP đã tiếp nhận"),
    PROCESSING: ("4", "Đang xử lý"),
    "supplement_requested": ("4", "Đang xử lý"),
    DONE: ("5", "Đã có phiếu"),
    REJECTED: ("6", "Từ chối cấp phiếu"),
}
# Directors who sign the certificates (synthetic names), one per province by its code.
SIGNERS = ("Trần Thị Mỹ Hạnh", "Nguyễn Văn Thành", "Lê Hoàng Phúc", "Phạm Thị Thu Trang", "Võ Minh Tuấn")


class _Form(BaseModel):
    # The real forms carry dozens of optional fields: keep what the mock does not read, refuse nothing.
    model_config = ConfigDict(extra="allow")


def _ddmmyyyy(value: str) -> str:
    datetime.strptime(value, "%d/%m/%Y")  # the pattern admits 31/02/2025; the calendar does not
    return value


class Declaration(_Form):
    """declarationWSForm: the applicant and what they ask for."""

    fullName: str = Field(..., min_length=3, max_length=100)
    genderId: Literal[0, 1]
    birthDateStr: str = Field(..., pattern=r"^([0-9]{2}/)?([0-9]{2}/)?[0-9]{4}$")
    nationalityId: str = Field(..., pattern=r"^[0-9]{3}$")
    ethnicId: str | None = Field(None, pattern=r"^[0-9]{2}$")
    residence: str = Field(..., min_length=1, max_length=300)
    reRegionId: str = Field(..., pattern=r"^[0-9]{5}$")
    idTypeId: Literal[0, 1, 2, 3]
    identifyNo: str = Field(..., pattern=r"^[A-Z0-9]{8,12}$")
    phone: str = Field(..., pattern=r"^0[0-9]{9}$")
    declareDate: str = Field(..., pattern=DDMMYYYY)
    declareTypeId: Literal[3844, 3845, 3846, 3847]
    requestQty: int = Field(..., ge=1, le=10)
    objectRequestId: Literal[71, 72, 73, 74]
    formType: Literal[1, 2]
    isBanPosition: Literal[0, 1] = 0
    purpose: str | None = None

    @field_validator("nationalityId")
    @classmethod
    def _known_country(cls, value: str) -> str:
        if value not in {country.numeric for country in catalogues.countries()}:
            raise ValueError(f"mã quốc tịch {value} không có trong danh mục quốc tịch")
        return value

    @field_validator("ethnicId")
    @classmethod
    def _known_ethnic_group(cls, value: str | None) -> str | None:
        if value is not None and value not in catalogues.ethnic_groups():
            raise ValueError(f"mã dân tộc {value} không có trong danh mục 54 dân tộc")
        return value

    @field_validator("reRegionId")
    @classmethod
    def _known_commune(cls, value: str) -> str:
        if catalogues.ward(value) is None:
            raise ValueError(f"mã đơn vị hành chính {value} không có trong danh mục xã, phường sau sắp xếp")
        return value

    @field_validator("declareDate")
    @classmethod
    def _calendar_day(cls, value: str) -> str:
        return _ddmmyyyy(value)


class Mandator(_Form):
    """mandatorWSForm: the person authorised to file for the applicant (only Phiếu số 1)."""

    fullName: str = Field(..., min_length=3, max_length=100)
    idTypeId: Literal[0, 1, 2, 3] | None = None
    identifyNo: str | None = Field(None, pattern=r"^[A-Z0-9]{8,12}$")
    mandatorRelation: str | None = None


class Residence(_Form):
    fromDateStr: str = Field(..., pattern=r"^([0-9]{2}/)?([0-9]{2}/)?[0-9]{4}$")
    toDateStr: str = Field(..., pattern=r"^([0-9]{2}/)?([0-9]{2}/)?[0-9]{4}$")
    residencePlace: str = Field(..., min_length=1)


class NhanHoSoDangKy(_Form):
    idMinistryJustice: str = Field(..., pattern=r"^000\.00\.03\.H[0-9]{2}$")
    idReceivedDec: str = Field(..., pattern=MA_HO_SO_PATTERN)
    dateReceivedDec: str = Field(..., pattern=DDMMYYYY)
    datePromissoryDec: str | None = Field(None, pattern=DDMMYYYY)
    idMoneyReceipt: str | None = None
    declarationWSForm: Declaration
    residenceWSForm: list[Residence] = Field(default_factory=list)
    mandatorWSForm: Mandator | None = Field(None, validate_default=True)

    @field_validator("idMinistryJustice")
    @classmethod
    def _known_unit(cls, value: str) -> str:
        if catalogues.province(value[-2:]) is None:
            raise ValueError(f"AGENCY_ID_INCORRECT - mã đơn vị {value} không chính xác")
        return value

    @field_validator("dateReceivedDec")
    @classmethod
    def _received_day(cls, value: str) -> str:
        return _ddmmyyyy(value)

    @field_validator("mandatorWSForm")
    @classmethod
    def _mandator_when_authorised(cls, value: Mandator | None, info: ValidationInfo) -> Mandator | None:
        declaration = info.data.get("declarationWSForm")
        if value is None and declaration is not None and declaration.declareTypeId == DECLARE_AUTHORISED:
            raise ValueError("tờ khai ủy quyền (declareTypeId 3845) phải có thông tin người được ủy quyền")
        return value


# Review ----------------------------------------------------------------------------------------------


def _same_birth(stated: str, born: date) -> bool:
    """birthDateStr is dd/mm/yyyy, mm/yyyy or yyyy: compare as precisely as it was written."""
    parts = stated.split("/")
    return parts == [f"{born.day:02d}", f"{born.month:02d}", str(born.year)][3 - len(parts) :]


def _applicant(declaration: Declaration, population: Population) -> Citizen | None:
    if declaration.idTypeId == 3:
        return population.citizen(declaration.identifyNo)
    if declaration.idTypeId == 1:
        return population.find_by_cmnd(declaration.identifyNo)
    return None


def review_request(request: BaseModel, population: Population) -> Review:
    """The Sở Tư pháp's checks against the population before the record is searched."""
    assert isinstance(request, NhanHoSoDangKy)
    form = request.declarationWSForm
    if form.objectRequestId != 72 or form.idTypeId not in (1, 3):
        return Review(
            "reject",
            "Hệ thống chỉ xác thực được công dân Việt Nam khai số Căn cước công dân hoặc Chứng minh nhân dân",
        )
    person = _applicant(form, population)
    if person is None:
        return Review(
            "reject",
            f"Không tìm thấy thông tin người yêu cầu cấp Phiếu (số giấy tờ {form.identifyNo}) "
            f"{IN_POPULATION}",
        )
    same_birth = _same_birth(form.birthDateStr, person.ngay_sinh)
    if folded_name(form.fullName) != folded_name(person.ho_va_ten) or not same_birth:
        return Review(
            "reject",
            f"Họ tên, ngày sinh trên tờ khai không khớp với thông tin của số giấy tờ {form.identifyNo} "
            f"{IN_POPULATION}",
        )
    if ("Nam" if form.genderId == 1 else "Nữ") != person.gioi_tinh:
        return Review("reject", f"Giới tính trên tờ khai không khớp với thông tin {IN_POPULATION}")
    if person.da_mat:
        return Review("reject", f"Người yêu cầu cấp Phiếu đã chết theo {REGISTRY}")
    if form.formType == 2 and form.declareTypeId == DECLARE_AUTHORISED:
        return Review(
            "reject", "Không được ủy quyền cho người khác làm thủ tục yêu cầu cấp Phiếu lý lịch tư pháp số 2"
        )
    return OK


def issue_certificate(request: BaseModel, population: Population, sequence: int) -> dict[str, Any]:
    """The certificate's register entry (ketQuaXuLy); its PDF is drawn from it when asked for."""
    assert isinstance(request, NhanHoSoDangKy)
    province = catalogues.province(request.idMinistryJustice[-2:])
    assert province is not None  # the model checked the unit
    today = _today()
    return {
        "soPhieuLLTP": f"{sequence:06d}/STP-LLTP",
        "ngayCapPhieu": today.strftime("%d/%m/%Y"),
        "coQuanCap": f"Sở Tư pháp {province.type.lower()} {province.short_name}",
        "nguoiKy": SIGNERS[int(province.code) % len(SIGNERS)],
        "loaiPhieu": request.declarationWSForm.formType,
        "noiDung": "Không có án tích",
    }


def _today() -> date:
    return now_vn().date()


def applicant_key(request: Mapping[str, Any]) -> tuple[str, ...]:
    """One pending or issued request per person and certificate type: more copies go by requestQtyAdd."""
    form = request["declarationWSForm"]
    return str(form["idTypeId"]), str(form["identifyNo"]), str(form["formType"])


KIND = DossierKind(
    model=NhanHoSoDangKy,
    review=review_request,
    build_result=issue_certificate,
    supplement_into="declarationWSForm",
    labels={
        RECEIVED: "Sở Tư pháp đã tiếp nhận hồ sơ từ hệ thống một cửa điện tử",
        PROCESSING: "Sở Tư pháp đang tra cứu, xác minh thông tin lý lịch tư pháp",
        DONE: "Đã cấp Phiếu lý lịch tư pháp",
    },
    handler="Phòng Hành chính tư pháp - Sở Tư pháp",
    code_field="idReceivedDec",
    received_field="dateReceivedDec",
    duplicate=DuplicateRule(
        of=applicant_key,
        refusal="Người yêu cầu đã có hồ sơ yêu cầu cấp Phiếu lý lịch tư pháp cùng loại đang giải quyết "
        "hoặc đã được cấp; đề nghị yêu cầu cấp thêm Phiếu (requestQtyAdd) thay vì nộp hồ sơ mới",
        at="review",
    ),
)


# The certificate as a document ---------------------------------------------------------------------------


def _relative(population: Population, so_dinh_danh: str | None) -> str:
    person = population.citizen(so_dinh_danh) if so_dinh_danh else None
    return person.ho_va_ten if person else ""


def certificate(dossier: Dossier, population: Population) -> Certificate:
    request = NhanHoSoDangKy.model_validate(dossier.request)
    result = dossier.result or {}
    form = request.declarationWSForm
    person = _applicant(form, population)
    assert person is not None  # a certificate exists only after the review found the applicant
    ethnic = catalogues.ethnic_groups().get(person.dan_toc, "")
    province = catalogues.province(request.idMinistryJustice[-2:])
    return Certificate(
        loai_phieu=int(result["loaiPhieu"]),
        so_phieu=result["soPhieuLLTP"],
        co_quan_cap=result["coQuanCap"],
        noi_cap=province.short_name if province else "",
        ngay_cap=datetime.strptime(result["ngayCapPhieu"], "%d/%m/%Y").date(),
        nguoi_ky=result["nguoiKy"],
        ho_ten=person.ho_va_ten,
        gioi_tinh=person.gioi_tinh,
        ngay_sinh=person.ngay_sinh.strftime("%d/%m/%Y"),
        noi_sinh=person.noi_dang_ky_khai_sinh.full(),
        quoc_tich="Việt Nam",
        dan_toc=ethnic,
        thuong_tru=person.thuong_tru.full(),
        giay_to=f"{ID_TYPES[form.idTypeId]} số {form.identifyNo}",
        ho_ten_cha=_relative(population, person.cha),
        ho_ten_me=_relative(population, person.me),
        ho_ten_vo_chong=_relative(population, person.vo_chong),
        an_tich=result["noiDung"],
        cam_dam_nhiem=(
            "Không bị cấm đảm nhiệm chức vụ, thành lập, quản lý doanh nghiệp, hợp tác xã"
            if form.isBanPosition == 1
            else None
        ),
    )


# The NGSP face ---------------------------------------------------------------------------------------


class StatusQuery(BaseModel):
    model_config = ConfigDict(extra="forbid")
    idReceivedDec: str = Field(..., pattern=MA_HO_SO_PATTERN)
    infoType: Literal["1", "2"]
    identifyNo: str | None = Field(None, validate_default=True)

    @field_validator("identifyNo")
    @classmethod
    def _needed_without_one_stop(cls, value: str | None, info: ValidationInfo) -> str | None:
        if value is None and info.data.get("infoType") == "1":
            raise ValueError("infoType 1 (hồ sơ không qua một cửa) tra cứu theo số phiếu hẹn và identifyNo")
        return value


class DossierQuery(BaseModel):
    model_config = ConfigDict(extra="forbid")
    infoType: Literal["1", "2"]
    receiveNo: str | None = Field(None, pattern=MA_HO_SO_PATTERN)


class CatalogueQuery(BaseModel):
    model_config = ConfigDict(extra="forbid")
    infoType: Literal["1", "2", "3", "4", "5"]


class MarkQuery(BaseModel):
    model_config = ConfigDict(extra="forbid")
    declarationId: str = Field(..., min_length=1, max_length=2000)
    infoType: Literal["1", "2", "3"]


class ListQuery(BaseModel):
    model_config = ConfigDict(extra="forbid")
    infoType: Literal["1", "2"]


@dataclass(slots=True)
class _Marks:
    """What the một cửa confirmed it took (danhDauHsThanhCong) of one dossier."""

    dossier: Dossier  # the very dossier: after a reset a new one with the same code starts unmarked
    declaration: bool = False
    status: str | None = None


def ok(**fields: Any) -> Response:
    return responses.json_response({"STATUS": 1, "DESCRIPTION": "Thành công", **fields})


def fail(http_status: int, code: str, description: str, detail: Any = None) -> Response:
    body: dict[str, Any] = {"STATUS": 0, "ERROR_CODE": code, "DESCRIPTION": description}
    body["message"] = description  # where the gateway reads a refusal's reason
    if detail is not None:
        body["detail"] = detail
    return responses.json_response(body, http_status)


def not_found(code: str) -> Response:
    why = f"Hồ sơ {code} không tồn tại, đề nghị xem lại số phiếu tiếp nhận."
    return fail(404, "201", f"RECORD_NOT_FOUND - {why}")


def _invalid(exc: ValidationError) -> Response:
    detail = [{"loc": list(err["loc"]), "msg": err["msg"]} for err in exc.errors()]
    first = detail[0]
    where = ".".join(str(part) for part in first["loc"])
    return fail(422, "500", f"DATA_INCORRECT - {where}: {first['msg']}", detail)


def status_fields(dossier: Dossier) -> dict[str, Any]:
    code, name = DEC_STATUS[dossier.status]
    issued = dossier.result["ngayCapPhieu"] if dossier.result else None
    fields: dict[str, Any] = {
        "DEC_STATUS_ID": code,
        "DEC_STATUS_NAME": name,
        "APPROVE_DATE": issued,
        "ISSUE_DATE": issued,
    }
    if dossier.status == REJECTED:
        fields["REASON"] = dossier.history[-1]["noiDungXuLy"]
    return fields


def _declaration_view(dossier: Dossier) -> dict[str, Any]:
    request = dossier.request
    code, name = DEC_STATUS[dossier.status]
    form = {
        **request["declarationWSForm"],
        "declarationId": dossier.ma_ho_so_lt,
        "receiveNo": dossier.ma_ho_so,
        "receiveDate": request["dateReceivedDec"],
        "appointmentDate": request.get("datePromissoryDec"),
        "issueDate": dossier.result["ngayCapPhieu"] if dossier.result else None,
        "decStatusId": code,
        "decStatusName": name,
    }
    return {
        "declarationTraHoSoForm": form,
        "residenceWSForm": request.get("residenceWSForm") or [],
        "mandatorWSForm": request.get("mandatorWSForm"),
    }


def _catalogue(info_type: str) -> list[dict[str, str]]:
    if info_type == "1":
        rows = [{"ID": p.code, "NAME": p.name, "PARENT_ID": ""} for p in catalogues.provinces()]
        wards = catalogues.wards()
        return rows + [{"ID": w.code, "NAME": w.name, "PARENT_ID": w.province_code} for w in wards]
    if info_type == "2":
        return [{"ID": c.numeric, "NAME": c.name_vi} for c in catalogues.countries()]
    if info_type == "3":
        return [{"ID": code, "NAME": name} for code, name in catalogues.ethnic_groups().items()]
    if info_type == "4":  # agencies that may ask for a Phiếu số 2 of a person (Luật LLTP, Điều 7)
        kinds = ("Công an", "Viện kiểm sát nhân dân", "Tòa án nhân dân")
        return [
            {"ID": f"{p.code}{n:02d}", "NAME": f"{kind} {p.type.lower()} {p.short_name}"}
            for p in catalogues.provinces()
            for n, kind in enumerate(kinds, start=1)
        ]
    return [
        {"ID": agency_code(p.code, JUSTICE_DEPARTMENT), "NAME": f"Sở Tư pháp {p.type.lower()} {p.short_name}"}
        for p in catalogues.provinces()
    ]


async def _body(request: Request) -> Any:
    try:
        return json.loads(await request.body())
    except ValueError:
        return None


def create_router(ctx: MockContext) -> APIRouter:
    """The six NGSP operations; each takes a JSON body by POST, as the guide has them."""
    router = APIRouter()
    ctx.dossiers.register_kind(SERVICE, "/nhanHoSoDangKy", KIND)
    marks: dict[str, _Marks] = {}

    def marks_of(dossier: Dossier) -> _Marks:
        entry = marks.get(dossier.ma_ho_so)
        if entry is None or entry.dossier is not dossier:
            entry = marks[dossier.ma_ho_so] = _Marks(dossier)
        return entry

    def route(path: str, model: type[BaseModel], handle: Callable[[Any], Response]) -> None:
        async def endpoint(request: Request) -> Response:
            body = await _body(request)
            if not isinstance(body, dict):
                return fail(422, "500", "DATA_INCORRECT - thân yêu cầu phải là một đối tượng JSON")
            try:
                query = model.model_validate(body)
            except ValidationError as exc:
                return _invalid(exc)
            return handle(query)

        router.add_api_route(path, endpoint, methods=["POST"], name=f"{SERVICE} {path}")

    def submit(query: NhanHoSoDangKy) -> Response:
        try:
            dossier, _ = ctx.dossiers.submit(
                service=SERVICE,
                lt_prefix="LLTP",
                kind=KIND,
                kind_name="/nhanHoSoDangKy",
                request=query,
                force_supplement=False,
            )
        except DossierConflictError:
            why = f"idReceivedDec: số phiếu tiếp nhận {query.idReceivedDec} đã được gửi với nội dung khác"
            return fail(409, "500", f"DATA_INCORRECT - {why}")
        return responses.json_response(
            {"STATUS": 1, "DESCRIPTION": "Tiếp nhận hồ sơ thành công", "ID": dossier.ma_ho_so_lt}
        )

    def find_by_id(declaration_id: str) -> Dossier | None:
        return next((d for d in ctx.dossiers.of_service(SERVICE) if d.ma_ho_so_lt == declaration_id), None)

    def status(query: StatusQuery) -> Response:
        if query.infoType == "2":
            dossier = ctx.dossiers.get(SERVICE, query.idReceivedDec)
        else:  # without the một cửa: the STP's appointment number (our ID) and the applicant's id number
            dossier = find_by_id(query.idReceivedDec)
            form = dossier.request["declarationWSForm"] if dossier else {}
            if form.get("identifyNo") != query.identifyNo:
                dossier = None
        if dossier is None:
            return not_found(query.idReceivedDec)
        return ok(**status_fields(dossier))

    def dossiers(query: DossierQuery) -> Response:
        if query.receiveNo is not None:
            dossier = ctx.dossiers.get(SERVICE, query.receiveNo)
            if dossier is None:
                return not_found(query.receiveNo)
            item = _declaration_view(dossier)
            if dossier.status == DONE and dossier.result is not None:
                pdf = render(certificate(dossier, ctx.population))
                item["ketQuaXuLy"] = {
                    **{k: dossier.result[k] for k in ("soPhieuLLTP", "ngayCapPhieu", "nguoiKy", "coQuanCap")},
                    "loaiPhieu": dossier.result["loaiPhieu"],
                    "tenTep": f"PhieuLLTP_so{dossier.result['loaiPhieu']}_{dossier.ma_ho_so}.pdf",
                    "phieuLLTP": base64.b64encode(pdf).decode("ascii"),
                }
            return ok(LISTCONTENT=[item])
        pending = [d for d in ctx.dossiers.of_service(SERVICE) if not marks_of(d).declaration]
        return ok(LISTCONTENT=[_declaration_view(d) for d in pending])

    def catalogue(query: CatalogueQuery) -> Response:
        return ok(LISTCONTENT=_catalogue(query.infoType))

    def mark(query: MarkQuery) -> Response:
        wanted = [part.strip() for part in query.declarationId.split(";") if part.strip()]
        found = {code: find_by_id(code) for code in wanted}
        unknown = [code for code, dossier in found.items() if dossier is None]
        if unknown or not wanted:
            return not_found(", ".join(unknown) or query.declarationId)  # nothing marked: all or none
        for dossier in found.values():
            assert dossier is not None
            entry = marks_of(dossier)
            if query.infoType == "2":
                entry.status = dossier.status
            else:
                entry.declaration = True
        return ok()

    def changes(query: ListQuery) -> Response:
        listed = []
        for dossier in ctx.dossiers.of_service(SERVICE):
            if marks_of(dossier).status == dossier.status:
                continue
            fields = status_fields(dossier)
            listed.append(
                {
                    "DECLARATION_ID": dossier.ma_ho_so_lt,
                    "DEC_STATUS_ID": fields["DEC_STATUS_ID"],
                    "DEC_STATUS_NAME": fields["DEC_STATUS_NAME"],
                    "APPROVE_DATE": fields["APPROVE_DATE"],
                    "ISSUE_DATE": fields["ISSUE_DATE"],
                    ("APPOINTMENT_NO" if query.infoType == "1" else "RECEIVE_NO"): (
                        dossier.ma_ho_so_lt if query.infoType == "1" else dossier.ma_ho_so
                    ),
                }
            )
        return ok(LISTCONTENT=listed)

    route("/nhanHoSoDangKy", NhanHoSoDangKy, submit)
    route("/LLTP-API-traTrangThaiHs", StatusQuery, status)
    route("/LLTP-API-traHoSo", DossierQuery, dossiers)
    route("/LLTP-API-traDanhMuc", CatalogueQuery, catalogue)
    route("/LLTP-API-danhDauHsThanhCong", MarkQuery, mark)
    route("/LLTP-API-traDsTrangThaiHs", ListQuery, changes)
    return router

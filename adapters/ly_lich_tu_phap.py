"""#10 Online judicial record (lý lịch tư pháp): certificate requests in the NGSP apiLyLichTuPhap shape."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, Generic, Literal, TypeVar

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, ValidationInfo, field_validator

from ndxp_sim.adapters._base import Operation, RestAdapter
from ndxp_sim.adapters.fields import Answer, CommuneCode, DossierCode, ShortText

DDMMYYYY = r"^[0-9]{2}/[0-9]{2}/[0-9]{4}$"
PARTIAL_DATE = r"^([0-9]{2}/)?([0-9]{2}/)?[0-9]{4}$"  # dd/mm/yyyy, mm/yyyy or yyyy, as the guide allows
DECLARE_AUTHORISED = 3845


def _calendar_day(value: str) -> str:
    datetime.strptime(value, "%d/%m/%Y")  # the pattern admits 31/02/2025; the calendar does not
    return value


Day = Annotated[
    str,
    Field(pattern=DDMMYYYY, description="dd/mm/yyyy", examples=["03/11/2025"]),
    AfterValidator(_calendar_day),
]
IdentityNumber = Annotated[str, Field(pattern=r"^[A-Z0-9]{8,12}$", description="CCCD, CMND or passport")]


class Declaration(BaseModel):
    """declarationWSForm: the applicant and the certificate asked for (codes from traDanhMuc)."""

    model_config = ConfigDict(extra="allow")  # the guide lists ~40 optional fields; they pass through
    fullName: ShortText
    genderId: Literal[0, 1] = Field(..., description="1 Nam, 0 Nữ")
    birthDateStr: str = Field(..., pattern=PARTIAL_DATE, description="dd/mm/yyyy, mm/yyyy or yyyy")
    birthPlace: str | None = None
    nationalityId: str = Field(..., pattern=r"^[0-9]{3}$", description="traDanhMuc 2; 704 Việt Nam")
    ethnicId: str | None = Field(None, pattern=r"^[0-9]{2}$", description="traDanhMuc 3; 01 Kinh")
    residence: ShortText
    reRegionId: CommuneCode = Field(..., description="commune of permanent residence (traDanhMuc 1)")
    idTypeId: Literal[0, 1, 2, 3] = Field(..., description="1 CMND, 0 hộ chiếu, 2 thẻ thường trú, 3 CCCD")
    identifyNo: IdentityNumber
    phone: str = Field(..., pattern=r"^0[0-9]{9}$")
    email: str | None = Field(None, max_length=100)
    declareDate: Day
    declareTypeId: Literal[3844, 3845, 3846, 3847] = Field(
        ..., description="3846 cá nhân, 3845 ủy quyền, 3847 cơ quan tổ chức, 3844 cơ quan tiến hành tố tụng"
    )
    requestQty: int = Field(..., ge=1, le=10)
    requestQtyAdd: int | None = Field(None, ge=0, le=10)
    objectRequestId: Literal[71, 72, 73, 74] = Field(
        ..., description="72 công dân Việt Nam, 71 người nước ngoài, 73 cơ quan tổ chức, 74 tố tụng"
    )
    formType: Literal[1, 2] = Field(..., description="Phiếu lý lịch tư pháp số 1 or số 2")
    isBanPosition: Literal[0, 1] = Field(0, description="1: also state any ban from holding positions")
    delivery: Literal[0, 1] | None = None
    purpose: str | None = Field(None, max_length=500)


class Mandator(BaseModel):
    """mandatorWSForm: who files for the applicant (declareTypeId 3845, Phiếu số 1 only)."""

    model_config = ConfigDict(extra="allow")
    fullName: ShortText
    idTypeId: Literal[0, 1, 2, 3] | None = None
    identifyNo: IdentityNumber | None = None
    mandatorRelation: str | None = None


class Residence(BaseModel):
    model_config = ConfigDict(extra="allow")
    fromDateStr: str = Field(..., pattern=PARTIAL_DATE)
    toDateStr: str = Field(..., pattern=PARTIAL_DATE)
    residencePlace: ShortText


class NhanHoSoDangKy(BaseModel):
    model_config = ConfigDict(extra="forbid")
    idMinistryJustice: str = Field(
        ..., pattern=r"^000\.00\.03\.H[0-9]{2}$", description="the Sở Tư pháp that decides (traDanhMuc 5)"
    )
    idReceivedDec: DossierCode = Field(..., description="the một cửa receipt number: the dossier's key")
    dateReceivedDec: Day
    datePromissoryDec: Day | None = None
    idMoneyReceipt: str | None = Field(None, max_length=50)
    declarationWSForm: Declaration
    residenceWSForm: list[Residence] = Field(default_factory=list, max_length=50)
    mandatorWSForm: Mandator | None = Field(None, validate_default=True)

    @field_validator("mandatorWSForm")
    @classmethod
    def _mandator_when_authorised(cls, value: Mandator | None, info: ValidationInfo) -> Mandator | None:
        declaration = info.data.get("declarationWSForm")
        if value is None and declaration is not None and declaration.declareTypeId == DECLARE_AUTHORISED:
            raise ValueError("required when declarationWSForm.declareTypeId is 3845 (ủy quyền)")
        return value


class TraTrangThaiHs(BaseModel):
    model_config = ConfigDict(extra="forbid")
    idReceivedDec: DossierCode = Field(..., description="infoType 2: the receipt number; 1: the ID")
    infoType: Literal["1", "2"] = Field(..., description="1 not through the một cửa, 2 through it")
    identifyNo: IdentityNumber | None = Field(None, description="required with infoType 1")


class TraHoSo(BaseModel):
    model_config = ConfigDict(extra="forbid")
    infoType: Literal["1", "2"]
    receiveNo: DossierCode | None = Field(None, description="one dossier, with its certificate once issued")


class TraDanhMuc(BaseModel):
    model_config = ConfigDict(extra="forbid")
    infoType: Literal["1", "2", "3", "4", "5"] = Field(
        ..., description="1 hành chính, 2 quốc tịch, 3 dân tộc, 4 cơ quan, 5 đơn vị"
    )


class DanhDauHsThanhCong(BaseModel):
    model_config = ConfigDict(extra="forbid")
    declarationId: str = Field(
        ..., min_length=1, max_length=2000, description="IDs from nhanHoSoDangKy, separated by ';'"
    )
    infoType: Literal["1", "2", "3"] = Field(
        ..., description="1 dossier filed at the STP, 2 status, 3 dossier filed online: taken"
    )


class TraDsTrangThaiHs(BaseModel):
    model_config = ConfigDict(extra="forbid")
    infoType: Literal["1", "2"]


# Answers: NGSP's {STATUS, DESCRIPTION, …}; DEC_STATUS_ID 3 received, 4 processing, 5 issued, 6 refused.

DecStatus = Literal["3", "4", "5", "6"]
DecStatusName = Literal["STP đã tiếp nhận", "Đang xử lý", "Đã có phiếu", "Từ chối cấp phiếu"]


ItemT = TypeVar("ItemT", bound=BaseModel)


class LltpAnswer(Answer):
    """The head of every answer of the LLTP system: STATUS 1 and its DESCRIPTION."""

    STATUS: Literal[1]
    DESCRIPTION: str


class LltpList(LltpAnswer, Generic[ItemT]):
    """An answer that lists its items in LISTCONTENT."""

    LISTCONTENT: list[ItemT]


class NhanHoSoAnswer(LltpAnswer):
    ID: str = Field(..., description="the dossier's ID in the LLTP system (declarationId)")


class TrangThaiAnswer(LltpAnswer):
    DEC_STATUS_ID: DecStatus = Field(..., description="6 (refused) is the simulator's: the guide lists 3–5")
    DEC_STATUS_NAME: DecStatusName
    APPROVE_DATE: str | None = Field(..., pattern=DDMMYYYY)
    ISSUE_DATE: str | None = Field(..., pattern=DDMMYYYY)
    REASON: str | None = Field(None, description="why the certificate was refused (status 6)")


class KetQuaXuLy(Answer):
    """The issued certificate; `phieuLLTP` is the PDF, base64 (as VNeID's result push carries it)."""

    soPhieuLLTP: str
    ngayCapPhieu: str = Field(..., pattern=DDMMYYYY)
    nguoiKy: str
    coQuanCap: str
    loaiPhieu: Literal[1, 2]
    tenTep: str
    phieuLLTP: str = Field(..., description="the certificate, application/pdf, base64")


class HoSoLltp(Answer):
    declarationTraHoSoForm: dict[str, Any] = Field(
        ..., description="the declaration as sent, with declarationId, receiveNo, decStatusId, issueDate"
    )
    residenceWSForm: list[dict[str, Any]]
    mandatorWSForm: dict[str, Any] | None
    ketQuaXuLy: KetQuaXuLy | None = Field(None, description="with receiveNo, once the certificate is issued")


class DanhMucItem(Answer):
    ID: str
    NAME: str
    PARENT_ID: str | None = Field(None, description="administrative units: the province of a commune")


class TrangThaiThayDoi(Answer):
    DECLARATION_ID: str
    DEC_STATUS_ID: DecStatus
    DEC_STATUS_NAME: DecStatusName
    APPROVE_DATE: str | None
    ISSUE_DATE: str | None
    RECEIVE_NO: str | None = Field(None, description="infoType 2: the một cửa receipt number")
    APPOINTMENT_NO: str | None = Field(None, description="infoType 1: the STP's appointment number")


class LyLichTuPhapAdapter(RestAdapter):
    key = "ly_lich_tu_phap"
    operations = (
        Operation(
            "nhanHoSoDangKy",
            method="POST",
            request=NhanHoSoDangKy,
            backend_method="POST",
            backend_path="/nhanHoSoDangKy",
            dossier_field="idReceivedDec",
            idempotent=True,  # the backend deduplicates by idReceivedDec
            response=NhanHoSoAnswer,
            summary="Send a certificate request (tờ khai) from the một cửa to the judicial-record system",
        ),
        Operation(
            "traTrangThaiHs",
            method="POST",
            request=TraTrangThaiHs,
            backend_method="POST",
            backend_path="/LLTP-API-traTrangThaiHs",
            dossier_field="idReceivedDec",
            idempotent=True,
            response=TrangThaiAnswer,
            summary="The status of one request (DEC_STATUS_ID), with the issue date once issued",
        ),
        Operation(
            "traHoSo",
            method="POST",
            request=TraHoSo,
            backend_method="POST",
            backend_path="/LLTP-API-traHoSo",
            dossier_field="receiveNo",
            idempotent=True,
            response=LltpList[HoSoLltp],
            summary="Dossiers not yet taken; with receiveNo one dossier and its certificate PDF",
        ),
        Operation(
            "traDanhMuc",
            method="POST",
            request=TraDanhMuc,
            backend_method="POST",
            backend_path="/LLTP-API-traDanhMuc",
            idempotent=True,
            response=LltpList[DanhMucItem],
            summary="A catalogue of the judicial-record system (units, nationalities, ethnic groups, …)",
        ),
        Operation(
            "danhDauHsThanhCong",
            method="POST",
            request=DanhDauHsThanhCong,
            backend_method="POST",
            backend_path="/LLTP-API-danhDauHsThanhCong",
            idempotent=True,  # marking twice marks once
            response=LltpAnswer,
            summary="Mark dossiers or statuses as taken by the một cửa (all the IDs or none)",
        ),
        Operation(
            "traDsTrangThaiHs",
            method="POST",
            request=TraDsTrangThaiHs,
            backend_method="POST",
            backend_path="/LLTP-API-traDsTrangThaiHs",
            idempotent=True,
            response=LltpList[TrangThaiThayDoi],
            summary="Dossiers whose status changed since it was last marked as taken",
        ),
    )

"""#20 VNPost public-service post: dossier pick-up and result delivery orders, tracking, cancel, callbacks."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, StringConstraints

from ndxp_sim.adapters._base import Operation, RestAdapter
from ndxp_sim.adapters.fields import Answer, CommuneCode, DossierCode, PersonalId, ProvinceCode, ShortText
from ndxp_sim.core.identifiers import phone_is_valid, s10_is_valid
from ndxp_sim.core.places import commune_of

OrderKind = Literal["thu-gom", "tra-ket-qua"]
OrderStatus = Literal["received", "processing", "done", "rejected", "cancelled"]


def _phone(value: str) -> str:
    if not phone_is_valid(value):
        raise ValueError("not a Vietnamese phone number with a carrier's prefix")
    return value


def _s10(value: str) -> str:
    if not s10_is_valid(value):
        raise ValueError("not a UPU S10 item code (its check digit is wrong)")
    return value


Phone = Annotated[str, StringConstraints(pattern=r"^(0|\+84)[0-9]{9}$"), AfterValidator(_phone)]
S10Code = Annotated[
    str,
    StringConstraints(pattern=r"^[A-Z]{2}[0-9]{9}[A-Z]{2}$"),
    AfterValidator(_s10),
    Field(description="UPU S10 item code (mã bưu gửi), e.g. RD123456785VN", examples=["RD123456785VN"]),
]


class PostOrder(BaseModel):
    """apiPostOrder: OrderNumber is the dossier code; the citizen is the sender of a pick-up (thu-gom)
    and the receiver of a result delivery (tra-ket-qua)."""

    model_config = ConfigDict(extra="forbid")
    CustomerCode: str = Field(..., pattern=r"^[A-Za-z0-9._\-]{3,32}$", description="the agency's VNPost code")
    OrderNumber: DossierCode
    OrderType: OrderKind
    ItemCode: S10Code | None = Field(None, description="pre-printed label; the post assigns one if absent")
    CitizenIdentityNo: PersonalId
    SenderFullname: ShortText
    SenderAddress: ShortText
    SenderTel: Phone
    SenderProvince: ProvinceCode
    SenderWard: CommuneCode
    ReceiverFullname: ShortText
    ReceiverAddress: ShortText
    ReceiverTel: Phone
    ReceiverProvince: ProvinceCode
    ReceiverWard: CommuneCode
    Weight: int = Field(200, ge=1, le=30_000, description="grams")
    CodAmount: int = Field(0, ge=0, le=50_000_000, description="fees the postman collects, VND")
    Description: str = Field("", max_length=500)
    CallbackUrl: str | None = Field(None, max_length=500)

    _sender_commune = commune_of("SenderProvince", "SenderWard")
    _receiver_commune = commune_of("ReceiverProvince", "ReceiverWard")


class OrderKey(BaseModel):
    model_config = ConfigDict(extra="forbid")
    OrderNumber: DossierCode
    OrderType: OrderKind


class CancelOrder(OrderKey):
    Reason: ShortText


class OrderSummary(Answer):
    OrderNumber: str
    OrderType: OrderKind
    ItemCode: str = Field(..., description="UPU S10 item code")
    Status: OrderStatus
    CreateTime: str


class TrackingEvent(Answer):
    Status: OrderStatus
    Time: datetime
    PostOffice: str
    Description: str


class Delivered(Answer):
    ItemCode: str
    DeliveredTime: datetime
    ReceiverSignature: str
    CodCollected: int


class Tracking(OrderSummary):
    Events: list[TrackingEvent]
    Delivery: Delivered | None = Field(None, description="once done")


class _Envelope(Answer):
    status: Literal[1]
    statusDescription: str


class PostOrderAnswer(_Envelope):
    value: OrderSummary


class TrackingAnswer(_Envelope):
    value: Tracking


class VnpostDvcAdapter(RestAdapter):
    key = "vnpost_dvc"
    operations = (
        Operation(
            "postOrder",
            method="POST",
            request=PostOrder,
            backend_method="POST",
            backend_path="/orders",
            dossier_field="OrderNumber",
            idempotent=True,  # the post deduplicates by OrderNumber and OrderType
            callback_field="CallbackUrl",
            response=PostOrderAnswer,
            summary="Order a dossier pick-up (thu-gom) or a result delivery (tra-ket-qua); status callbacks "
            "go to CallbackUrl",
        ),
        Operation(
            "getOrderTracking",
            request=OrderKey,
            backend_path="/orders/{OrderNumber}/{OrderType}",
            dossier_field="OrderNumber",
            response=TrackingAnswer,
            summary="The order's status and tracking events; the delivery once done",
        ),
        Operation(
            "cancelOrder",
            method="POST",
            request=CancelOrder,
            backend_method="POST",
            backend_path="/orders/{OrderNumber}/{OrderType}/cancel",
            dossier_field="OrderNumber",
            idempotent=False,
            response=PostOrderAnswer,
            summary="Cancel an order that is not finished",
        ),
    )

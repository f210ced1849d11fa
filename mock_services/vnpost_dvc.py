"""#20 VNPost public-service post: dossier pick-up and result delivery orders (apiPostOrder) as dossiers."""

from __future__ import annotations

import hashlib
from typing import TYPE_CHECKING, Any, Literal

from fastapi import APIRouter, Request
from fastapi.responses import Response
from pydantic import BaseModel, ConfigDict, Field, field_validator

from ndxp_sim.core.identifiers import make_s10, phone_is_valid, s10_is_valid
from ndxp_sim.core.places import commune_of
from ndxp_sim.mock_services.clock import now_vn
from ndxp_sim.mock_services.context import MockContext
from ndxp_sim.mock_services.dossier import (
    DONE,
    OK,
    PROCESSING,
    RECEIVED,
    DossierConflictError,
    DossierKind,
    DossierStateError,
    Review,
)
from ndxp_sim.mock_services.dossier_api import MA_HO_SO_PATTERN, fail, ok, parse_body
from ndxp_sim.mock_services.dossier_checks import RefusedError, citizen

if TYPE_CHECKING:
    from ndxp_sim.mock_services.population import Population

SERVICE = "vnpost_dvc"
PICK_UP = "thu-gom"  # the post collects the citizen's dossier and carries it to the agency
DELIVERY = "tra-ket-qua"  # the post carries the agency's result to the citizen
ITEM_SERVICE = "RD"  # S10 service indicator of the simulator's public-service items
MAX_COD_VND = 50_000_000
MAX_WEIGHT_G = 30_000


class PostOrder(BaseModel):
    """An order in the apiPostOrder shape: OrderNumber is the dossier code, Sender*/Receiver* the parties."""

    model_config = ConfigDict(extra="allow")  # VNPost orders carry more optional fields than are checked

    CustomerCode: str = Field(..., pattern=r"^[A-Za-z0-9._\-]{3,32}$")
    OrderNumber: str = Field(..., pattern=MA_HO_SO_PATTERN)
    OrderType: Literal["thu-gom", "tra-ket-qua"]
    ItemCode: str | None = Field(None, pattern=r"^[A-Z]{2}[0-9]{9}[A-Z]{2}$")
    CitizenIdentityNo: str = Field(..., pattern=r"^[0-9]{12}$")
    SenderFullname: str = Field(..., min_length=1, max_length=200)
    SenderAddress: str = Field(..., min_length=1, max_length=300)
    SenderTel: str
    SenderProvince: str = Field(..., pattern=r"^[0-9]{2}$")
    SenderWard: str = Field(..., pattern=r"^[0-9]{5}$")
    ReceiverFullname: str = Field(..., min_length=1, max_length=200)
    ReceiverAddress: str = Field(..., min_length=1, max_length=300)
    ReceiverTel: str
    ReceiverProvince: str = Field(..., pattern=r"^[0-9]{2}$")
    ReceiverWard: str = Field(..., pattern=r"^[0-9]{5}$")
    Weight: int = Field(200, ge=1, le=MAX_WEIGHT_G)  # grams
    CodAmount: int = Field(0, ge=0, le=MAX_COD_VND)  # fees the postman collects, VND
    Description: str = Field("", max_length=500)
    CallbackUrl: str | None = Field(None, pattern=r"^https?://")

    @field_validator("SenderTel", "ReceiverTel")
    @classmethod
    def _phone(cls, value: str) -> str:
        if not phone_is_valid(value):
            raise ValueError("số điện thoại không thuộc đầu số của nhà mạng nào")
        return value

    @field_validator("ItemCode")
    @classmethod
    def _s10(cls, value: str | None) -> str | None:
        if value is not None and not s10_is_valid(value):
            raise ValueError("mã bưu gửi (S10) sai số kiểm tra")
        return value

    _sender_commune = commune_of("SenderProvince", "SenderWard")
    _receiver_commune = commune_of("ReceiverProvince", "ReceiverWard")


def item_code(order_type: str, order_number: str) -> str:
    """The order's S10 item code: stable for a dossier and direction, so a resent order gets the same one."""
    digest = hashlib.sha256(f"{SERVICE}:{order_type}:{order_number}".encode()).digest()
    return make_s10(ITEM_SERVICE, int.from_bytes(digest[:8], "big") % 10**8)


def review_order(request: BaseModel, population: Population) -> Review:
    """The citizen handing over the dossier (pick-up) or receiving the result (delivery) must be a living
    person of that name; the postman checks the identity card at the door."""
    assert isinstance(request, PostOrder)
    if request.OrderType == PICK_UP:
        name, role = request.SenderFullname, "người gửi hồ sơ"
    else:
        name, role = request.ReceiverFullname, "người nhận kết quả"
    try:
        citizen(population, request.CitizenIdentityNo, name, role)
    except RefusedError as refused:
        return Review("reject", f"Bưu điện từ chối đơn hàng: {refused.reason}")
    return OK


def deliver(request: BaseModel, population: Population, sequence: int) -> dict[str, Any]:
    assert isinstance(request, PostOrder)
    return {
        "ItemCode": request.ItemCode,
        "DeliveredTime": now_vn().isoformat(timespec="seconds"),
        "ReceiverSignature": request.ReceiverFullname,
        "CodCollected": request.CodAmount,
    }


def _kind(order_type: str, labels: dict[str, str]) -> DossierKind:
    return DossierKind(
        model=PostOrder,
        review=review_order,
        build_result=deliver,
        supplement_into="Description",
        labels=labels,
        handler="Bưu điện tỉnh - dịch vụ bưu chính công ích",
        code_field="OrderNumber",
        callback_field="CallbackUrl",
        scope=f"{order_type}:",
    )


KINDS = {
    PICK_UP: _kind(
        PICK_UP,
        {
            RECEIVED: "Bưu điện đã tiếp nhận yêu cầu thu gom hồ sơ",
            PROCESSING: "Bưu tá đang đến địa chỉ người gửi để thu gom hồ sơ",
            DONE: "Đã thu gom hồ sơ và chuyển đến cơ quan giải quyết",
        },
    ),
    DELIVERY: _kind(
        DELIVERY,
        {
            RECEIVED: "Bưu điện đã tiếp nhận kết quả giải quyết từ cơ quan",
            PROCESSING: "Bưu tá đang phát kết quả đến địa chỉ người nhận",
            DONE: "Đã phát kết quả thành công cho người nhận",
        },
    ),
}


class CancelOrder(BaseModel):
    model_config = ConfigDict(extra="forbid")
    Reason: str = Field(..., min_length=1, max_length=500)


def create_router(ctx: MockContext) -> APIRouter:
    """POST /orders, GET /orders/{OrderNumber}/{OrderType}, POST /orders/{OrderNumber}/{OrderType}/cancel."""
    router = APIRouter()
    for order_type, kind in KINDS.items():
        ctx.dossiers.register_kind(SERVICE, order_type, kind)

    @router.post("/orders")
    async def post_order(request: Request) -> Response:
        order = await parse_body(request, PostOrder, "đơn hàng")
        if isinstance(order, Response):
            return order
        if order.ItemCode is None:
            order.ItemCode = item_code(order.OrderType, order.OrderNumber)
        try:
            dossier, _ = ctx.dossiers.submit(
                service=SERVICE,
                lt_prefix="VNP",
                kind=KINDS[order.OrderType],
                kind_name=order.OrderType,
                request=order,
                force_supplement=False,
            )
        except DossierConflictError:
            return fail(
                409,
                "conflict",
                f"Đơn hàng {order.OrderType} của hồ sơ {order.OrderNumber} đã tồn tại với nội dung khác",
            )
        # The same answer however often the order is sent again: its receipt, whatever became of it since.
        return ok("Tạo đơn hàng thành công", _summary(dossier.request, RECEIVED, dossier.ngay_tiep_nhan))

    @router.get("/orders/{order_number}/{order_type}")
    async def tracking(order_number: str, order_type: str) -> Response:
        dossier = ctx.dossiers.get(SERVICE, order_number, f"{order_type}:")
        if dossier is None or order_type not in KINDS:
            return fail(404, "not_found", f"Không tìm thấy đơn hàng {order_type} của hồ sơ {order_number}")
        value = _summary(dossier.request, dossier.status, dossier.ngay_tiep_nhan)
        value["Events"] = [
            {
                "Status": step["trangThai"],
                "Time": step["thoiGianThucHien"],
                "PostOffice": step["nguoiXuLy"],
                "Description": step["noiDungXuLy"],
            }
            for step in dossier.history
        ]
        if dossier.result is not None:
            value["Delivery"] = dossier.result
        return ok("Thành công", value)

    @router.post("/orders/{order_number}/{order_type}/cancel")
    async def cancel(order_number: str, order_type: str, request: Request) -> Response:
        body = await parse_body(request, CancelOrder, "yêu cầu hủy đơn")
        if isinstance(body, Response):
            return body
        if order_type not in KINDS:
            return fail(404, "not_found", f"Không tìm thấy đơn hàng {order_type} của hồ sơ {order_number}")
        try:
            dossier = await ctx.dossiers.cancel(
                SERVICE, order_number, f"Khách hàng hủy đơn: {body.Reason}", f"{order_type}:"
            )
        except KeyError:
            return fail(404, "not_found", f"Không tìm thấy đơn hàng {order_type} của hồ sơ {order_number}")
        except DossierStateError:
            return fail(409, "invalid_state", f"Đơn hàng của hồ sơ {order_number} đã kết thúc, không thể hủy")
        return ok(
            "Hủy đơn hàng thành công", _summary(dossier.request, dossier.status, dossier.ngay_tiep_nhan)
        )

    return router


def _summary(order: dict[str, Any], status: str, created: str) -> dict[str, Any]:
    return {
        "OrderNumber": order["OrderNumber"],
        "OrderType": order["OrderType"],
        "ItemCode": order["ItemCode"],
        "Status": status,
        "CreateTime": created,
    }

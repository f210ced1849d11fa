"""#14 Land–tax gateway: the land office's transfer slip goes to the tax office, the tax notice comes back."""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from datetime import timedelta
from typing import TYPE_CHECKING, Any, Literal

from fastapi import APIRouter
from pydantic import BaseModel, ConfigDict, Field, model_validator

from ndxp_sim.core import catalogues
from ndxp_sim.core.fields import IsoDate
from ndxp_sim.core.places import commune_of
from ndxp_sim.mock_services.clock import now_vn
from ndxp_sim.mock_services.context import MockContext
from ndxp_sim.mock_services.dossier import DONE, OK, PROCESSING, RECEIVED, DossierKind, DuplicateRule, Review
from ndxp_sim.mock_services.dossier_api import MA_HO_SO_PATTERN, create_dossier_router
from ndxp_sim.mock_services.dossier_checks import RefusedError, citizen, enterprise
from ndxp_sim.mock_services.population.dates import age_on

if TYPE_CHECKING:
    from ndxp_sim.core.model import Citizen, LandParcel
    from ndxp_sim.mock_services.population import Population

SERVICE = "lien_thong_tnmt_thue"
TRANSFER = "chuyen-nhuong"
GIFT = "tang-cho"
INHERITANCE = "thua-ke"
ADULT = 18  # age to sign a transfer contract as the buyer
PIT_ON_SALE = 0.02  # personal income tax on a real-estate transfer: 2% of the price (Luật Thuế TNCN)
PIT_ON_GIFT = 0.10  # on a gift or an inheritance: 10% of the value over 10 million
GIFT_ALLOWANCE = 10_000_000
REGISTRATION_FEE = 0.005  # lệ phí trước bạ nhà đất: 0.5% (Nghị định 10/2022/NĐ-CP)
PAY_WITHIN_DAYS = 30
PIT_ITEM = ("1006", "Thuế thu nhập cá nhân từ chuyển nhượng, nhận thừa kế, quà tặng là bất động sản")
FEE_ITEM = ("2801", "Lệ phí trước bạ nhà đất")
# Land price table (bảng giá đất) per m², synthetic: a base per use, scaled per commune and for the cities.
BASE_PRICE = {
    "ODT": 12_000_000,
    "ONT": 3_000_000,
    "TMD": 8_000_000,
    "SKC": 4_000_000,
    "LUC": 120_000,
    "LUK": 100_000,
    "BHK": 110_000,
    "NHK": 60_000,
    "CLN": 150_000,
    "RSX": 50_000,
    "NTS": 110_000,
}
CITIES = {"01": 2.5, "79": 2.5, "48": 1.6, "31": 1.4, "92": 1.3}
EXEMPT = (
    "Miễn thuế thu nhập cá nhân và lệ phí trước bạ: chuyển giao bất động sản giữa vợ với chồng, "
    "cha mẹ với con (khoản 4 Điều 4 Luật Thuế thu nhập cá nhân; khoản 10 Điều 10 Nghị định 10/2022/NĐ-CP)"
)


class _Fields(BaseModel):
    model_config = ConfigDict(extra="allow")  # the slip has more fields than the tax office checks


class ThuaDat(_Fields):
    maTinh: str = Field(..., pattern=r"^[0-9]{2}$")
    maXa: str = Field(..., pattern=r"^[0-9]{5}$")
    soTo: int = Field(..., ge=1, le=9999)
    soThua: int = Field(..., ge=1, le=99999)
    dienTich: float = Field(..., gt=0, le=10_000_000)
    mucDichSuDung: str = Field(..., pattern=r"^[A-Z]{3}$")
    soPhatHanhGCN: str = Field(..., pattern=r"^[A-Z]{2} [0-9]{6}$")

    _commune = commune_of("maTinh", "maXa")


class NguoiChuyen(_Fields):
    hoTen: str = Field(..., min_length=3, max_length=100)
    soDinhDanh: str = Field(..., pattern=r"^[0-9]{12}$")


class BenNhan(_Fields):
    hoTen: str = Field(..., min_length=3, max_length=200, description="a person's name or the enterprise's")
    soDinhDanh: str | None = Field(None, pattern=r"^[0-9]{12}$")
    maSoThue: str | None = Field(None, pattern=r"^[0-9]{10}$")

    @model_validator(mode="after")
    def _one_identity(self) -> BenNhan:
        if (self.soDinhDanh is None) == (self.maSoThue is None):
            raise ValueError("benNhan needs soDinhDanh (a person) or maSoThue (an organisation), not both")
        return self


class GiaoDich(_Fields):
    loai: Literal["chuyen-nhuong", "tang-cho", "thua-ke"]
    soHopDong: str = Field(..., min_length=1, max_length=64)
    ngayHopDong: IsoDate
    giaChuyenNhuong: int | None = Field(None, gt=0, le=10**13, description="VND, in the contract")


class PhieuChuyen(_Fields):
    maHoSo: str = Field(..., pattern=MA_HO_SO_PATTERN)
    coQuanGui: str = Field(..., min_length=3, max_length=200)
    ngayLapPhieu: IsoDate
    callbackUrl: str | None = Field(None, pattern=r"^https?://")
    thuaDat: ThuaDat
    benChuyen: list[NguoiChuyen] = Field(..., min_length=1, max_length=10)
    benNhan: BenNhan
    giaoDich: GiaoDich


def _family(a: Citizen, b: Citizen) -> bool:
    """Spouses, or parent and child: the transfers the law exempts."""
    return a.vo_chong == b.so_dinh_danh or b.so_dinh_danh in (a.cha, a.me) or a.so_dinh_danh in (b.cha, b.me)


def _parcel_refusal(slip: PhieuChuyen, parcel: LandParcel | None) -> str:
    land = slip.thuaDat
    where = f"Thửa đất số {land.soThua}, tờ bản đồ số {land.soTo}"
    if parcel is None:
        return f"{where} không có trong Cơ sở dữ liệu đất đai"
    if parcel.so_phat_hanh != land.soPhatHanhGCN:
        return f"Số phát hành Giấy chứng nhận {land.soPhatHanhGCN} không khớp với {where.lower()}"
    if abs(parcel.dien_tich - land.dienTich) > 0.05:
        return f"Diện tích {land.dienTich:g} m² không khớp với {parcel.dien_tich:g} m² trong hồ sơ địa chính"
    if parcel.muc_dich != land.mucDichSuDung:
        return f"Mục đích sử dụng {land.mucDichSuDung} không khớp với {parcel.muc_dich} trong hồ sơ địa chính"
    return ""


def review_slip(request: BaseModel, population: Population) -> Review:
    """The tax office checks the slip against the cadastre and the population before it computes."""
    assert isinstance(request, PhieuChuyen)
    land, deal = request.thuaDat, request.giaoDich
    parcel = population.parcel(land.maXa, land.soTo, land.soThua)
    refusal = _parcel_refusal(request, parcel)
    if refusal or parcel is None:
        return Review("reject", f"Cơ quan thuế trả lại phiếu chuyển: {refusal}")
    givers = {person.soDinhDanh for person in request.benChuyen}
    if givers != set(parcel.chu_su_dung):
        return Review(
            "reject",
            "Cơ quan thuế trả lại phiếu chuyển: bên chuyển quyền phải là tất cả và chỉ những người đứng tên "
            "trên Giấy chứng nhận",
        )
    try:
        for person in request.benChuyen:
            if deal.loai == INHERITANCE:  # the one who leaves the land has died; the names must still match
                known = population.citizen(person.soDinhDanh)
                if known is None or not known.da_mat:
                    return Review(
                        "reject", f"Người để lại di sản (số định danh {person.soDinhDanh}) chưa được khai tử"
                    )
                continue
            citizen(population, person.soDinhDanh, person.hoTen, "bên chuyển quyền")
        receiver = request.benNhan
        if receiver.maSoThue is not None:
            enterprise(population, receiver.maSoThue, receiver.hoTen)
        elif receiver.soDinhDanh in givers:
            raise RefusedError("Bên nhận chuyển quyền trùng với bên chuyển quyền")
        else:
            assert receiver.soDinhDanh is not None
            taker = citizen(population, receiver.soDinhDanh, receiver.hoTen, "bên nhận")
            if deal.loai == TRANSFER and age_on(taker.ngay_sinh, now_vn().date()) < ADULT:
                raise RefusedError(
                    "Bên nhận chuyển nhượng chưa đủ 18 tuổi, không đủ năng lực ký hợp đồng chuyển nhượng"
                )
    except RefusedError as refused:
        return Review("reject", f"Cơ quan thuế trả lại phiếu chuyển: {refused.reason}")
    if deal.loai == TRANSFER and deal.giaChuyenNhuong is None:
        return Review("supplement", "Đề nghị bổ sung giá chuyển nhượng ghi trên hợp đồng (giaChuyenNhuong)")
    return OK


def _seeded(*parts: object) -> int:
    return int.from_bytes(hashlib.sha256(":".join(map(str, parts)).encode()).digest()[:8], "big")


def price_per_m2(ward_code: str, use: str) -> int:
    """The land price table's price of the use in the commune (synthetic, the same every time)."""
    ward = catalogues.ward(ward_code)
    assert ward is not None
    scale = CITIES.get(ward.province_code, 1.0) * (0.6 + (_seeded("bang-gia", ward_code) % 1000) / 1000)
    if ward.type != "Phường":
        scale *= 0.5
    return int(round(BASE_PRICE.get(use, 200_000) * scale, -3))


def tax_office(ward_code: str) -> str:
    ward = catalogues.ward(ward_code)
    province = catalogues.province(ward.province_code) if ward else None
    assert ward is not None and province is not None
    return f"Thuế cơ sở {_seeded('thue', ward_code) % 9 + 1} {province.type.lower()} {province.short_name}"


def issue_notice(request: BaseModel, population: Population, sequence: int) -> dict[str, Any]:
    """The tax notice: the value by the price table (or the contract, if higher), the tax and the fee."""
    assert isinstance(request, PhieuChuyen)
    land, deal = request.thuaDat, request.giaoDich
    unit = price_per_m2(land.maXa, land.mucDichSuDung)
    by_table = round(unit * land.dienTich)
    value = max(by_table, deal.giaChuyenNhuong or 0)
    givers = [population.citizen(person.soDinhDanh) for person in request.benChuyen]
    receiver = population.citizen(request.benNhan.soDinhDanh) if request.benNhan.soDinhDanh else None
    exempt = (
        deal.loai != TRANSFER
        and receiver is not None
        and all(giver is not None and _family(giver, receiver) for giver in givers)
    )
    if deal.loai == TRANSFER:
        pit = round(value * PIT_ON_SALE)
        pit_payer = request.benChuyen[0]
        pit_payer_name, pit_payer_code = pit_payer.hoTen, pit_payer.soDinhDanh
    else:
        pit = round(max(value - GIFT_ALLOWANCE, 0) * PIT_ON_GIFT)
        pit_payer_name = request.benNhan.hoTen
        pit_payer_code = request.benNhan.soDinhDanh or request.benNhan.maSoThue or ""
    fee = round(value * REGISTRATION_FEE)
    if exempt:
        pit = fee = 0
    if request.benNhan.maSoThue is not None and deal.loai != TRANSFER:
        pit = 0  # an organisation receiving land pays corporate income tax, not personal income tax
    today = now_vn().date()
    items: list[dict[str, Any]] = [
        {
            "tieuMuc": PIT_ITEM[0],
            "noiDung": PIT_ITEM[1],
            "nguoiNop": pit_payer_name,
            "maSoThue": pit_payer_code,  # since 1 July 2025 a person's tax code is their số định danh
            "soTien": pit,
        },
        {
            "tieuMuc": FEE_ITEM[0],
            "noiDung": FEE_ITEM[1],
            "nguoiNop": request.benNhan.hoTen,
            "maSoThue": request.benNhan.soDinhDanh or request.benNhan.maSoThue,
            "soTien": fee,
        },
    ]
    notice: dict[str, Any] = {
        "soThongBao": f"{sequence:06d}/TB-TCS",
        "ngayThongBao": today.isoformat(),
        "coQuanThue": tax_office(land.maXa),
        "donGiaBangGia": unit,
        "giaTriTheoBangGia": by_table,
        "giaTinhThue": value,
        "khoanNop": items,
        "tongSoTien": sum(item["soTien"] for item in items),
        "hanNop": (today + timedelta(days=PAY_WITHIN_DAYS)).isoformat(),
    }
    if exempt:
        notice["mienGiam"] = EXEMPT
    return notice


def same_parcel(request: Mapping[str, Any]) -> str:
    land = request["thuaDat"]
    return f"{land['maXa']}-{land['soTo']}-{land['soThua']}"


PHIEU_CHUYEN = DossierKind(
    model=PhieuChuyen,
    review=review_slip,
    build_result=issue_notice,
    supplement_into="giaoDich",
    labels={
        RECEIVED: "Cổng liên thông đã tiếp nhận phiếu chuyển thông tin từ Văn phòng đăng ký đất đai",
        PROCESSING: "Cổng liên thông đã chuyển phiếu chuyển thông tin đến cơ quan thuế",
        DONE: "Cơ quan thuế đã ban hành thông báo nộp tiền, chuyển trả Văn phòng đăng ký đất đai",
    },
    handler="Cổng liên thông TNMT - Thuế",
    hops=(("Cơ quan thuế", "Cơ quan thuế đã tiếp nhận phiếu chuyển, đang xác định nghĩa vụ tài chính"),),
    duplicate=DuplicateRule(
        of=same_parcel,
        refusal="Thửa đất số {thuaDat[soThua]}, tờ bản đồ số {thuaDat[soTo]} đã có phiếu chuyển thông tin "
        "đang được cơ quan thuế xử lý",
        at="submit",
    ),
)


def create_router(ctx: MockContext) -> APIRouter:
    return create_dossier_router(
        ctx, service=SERVICE, lt_prefix="TNMT", kinds={"/phieu-chuyen": PHIEU_CHUYEN}
    )

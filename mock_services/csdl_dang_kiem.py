"""#8 Vehicle Inspection DB (đăng kiểm): its rules and answers, served by engine L."""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING, Any

from fastapi import APIRouter

from ndxp_sim.core.identifiers import plate_is_valid
from ndxp_sim.mock_services.clock import now_vn
from ndxp_sim.mock_services.context import MockContext
from ndxp_sim.mock_services.engines import Lookup, Param, serve
from ndxp_sim.mock_services.engines.params import identifier
from ndxp_sim.mock_services.people import dmy

if TYPE_CHECKING:
    from ndxp_sim.core.model import Vehicle

SERVICE = "csdl_dang_kiem"
PLATE = identifier(plate_is_valid, "biển số (67A-123.45 hoặc 67-B1 234.56, mã địa phương có thật)")


def inspection_record(vehicle: Vehicle, today: date) -> dict[str, Any]:
    """The vehicle and its certificate; only vehicles with periodic inspection (not motorbikes) get here."""
    certificate = vehicle.dang_kiem
    assert certificate is not None, vehicle.bien_so
    return {
        "BienSo": vehicle.bien_so,
        "LoaiPhuongTien": vehicle.loai_xe,
        "NhanHieu": vehicle.nhan_hieu,
        "SoLoai": vehicle.so_loai,
        "MauSon": vehicle.mau_son,
        "NamSanXuat": vehicle.nam_san_xuat,
        "SoKhung": vehicle.so_khung,
        "SoMay": vehicle.so_may,
        "DungTich": vehicle.dung_tich,
        "SoChoNgoi": vehicle.so_cho,
        "TaiTrong": vehicle.tai_trong,
        "GiayChungNhan": {
            "SoGiayChungNhan": certificate.so_giay_chung_nhan,
            "SoTemKiemDinh": certificate.so_tem,
            "NgayKiemDinh": dmy(certificate.ngay_kiem_dinh),
            "HanKiemDinh": dmy(certificate.han_kiem_dinh),
            "MaDonViDangKiem": certificate.ma_don_vi,
            "ConHieuLuc": certificate.han_kiem_dinh >= today,
        },
    }


def _inspected(vehicle: Vehicle | None) -> Vehicle | None:
    # Motorbikes have no periodic inspection, so the inspection database holds no record of them.
    return vehicle if vehicle and vehicle.dang_kiem else None


VEHICLE = Lookup["Vehicle"](
    route="/phuong-tien/{BienSo}",
    operation="traCuuDangKiem",
    keys=(Param("BienSo", PLATE, "invalid_bien_so"),),
    resolve=lambda host, keys: _inspected(host.population.vehicle(keys["BienSo"])),
    answer=lambda _, vehicle: inspection_record(vehicle, now_vn().date()),
    not_found="không có dữ liệu kiểm định của phương tiện {BienSo}",
)


def create_router(ctx: MockContext) -> APIRouter:
    return serve(ctx, SERVICE, VEHICLE)

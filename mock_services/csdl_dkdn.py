"""#1 National Business Registration DB (CSDLQG về ĐKDN): REST lookups, paged list, dossier status."""

from __future__ import annotations

import hashlib
import re
from datetime import date, datetime, timedelta
from typing import TYPE_CHECKING, Any

from fastapi import APIRouter, Query
from fastapi.responses import Response

from ndxp_sim.core import catalogues
from ndxp_sim.core.identifiers import mst_is_valid
from ndxp_sim.mock_services import responses
from ndxp_sim.mock_services.clock import now_vn
from ndxp_sim.mock_services.context import MockContext

if TYPE_CHECKING:
    from ndxp_sim.core.model import Address
    from ndxp_sim.mock_services.population import Citizen, Enterprise, Population

MAX_PAGE_SIZE = 100
PROCESSING_DAYS = 3  # the registration office decides within 3 working days
SUSPENDED = "01"
CCCD_ISSUER = "Cục Cảnh sát quản lý hành chính về trật tự xã hội"
_MSDN = re.compile(r"[0-9]{10}(-[0-9]{3})?")
_MA_HO_SO = re.compile(r"DKDN-([0-9]{10})-([0-9]{8})-([0-9]{3})")

FOUNDED, CHANGED = "Đăng ký thành lập doanh nghiệp", "Đăng ký thay đổi nội dung đăng ký doanh nghiệp"
STATUS_NAMES = {
    "DA_CAP_GCN": "Đã cấp Giấy chứng nhận đăng ký doanh nghiệp",
    "DANG_XU_LY": "Đang xử lý",
    "TU_CHOI": "Từ chối",
}


def _iso(day: date | None) -> str | None:
    return day.isoformat() if day else None


def _digest(text: str) -> int:
    return int.from_bytes(hashlib.sha256(text.encode()).digest()[:4], "big")


def _dia_chi(address: Address) -> dict[str, Any]:
    # LGSP sends admin codes as integers here: the leading zeros are lost (docs/data-formats.md).
    return {
        "QuocGia": "Việt Nam",
        "MaQuocGia": address.country,
        "TenTinhThanh": address.province_name,
        "MaTinhThanh": int(address.province_code),
        "TenPhuongXa": address.ward_name,
        "MaPhuongXa": int(address.ward_code),
        "DiaChi": address.full(),
        "SoNha": address.detail,
    }


def _representative(person: Citizen | None, so_dinh_danh: str) -> dict[str, Any]:
    # The card's issue date is not in the population: derive a stable one from the number.
    issued = date(2021, 1, 1) + timedelta(days=_digest(so_dinh_danh) % 1000)
    return {
        "HoVaTen": person.ho_va_ten.upper() if person else None,
        "LoaiGiayToChungThuc": "Căn cước công dân",
        "MaLoaiGiayToChungThuc": "1",
        "SoGiayChungThuc": so_dinh_danh,
        "NgayCap": issued.isoformat(),
        "NoiCap": CCCD_ISSUER,
        "QuocTich": "Việt Nam",
        "MaQuocTich": person.quoc_tich if person else "VN",
    }


def ent_cert(population: Population, enterprise: Enterprise) -> dict[str, Any]:
    """One GetEntCert entry."""
    msdn = enterprise.ma_so_doanh_nghiep
    suspended = enterprise.ma_tinh_trang == SUSPENDED
    return {
        "MaNoiBo": str(_digest(msdn) % 10_000_000),
        "MaSoDoanhNghiep": msdn,
        "SoGCNDKKD": msdn,  # since 2010 the certificate number is the enterprise code
        "MaLoaiHinhDN": enterprise.ma_loai_hinh,
        "LoaiHinhDN": enterprise.loai_hinh,
        "TenTiengViet": enterprise.ten_tieng_viet,
        "TenNuocNgoai": enterprise.ten_nuoc_ngoai,
        "TenVietTat": enterprise.ten_viet_tat,
        "NgayDangKyLanDau": _iso(enterprise.ngay_dang_ky_lan_dau),
        "NgayDangKyThayDoi": _iso(enterprise.ngay_dang_ky_thay_doi),
        "SoLanDangKyThayDoi": enterprise.so_lan_thay_doi,
        "VonDieuLe": enterprise.von_dieu_le,
        "TinhTrangPhapLy": [
            {
                "TinhTrangPhapLy": enterprise.tinh_trang,
                "MaTinhTrangPhapLy": enterprise.ma_tinh_trang,
                "NgayBatDauTamNgung": _iso(enterprise.ngay_dang_ky_thay_doi) if suspended else None,
                "NgayKetThucTamNgung": None,
                "LyDoTamNgung": "Tạm ngừng theo đề nghị của doanh nghiệp" if suspended else None,
            }
        ],
        "DaiDienPhapLuat": [
            {
                "ThongTinCaNhan": [
                    _representative(population.citizen(enterprise.nguoi_dai_dien), enterprise.nguoi_dai_dien)
                ]
            }
        ],
        "DiaChiTruSo": [{"DiaChi": [_dia_chi(enterprise.tru_so)]}],
        "NganhNgheKinhDoanh": [
            {"MaNganh": code, "TenNganh": name, "LaNganhChinh": int(main)}
            for code, name, main in enterprise.nganh_nghe
        ],
    }


def summary(enterprise: Enterprise) -> dict[str, Any]:
    return {
        "MaSoDoanhNghiep": enterprise.ma_so_doanh_nghiep,
        "TenTiengViet": enterprise.ten_tieng_viet,
        "LoaiHinhDN": enterprise.loai_hinh,
        "MaTinhTrangPhapLy": enterprise.ma_tinh_trang,
        "TinhTrangPhapLy": enterprise.tinh_trang,
        "MaTinhThanh": int(enterprise.tru_so.province_code),
        "NgayDangKyLanDau": _iso(enterprise.ngay_dang_ky_lan_dau),
    }


def dossier_status(enterprise: Enterprise, ma_ho_so: str, submitted: date, today: date) -> dict[str, Any]:
    """The status of a registration dossier, derived from the enterprise's history (see BACKENDS.md)."""
    due = submitted + timedelta(days=PROCESSING_DAYS)
    kind, decided = CHANGED, None
    if submitted == enterprise.ngay_dang_ky_lan_dau:
        kind, status, decided, note = FOUNDED, "DA_CAP_GCN", submitted, "Đã cấp Giấy chứng nhận"
    elif submitted == enterprise.ngay_dang_ky_thay_doi:
        status, decided, note = "DA_CAP_GCN", submitted, "Đã cấp Giấy xác nhận thay đổi"
    elif today - submitted <= timedelta(days=PROCESSING_DAYS):
        status, note = "DANG_XU_LY", "Hồ sơ đang được Phòng Đăng ký kinh doanh xem xét"
    else:
        status, decided, note = "TU_CHOI", due, "Hồ sơ không hợp lệ, doanh nghiệp cần nộp lại"
    return {
        "MaHoSo": ma_ho_so,
        "MaSoDoanhNghiep": enterprise.ma_so_doanh_nghiep,
        "TenTiengViet": enterprise.ten_tieng_viet,
        "LoaiHoSo": kind,
        "TrangThai": status,
        "TenTrangThai": STATUS_NAMES[status],
        "NgayNopHoSo": submitted.isoformat(),
        "NgayHenTra": due.isoformat(),
        "NgayXuLy": _iso(decided),
        "GhiChu": note,
    }


def _error(status: int, code: str, message: str) -> Response:
    return responses.to_response(responses.rest_error(status, code, message))


def create_router(ctx: MockContext) -> APIRouter:
    router = APIRouter()

    @router.get("/doanh-nghiep/{msdn}")
    async def detail(msdn: str) -> Response:
        if not _MSDN.fullmatch(msdn) or not mst_is_valid(msdn):
            message = f"mã số doanh nghiệp {msdn!r} sai định dạng hoặc sai số kiểm tra"
            return _error(422, "invalid_msdn", message)
        enterprise = ctx.population.enterprise(msdn)
        if enterprise is None:
            return _error(404, "not_found", f"không tìm thấy doanh nghiệp {msdn}")
        return responses.json_response({"GetEntCert": [ent_cert(ctx.population, enterprise)]})

    @router.get("/doanh-nghiep")
    async def listing(
        ma_tinh: str | None = Query(None, alias="maTinh"),
        page: int = 1,
        page_size: int = Query(20, alias="pageSize"),
    ) -> Response:
        if page < 1 or not 1 <= page_size <= MAX_PAGE_SIZE:
            return _error(422, "invalid_page", f"page phải ≥ 1 và pageSize trong khoảng 1–{MAX_PAGE_SIZE}")
        if ma_tinh is None:
            found = sorted(ctx.population.enterprises.values(), key=lambda e: e.ma_so_doanh_nghiep)
        elif catalogues.province(ma_tinh) is None:
            return _error(422, "invalid_province", f"mã tỉnh {ma_tinh!r} không có trong danh mục 34 tỉnh")
        else:
            found = ctx.population.enterprises_in_province(ma_tinh)
        start = (page - 1) * page_size
        items = [summary(e) for e in found[start : start + page_size]]
        page_body = {"total": len(found), "page": page, "pageSize": page_size, "items": items}
        return responses.json_response(page_body)

    @router.get("/ho-so/{ma_ho_so}")
    async def registration_dossier(ma_ho_so: str) -> Response:
        match = _MA_HO_SO.fullmatch(ma_ho_so)
        if match is None:
            return _error(422, "invalid_ma_ho_so", "maHoSo phải có dạng DKDN-<msdn>-<yyyymmdd>-<nnn>")
        msdn, day, seq = match.groups()
        try:
            submitted = datetime.strptime(day, "%Y%m%d").date()
        except ValueError:
            return _error(422, "invalid_ma_ho_so", f"ngày nộp {day} không hợp lệ")
        today = now_vn().date()
        if seq == "000" or submitted > today:
            return _error(422, "invalid_ma_ho_so", "số thứ tự phải từ 001 và ngày nộp không ở tương lai")
        enterprise = ctx.population.enterprise(msdn)
        if enterprise is None or submitted < enterprise.ngay_dang_ky_lan_dau:
            return _error(404, "not_found", f"không tìm thấy hồ sơ {ma_ho_so}")
        return responses.json_response(dossier_status(enterprise, ma_ho_so, submitted, today))

    return router

"""#1 National Business Registration DB (CSDLQG về ĐKDN): its rules and answers, served by engines L and S."""

from __future__ import annotations

import hashlib
import re
from collections.abc import Mapping
from datetime import date, datetime, timedelta
from typing import TYPE_CHECKING, Any

from fastapi import APIRouter

from ndxp_sim.core.model import Enterprise
from ndxp_sim.mock_services.clock import now_vn
from ndxp_sim.mock_services.context import MockContext
from ndxp_sim.mock_services.engines import Filter, Host, Lookup, Param, Search, serve
from ndxp_sim.mock_services.engines.params import MSDN, province

if TYPE_CHECKING:
    from ndxp_sim.core.model import Address
    from ndxp_sim.mock_services.population import Citizen, Population

SERVICE = "csdl_dkdn"
MAX_PAGE_SIZE = 100
PROCESSING_DAYS = 3  # the registration office decides within 3 working days
SUSPENDED = "01"
CCCD_ISSUER = "Cục Cảnh sát quản lý hành chính về trật tự xã hội"
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


def _ma_ho_so(value: str) -> tuple[str, date, str]:
    """(msdn, submission date, sequence) of a dossier code; ValueError says what is wrong."""
    match = _MA_HO_SO.fullmatch(value)
    if match is None:
        raise ValueError("phải có dạng DKDN-<msdn>-<yyyymmdd>-<nnn>")
    msdn, day, seq = match.groups()
    try:
        submitted = datetime.strptime(day, "%Y%m%d").date()
    except ValueError:
        raise ValueError(f"ngày nộp {day} không hợp lệ") from None
    if seq == "000" or submitted > now_vn().date():
        raise ValueError("số thứ tự phải từ 001 và ngày nộp không ở tương lai")
    return msdn, submitted, seq


def _registration(host: Host, keys: Mapping[str, Any]) -> tuple[Enterprise, str, date] | None:
    msdn, submitted, seq = keys["maHoSo"]
    enterprise = host.population.enterprise(msdn)
    if enterprise is None or submitted < enterprise.ngay_dang_ky_lan_dau:
        return None
    return enterprise, f"DKDN-{msdn}-{submitted:%Y%m%d}-{seq}", submitted


DETAIL = Lookup[Enterprise](
    route="/doanh-nghiep/{msdn}",
    operation="chiTietDoanhNghiep",
    keys=(
        Param(
            "msdn",
            MSDN,
            "invalid_msdn",
            "mã số doanh nghiệp '{value}' sai định dạng hoặc sai số kiểm tra",
        ),
    ),
    resolve=lambda host, keys: host.population.enterprise(keys["msdn"]),
    answer=lambda host, enterprise: {"GetEntCert": [ent_cert(host.population, enterprise)]},
    not_found="không tìm thấy doanh nghiệp {msdn}",
)

LISTING = Search[Enterprise](
    route="/doanh-nghiep",
    operation="danhSachDoanhNghiep",
    records=lambda host: host.population.enterprises.values(),
    item=lambda _, enterprise: summary(enterprise),
    order={"MaSoDoanhNghiep": lambda e: e.ma_so_doanh_nghiep},
    identity=lambda e: e.ma_so_doanh_nghiep,
    filters=(
        Filter(
            "maTinh",
            lambda e: e.tru_so.province_code,
            parse=province,
            error="invalid_province",
            message="mã tỉnh '{value}' không có trong danh mục 34 tỉnh",
            index=lambda host, code: host.population.enterprises_in_province(code),
        ),
    ),
    sort_param=None,  # the contract promises MaSoDoanhNghiep order and no choice
    max_size=MAX_PAGE_SIZE,
)

REGISTRATION_DOSSIER = Lookup[tuple[Enterprise, str, date]](
    route="/ho-so/{maHoSo}",
    operation="trangThaiHoSoDangKy",
    keys=(Param("maHoSo", _ma_ho_so, "invalid_ma_ho_so"),),
    resolve=_registration,
    answer=lambda _, found: dossier_status(*found, now_vn().date()),
    not_found="không tìm thấy hồ sơ {maHoSo}",
)


def create_router(ctx: MockContext) -> APIRouter:
    return serve(ctx, SERVICE, DETAIL, LISTING, REGISTRATION_DOSSIER)

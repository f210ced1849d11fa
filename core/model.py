"""The synthetic population's record types: citizens in households, and enterprises."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date


@dataclass(frozen=True, slots=True)
class Address:
    """An address on the post-2025 two-level map: province and commune (xã/phường/đặc khu)."""

    province_code: str  # 2 digits, one of the 34 (e.g. "91" An Giang)
    province_name: str  # "Tỉnh An Giang"
    ward_code: str  # 5 digits (e.g. "30280")
    ward_name: str  # "Phường Long Xuyên"
    detail: str = ""  # house number, street / hamlet ("Số 12, đường Trần Hưng Đạo")
    country: str = "VN"

    def full(self) -> str:
        return ", ".join(part for part in (self.detail, self.ward_name, self.province_name) if part)


@dataclass(slots=True)
class Citizen:
    """One synthetic citizen; the same person in every mock that knows people."""

    so_dinh_danh: str  # 12-digit personal id (CCCD), structure in docs/data-formats.md
    ho: str  # family name, e.g. "Nguyễn"
    chu_dem: str  # middle name(s), may be "" ; e.g. "Thị"
    ten: str  # given name, e.g. "Lan"
    gioi_tinh: str  # "Nam" | "Nữ"
    ngay_sinh: date
    dan_toc: str  # 2-digit code 01..54 (QĐ 121-TCTK/PPCĐ)
    ton_giao: str  # religion name, "Không" for none
    quoc_tich: str  # "VN"
    noi_dang_ky_khai_sinh: Address
    que_quan: Address
    thuong_tru: Address
    noi_o_hien_tai: Address
    household_id: str  # số sổ hộ khẩu / mã hộ
    quan_he_chu_ho: str  # "Chủ hộ", "Vợ", "Chồng", "Con", "Mẹ", "Bố", ...
    tinh_trang_hon_nhan: str  # "Chưa kết hôn" | "Đã kết hôn" | "Ly hôn" | "Góa"
    so_cmnd: str | None = None  # 9-digit legacy id, only for people old enough to have had one
    cha: str | None = None  # so_dinh_danh of the father, if in the population
    me: str | None = None
    vo_chong: str | None = None
    so_dien_thoai: str | None = None  # 10-digit mobile with a real carrier prefix
    email: str | None = None
    ma_so_bhxh: str | None = None  # 10-digit social-insurance number
    nhom_mau: str | None = None  # "A" | "B" | "AB" | "O"
    da_mat: bool = False  # deceased
    ngay_mat: date | None = None

    @property
    def ho_va_ten(self) -> str:
        return " ".join(part for part in (self.ho, self.chu_dem, self.ten) if part)


@dataclass(slots=True)
class Household:
    id: str
    chu_ho: str  # so_dinh_danh of the head
    members: list[str] = field(default_factory=list)  # so_dinh_danh, head first
    address: Address | None = None


@dataclass(slots=True)
class Enterprise:
    """One synthetic enterprise in the business registry."""

    ma_so_doanh_nghiep: str  # 10-digit MST with a valid mod-11 check digit
    ten_tieng_viet: str  # "Công ty TNHH Thương mại Minh Phát"
    ten_viet_tat: str
    ten_nuoc_ngoai: str
    ma_loai_hinh: str  # code of the enterprise type
    loai_hinh: str  # "Công ty trách nhiệm hữu hạn một thành viên", ...
    ngay_dang_ky_lan_dau: date
    ma_tinh_trang: str  # "00" active, "01" suspended, "02" dissolved, ...
    tinh_trang: str  # "Đang hoạt động", "Tạm ngừng kinh doanh", "Đã giải thể", ...
    tru_so: Address
    nguoi_dai_dien: str  # so_dinh_danh of the legal representative (a citizen)
    nganh_nghe: list[tuple[str, str, bool]] = field(default_factory=list)  # (VSIC code, name, is main)
    von_dieu_le: int = 0  # VND, integer
    so_lan_thay_doi: int = 0
    ngay_dang_ky_thay_doi: date | None = None

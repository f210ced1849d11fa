"""The synthetic population's record types: citizens, households, enterprises and what they hold."""

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


@dataclass(frozen=True, slots=True)
class InsurancePeriod:
    """One period of compulsory social insurance with one employer (quá trình đóng BHXH)."""

    tu_ngay: date
    den_ngay: date | None  # None: still contributing
    ma_don_vi: str  # the employer: an enterprise's MST or an agency code (000.00.NN.Hpp)
    ten_don_vi: str
    loai_don_vi: str  # "DN" enterprise | "HC" state agency
    muc_luong: int  # monthly contribution base, VND


@dataclass(frozen=True, slots=True)
class HealthInsurance:
    """A person's social/health-insurance record and current BHYT card."""

    so_dinh_danh: str
    ma_so_bhxh: str  # 10 digits, one per person for life
    ma_the: str  # 15 chars: group code + benefit level + province + ma_so_bhxh (docs/data-formats.md)
    ma_doi_tuong: str  # beneficiary group, e.g. "TE", "HS", "DN", "HC", "HT", "GD"
    muc_huong: int  # benefit level 1..5
    ma_tinh: str  # 2-digit province that issued the card
    gt_the_tu: date
    gt_the_den: date
    ma_dkbd: str  # registered first-care facility: 2-digit province + 3 digits
    ten_dkbd: str
    ngay_du_5_nam: date  # when five years of uninterrupted cover are (or will be) reached
    trang_thai: str  # "Còn hiệu lực" | "Hết hạn" | "Đã báo giảm"
    ma_ho_gia_dinh: str  # the household's code (the residence household id)
    qua_trinh: tuple[InsurancePeriod, ...] = ()


@dataclass(frozen=True, slots=True)
class HouseholdInsuranceMember:
    so_dinh_danh: str
    ma_so_bhxh: str
    thu_tu: int  # 1 for the first member enrolled; later members pay less
    so_tien_nam: int  # yearly contribution, VND


@dataclass(frozen=True, slots=True)
class HouseholdInsurance:
    """BHYT by household (hộ gia đình): the members insured through the household, not an employer."""

    ma_ho_gia_dinh: str
    chu_ho: str
    thanh_vien: tuple[HouseholdInsuranceMember, ...]


@dataclass(frozen=True, slots=True)
class LandParcel:
    """One parcel of the cadastral record (thửa đất) and its land-use-right certificate."""

    ma_xa: str  # 5-digit ward code (2025 map)
    so_to: int  # map sheet number
    so_thua: int  # parcel number on that sheet
    dien_tich: float  # m², one decimal
    muc_dich: str  # land-use code, e.g. "ONT", "ODT", "LUC", "CLN"
    ten_muc_dich: str
    thoi_han: date | None  # None: long-term (residential land)
    nguon_goc: str
    dia_chi: Address
    chu_su_dung: tuple[str, ...]  # so_dinh_danh of the holders: adults of one household
    household_id: str
    so_phat_hanh: str  # certificate serial, "AB 123456"
    so_vao_so: str  # certificate register entry, "CS01234"
    ngay_cap: date

    @property
    def ma_thua(self) -> str:
        return f"{self.ma_xa}-{self.so_to}-{self.so_thua}"


@dataclass(frozen=True, slots=True)
class Inspection:
    """The current periodic-inspection (đăng kiểm) certificate of a car or truck."""

    so_giay_chung_nhan: str
    so_tem: str
    ngay_kiem_dinh: date
    han_kiem_dinh: date
    ma_don_vi: str  # inspection station, plate locality + ordinal + "V", e.g. "67-01V"


@dataclass(frozen=True, slots=True)
class Vehicle:
    """A registered vehicle with its plate and owner."""

    bien_so: str  # "67A-123.45" (car) or "67-B1 123.45" (motorbike)
    loai_xe: str  # "Xe mô tô" | "Ô tô con" | "Ô tô tải"
    nhan_hieu: str
    so_loai: str
    mau_son: str
    nam_san_xuat: int
    dung_tich: int  # cm³; 0 for electric
    so_cho: int
    tai_trong: int  # kg, trucks only
    so_khung: str  # 17-character VIN
    so_may: str
    chu_so_huu: str  # so_dinh_danh of the owner
    ngay_dang_ky: date
    dang_kiem: Inspection | None  # motorbikes have no periodic inspection


@dataclass(frozen=True, slots=True)
class DrivingLicence:
    """A driving licence (GPLX) card of one class."""

    so_gplx: str  # 12 digits
    so_dinh_danh: str
    hang: str  # class under the 2024 road-traffic law: A1, A, B1, B, C1, C, D1, D2, D, BE, ...
    ngay_cap: date
    ngay_het_han: date | None  # None: no expiry (A1, A, B1)
    noi_cap: str
    trang_thai: str  # "Còn hiệu lực" | "Hết hạn" | "Bị thu hồi"
    diem: int  # points left of 12


@dataclass(frozen=True, slots=True)
class CivilServant:
    """A civil servant (công chức) of a provincial agency; always a citizen of the population."""

    so_dinh_danh: str
    ma_co_quan: str  # "000.00.NN.Hpp"
    ten_co_quan: str
    chuc_vu: str
    ma_ngach: str  # rank code, e.g. "01.003"
    ten_ngach: str
    bac_luong: int
    he_so_luong: float
    ngay_tuyen_dung: date

"""Fixed test identities, present in every population whatever the seed and size (see TEST_IDENTITIES.md)."""

from __future__ import annotations

from datetime import date

from ndxp_sim.core import catalogues
from ndxp_sim.core.model import Address, Citizen, Enterprise, Household

CITIZEN_EXISTS = "089085012345"  # Nguyễn Văn An, lives alone in Phường Long Xuyên, An Giang
CITIZEN_EXISTS_CMND = "351234567"  # his old 9-digit CMND
CITIZEN_MISSING = "091190999999"  # well-formed CCCD that is never issued
CITIZEN_DECEASED = "089045012346"  # Trần Văn Bình, died 10/08/2023
COUPLE_HUSBAND = "089088012347"  # Lê Văn Cường
COUPLE_WIFE = "091191012348"  # Phạm Thị Dung, born in Rạch Giá (old Kiên Giang, code 091)
COUPLE_CHILD = "089316012349"  # Lê Ngọc Hân, their daughter
ENTERPRISE_ACTIVE = "1600123453"  # Công ty TNHH Thương mại Dịch vụ Minh Phát An Giang
ENTERPRISE_DISSOLVED = "1700543211"  # Công ty Cổ phần Xây dựng Hoàng Long Kiên Giang

HOUSEHOLD_EXISTS = "9100000001"
HOUSEHOLD_DECEASED = "9100000002"
HOUSEHOLD_COUPLE = "9100000003"
NEVER_ISSUED = frozenset({CITIZEN_MISSING})


def _address(ward_code: str, detail: str = "") -> Address:
    ward = catalogues.ward(ward_code)
    province = catalogues.province(ward.province_code) if ward else None
    if ward is None or province is None:
        raise LookupError(f"test identity ward {ward_code} is not in the catalogue")
    return Address(province.code, province.name, ward.code, ward.name, detail)


def _citizen(**fields: object) -> Citizen:
    defaults: dict[str, object] = {"dan_toc": "01", "ton_giao": "Không", "quoc_tich": "VN"}
    return Citizen(**(defaults | fields))  # type: ignore[arg-type]


def fixed_records() -> tuple[list[Citizen], list[Household], list[Enterprise]]:
    """Fresh copies of the fixed citizens, households and enterprises (callers may mutate them)."""
    long_xuyen = _address("30307")
    an_home = _address("30307", "Số 18, đường Trần Hưng Đạo")
    binh_home = _address("30316", "Số 5, đường Nguyễn Văn Thoại")
    couple_home = _address("30301", "Tổ 7, khóm Đông Thịnh")
    rach_gia = _address("30742")
    citizens = [
        _citizen(
            so_dinh_danh=CITIZEN_EXISTS,
            ho="Nguyễn",
            chu_dem="Văn",
            ten="An",
            gioi_tinh="Nam",
            ngay_sinh=date(1985, 3, 15),
            noi_dang_ky_khai_sinh=long_xuyen,
            que_quan=long_xuyen,
            thuong_tru=an_home,
            noi_o_hien_tai=an_home,
            household_id=HOUSEHOLD_EXISTS,
            quan_he_chu_ho="Chủ hộ",
            tinh_trang_hon_nhan="Chưa kết hôn",
            so_cmnd=CITIZEN_EXISTS_CMND,
            so_dien_thoai="0912345678",
            email="nguyenvanan85@gmail.com",
            ma_so_bhxh="8912345678",
            nhom_mau="O",
        ),
        _citizen(
            so_dinh_danh=CITIZEN_DECEASED,
            ho="Trần",
            chu_dem="Văn",
            ten="Bình",
            gioi_tinh="Nam",
            ngay_sinh=date(1945, 6, 20),
            ton_giao="Phật giáo Hòa Hảo",
            noi_dang_ky_khai_sinh=_address("30316"),
            que_quan=_address("30316"),
            thuong_tru=binh_home,
            noi_o_hien_tai=binh_home,
            household_id=HOUSEHOLD_DECEASED,
            quan_he_chu_ho="Chủ hộ",
            tinh_trang_hon_nhan="Góa",
            so_cmnd="350123456",
            ma_so_bhxh="8900123456",
            nhom_mau="A",
            da_mat=True,
            ngay_mat=date(2023, 8, 10),
        ),
        _citizen(
            so_dinh_danh=COUPLE_HUSBAND,
            ho="Lê",
            chu_dem="Văn",
            ten="Cường",
            gioi_tinh="Nam",
            ngay_sinh=date(1988, 7, 2),
            noi_dang_ky_khai_sinh=_address("30301"),
            que_quan=_address("30301"),
            thuong_tru=couple_home,
            noi_o_hien_tai=couple_home,
            household_id=HOUSEHOLD_COUPLE,
            quan_he_chu_ho="Chủ hộ",
            tinh_trang_hon_nhan="Đã kết hôn",
            so_cmnd="351234568",
            vo_chong=COUPLE_WIFE,
            so_dien_thoai="0987654321",
            email="levancuong88@gmail.com",
            ma_so_bhxh="8912345679",
            nhom_mau="B",
        ),
        _citizen(
            so_dinh_danh=COUPLE_WIFE,
            ho="Phạm",
            chu_dem="Thị",
            ten="Dung",
            gioi_tinh="Nữ",
            ngay_sinh=date(1991, 11, 20),
            noi_dang_ky_khai_sinh=rach_gia,
            que_quan=rach_gia,
            thuong_tru=couple_home,
            noi_o_hien_tai=couple_home,
            household_id=HOUSEHOLD_COUPLE,
            quan_he_chu_ho="Vợ",
            tinh_trang_hon_nhan="Đã kết hôn",
            so_cmnd="371234569",
            vo_chong=COUPLE_HUSBAND,
            so_dien_thoai="0903456789",
            ma_so_bhxh="9112345670",
            nhom_mau="O",
        ),
        _citizen(
            so_dinh_danh=COUPLE_CHILD,
            ho="Lê",
            chu_dem="Ngọc",
            ten="Hân",
            gioi_tinh="Nữ",
            ngay_sinh=date(2016, 5, 9),
            noi_dang_ky_khai_sinh=long_xuyen,
            que_quan=_address("30301"),
            thuong_tru=couple_home,
            noi_o_hien_tai=couple_home,
            household_id=HOUSEHOLD_COUPLE,
            quan_he_chu_ho="Con",
            tinh_trang_hon_nhan="Chưa kết hôn",
            cha=COUPLE_HUSBAND,
            me=COUPLE_WIFE,
            ma_so_bhxh="8912345680",
            nhom_mau="O",
        ),
    ]
    households = [
        Household(HOUSEHOLD_EXISTS, CITIZEN_EXISTS, [CITIZEN_EXISTS], an_home),
        Household(HOUSEHOLD_DECEASED, CITIZEN_DECEASED, [CITIZEN_DECEASED], binh_home),
        Household(HOUSEHOLD_COUPLE, COUPLE_HUSBAND, [COUPLE_HUSBAND, COUPLE_WIFE, COUPLE_CHILD], couple_home),
    ]
    enterprises = [
        Enterprise(
            ma_so_doanh_nghiep=ENTERPRISE_ACTIVE,
            ten_tieng_viet="Công ty TNHH Thương mại Dịch vụ Minh Phát An Giang",
            ten_viet_tat="MINH PHAT AN GIANG TMDV CO.,LTD",
            ten_nuoc_ngoai="MINH PHAT AN GIANG TRADING SERVICES ONE MEMBER COMPANY LIMITED",
            ma_loai_hinh="03",
            loai_hinh="Công ty trách nhiệm hữu hạn một thành viên",
            ngay_dang_ky_lan_dau=date(2012, 4, 9),
            ma_tinh_trang="00",
            tinh_trang="Đang hoạt động",
            tru_so=_address("30307", "Số 120, đường Hà Hoàng Hổ"),
            nguoi_dai_dien=CITIZEN_EXISTS,
            nganh_nghe=[
                ("4690", "Bán buôn tổng hợp", True),
                ("4632", "Bán buôn thực phẩm", False),
                ("8299", "Hoạt động dịch vụ hỗ trợ kinh doanh khác còn lại chưa được phân vào đâu", False),
            ],
            von_dieu_le=5_000_000_000,
            so_lan_thay_doi=2,
            ngay_dang_ky_thay_doi=date(2021, 10, 18),
        ),
        Enterprise(
            ma_so_doanh_nghiep=ENTERPRISE_DISSOLVED,
            ten_tieng_viet="Công ty Cổ phần Xây dựng Hoàng Long Kiên Giang",
            ten_viet_tat="HOANG LONG KIEN GIANG XD JSC",
            ten_nuoc_ngoai="HOANG LONG KIEN GIANG CONSTRUCTION JOINT STOCK COMPANY",
            ma_loai_hinh="04",
            loai_hinh="Công ty cổ phần",
            ngay_dang_ky_lan_dau=date(2009, 2, 16),
            ma_tinh_trang="02",
            tinh_trang="Đã giải thể",
            tru_so=_address("30742", "Số 45, đường Nguyễn Trung Trực"),
            nguoi_dai_dien=COUPLE_HUSBAND,
            nganh_nghe=[
                ("4101", "Xây dựng nhà để ở", True),
                ("4212", "Xây dựng công trình đường bộ", False),
            ],
            von_dieu_le=20_000_000_000,
            so_lan_thay_doi=4,
            ngay_dang_ky_thay_doi=date(2022, 12, 5),
        ),
    ]
    return citizens, households, enterprises

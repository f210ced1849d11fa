"""Fixed test identities, present in every population whatever the seed and size (see TEST_IDENTITIES.md)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from ndxp_sim.core import catalogues
from ndxp_sim.core.model import (
    Address,
    Citizen,
    CivilServant,
    DrivingLicence,
    Enterprise,
    HealthInsurance,
    Household,
    HouseholdInsurance,
    HouseholdInsuranceMember,
    Inspection,
    InsurancePeriod,
    LandParcel,
    Vehicle,
)

CITIZEN_EXISTS = "089085012345"  # Nguyễn Văn An, lives alone in Phường Long Xuyên, An Giang
CITIZEN_EXISTS_CMND = "351234567"  # his old 9-digit CMND
CITIZEN_MISSING = "091190999999"  # well-formed CCCD that is never issued
CITIZEN_DECEASED = "089045012346"  # Trần Văn Bình, died 10/08/2023
COUPLE_HUSBAND = "089088012347"  # Lê Văn Cường
COUPLE_WIFE = "091191012348"  # Phạm Thị Dung, born in Rạch Giá (old Kiên Giang, code 091)
COUPLE_CHILD = "089316012349"  # Lê Ngọc Hân, their daughter
COUPLE_BABY = "089223012350"  # Lê Minh Khôi, their son, under 6: insured on a child's card
ENTERPRISE_ACTIVE = "1600123453"  # Công ty TNHH Thương mại Dịch vụ Minh Phát An Giang
ENTERPRISE_DISSOLVED = "1700543211"  # Công ty Cổ phần Xây dựng Hoàng Long Kiên Giang

HOUSEHOLD_EXISTS = "9100000001"
HOUSEHOLD_DECEASED = "9100000002"
HOUSEHOLD_COUPLE = "9100000003"
NEVER_ISSUED = frozenset({CITIZEN_MISSING})

BHYT_CARD_EXISTS = "DN4918912345678"  # CITIZEN_EXISTS, employee of ENTERPRISE_ACTIVE
BHYT_CARD_SERVANT = "HC4918912345679"  # COUPLE_HUSBAND, civil servant
BHYT_CARD_HOUSEHOLD = "GD4919112345670"  # COUPLE_WIFE, insured through the household
BHYT_CARD_PUPIL = "HS4918912345680"  # COUPLE_CHILD
BHYT_CARD_CHILD = "TE2898912345681"  # COUPLE_BABY, child under 6, issued at birth (old code 89)
BHYT_CARD_DECEASED = "HT3898900123456"  # CITIZEN_DECEASED, pensioner; withdrawn at death
AGENCY_SERVANT = "000.00.03.H91"  # Sở Tư pháp tỉnh An Giang, COUPLE_HUSBAND's agency
PLATE_CAR = "67A-123.45"  # CITIZEN_EXISTS's car
PLATE_MOTORBIKE = "67-B1 234.56"  # CITIZEN_EXISTS's motorbike
PLATE_MOTORBIKE_COUPLE = "67-C1 345.67"  # COUPLE_HUSBAND's motorbike
LICENCE_CAR = "890123456789"  # CITIZEN_EXISTS, class B
LICENCE_MOTORBIKE = "890012345678"  # CITIZEN_EXISTS, class A1
LICENCE_MOTORBIKE_COUPLE = "890234567890"  # COUPLE_HUSBAND, class A1
PARCEL_EXISTS = "30307-12-345"  # CITIZEN_EXISTS's residential parcel (ward-sheet-parcel)
PARCEL_COUPLE = "30301-8-112"  # held jointly by COUPLE_HUSBAND and COUPLE_WIFE
CERTIFICATE_EXISTS = "DA 123456"  # the certificate of PARCEL_EXISTS
CERTIFICATE_COUPLE = "CT 654321"


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
        _citizen(
            so_dinh_danh=COUPLE_BABY,
            ho="Lê",
            chu_dem="Minh",
            ten="Khôi",
            gioi_tinh="Nam",
            ngay_sinh=date(2023, 3, 14),
            noi_dang_ky_khai_sinh=long_xuyen,
            que_quan=_address("30301"),
            thuong_tru=couple_home,
            noi_o_hien_tai=couple_home,
            household_id=HOUSEHOLD_COUPLE,
            quan_he_chu_ho="Con",
            tinh_trang_hon_nhan="Chưa kết hôn",
            cha=COUPLE_HUSBAND,
            me=COUPLE_WIFE,
            ma_so_bhxh="8912345681",
            nhom_mau="B",
        ),
    ]
    households = [
        Household(HOUSEHOLD_EXISTS, CITIZEN_EXISTS, [CITIZEN_EXISTS], an_home),
        Household(HOUSEHOLD_DECEASED, CITIZEN_DECEASED, [CITIZEN_DECEASED], binh_home),
        Household(
            HOUSEHOLD_COUPLE,
            COUPLE_HUSBAND,
            [COUPLE_HUSBAND, COUPLE_WIFE, COUPLE_CHILD, COUPLE_BABY],
            couple_home,
        ),
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


@dataclass(frozen=True, slots=True)
class FixedHoldings:
    """What the fixed citizens hold: insurance, a civil-service post, vehicles, licences and land."""

    insurance: dict[str, HealthInsurance]
    household_insurance: dict[str, HouseholdInsurance]
    servants: dict[str, CivilServant]
    vehicles: tuple[Vehicle, ...]
    licences: tuple[DrivingLicence, ...]
    parcels: tuple[LandParcel, ...]


def _station(ward_code: str) -> catalogues.Facility:
    station = catalogues.health_station(ward_code)
    if station is None:
        raise LookupError(f"no health station for ward {ward_code}")
    return station


def _card(
    holder: str,
    bhxh: str,
    card: str,
    validity: tuple[date, date],
    facility: catalogues.Facility,
    five_years: date,
    household: str,
    periods: tuple[InsurancePeriod, ...] = (),
    status: str = "Còn hiệu lực",
) -> HealthInsurance:
    return HealthInsurance(
        so_dinh_danh=holder,
        ma_so_bhxh=bhxh,
        ma_the=card,
        ma_doi_tuong=card[:2],
        muc_huong=int(card[2]),
        ma_tinh=card[3:5],
        gt_the_tu=validity[0],
        gt_the_den=validity[1],
        ma_dkbd=facility.code,
        ten_dkbd=facility.name,
        ngay_du_5_nam=five_years,
        trang_thai=status,
        ma_ho_gia_dinh=household,
        qua_trinh=periods,
    )


def _parcel(
    key: str, area: float, holders: tuple[str, ...], certificate: tuple[str, str, date]
) -> LandParcel:
    ward_code, sheet, number = key.split("-")
    address = _address(
        ward_code, "Số 18, đường Trần Hưng Đạo" if ward_code == "30307" else "Tổ 7, khóm Đông Thịnh"
    )
    return LandParcel(
        ma_xa=ward_code,
        so_to=int(sheet),
        so_thua=int(number),
        dien_tich=area,
        muc_dich="ODT",
        ten_muc_dich="Đất ở tại đô thị",
        thoi_han=None,
        nguon_goc="Nhận chuyển nhượng quyền sử dụng đất",
        dia_chi=address,
        chu_su_dung=holders,
        household_id=HOUSEHOLD_EXISTS if ward_code == "30307" else HOUSEHOLD_COUPLE,
        so_phat_hanh=certificate[0],
        so_vao_so=certificate[1],
        ngay_cap=certificate[2],
    )


def fixed_holdings() -> FixedHoldings:
    """The fixed citizens' records in the other national databases (see TEST_IDENTITIES.md)."""
    hospital = catalogues.facilities("91")[0]
    home_station = _station("30301")
    this_year = (date(2026, 1, 1), date(2026, 12, 31))
    agency_name = "Sở Tư pháp tỉnh An Giang"
    servant = CivilServant(
        COUPLE_HUSBAND,
        AGENCY_SERVANT,
        agency_name,
        "Chuyên viên",
        "01.003",
        "Chuyên viên",
        5,
        3.66,
        date(2012, 8, 1),
    )
    career = InsurancePeriod(date(2012, 8, 1), None, AGENCY_SERVANT, agency_name, "HC", 8_564_400)
    job = InsurancePeriod(
        date(2012, 5, 1),
        None,
        ENTERPRISE_ACTIVE,
        "Công ty TNHH Thương mại Dịch vụ Minh Phát An Giang",
        "DN",
        8_000_000,
    )
    pension = InsurancePeriod(
        date(1976, 1, 1),
        date(2005, 6, 19),
        "000.00.06.H91",
        "Sở Nông nghiệp và Môi trường tỉnh An Giang",
        "HC",
        5_616_000,
    )
    cards = [
        _card(
            CITIZEN_EXISTS,
            "8912345678",
            BHYT_CARD_EXISTS,
            this_year,
            hospital,
            date(2017, 5, 1),
            HOUSEHOLD_EXISTS,
            (job,),
        ),
        _card(
            COUPLE_HUSBAND,
            "8912345679",
            BHYT_CARD_SERVANT,
            this_year,
            hospital,
            date(2017, 8, 1),
            HOUSEHOLD_COUPLE,
            (career,),
        ),
        _card(
            COUPLE_WIFE,
            "9112345670",
            BHYT_CARD_HOUSEHOLD,
            (date(2026, 3, 1), date(2027, 2, 28)),
            home_station,
            date(2023, 3, 1),
            HOUSEHOLD_COUPLE,
        ),
        _card(
            COUPLE_CHILD,
            "8912345680",
            BHYT_CARD_PUPIL,
            this_year,
            home_station,
            date(2021, 5, 9),
            HOUSEHOLD_COUPLE,
        ),
        _card(
            COUPLE_BABY,
            "8912345681",
            BHYT_CARD_CHILD,
            (date(2023, 3, 14), date(2029, 9, 30)),
            home_station,
            date(2028, 3, 14),
            HOUSEHOLD_COUPLE,
        ),
        _card(
            CITIZEN_DECEASED,
            "8900123456",
            BHYT_CARD_DECEASED,
            (date(2023, 1, 1), date(2023, 8, 10)),
            hospital,
            date(2014, 7, 1),
            HOUSEHOLD_DECEASED,
            (pension,),
            status="Đã báo giảm",
        ),
    ]
    household_cover = HouseholdInsurance(
        HOUSEHOLD_COUPLE, COUPLE_HUSBAND, (HouseholdInsuranceMember(COUPLE_WIFE, "9112345670", 1, 1_263_600),)
    )
    car = Vehicle(
        bien_so=PLATE_CAR,
        loai_xe="Ô tô con",
        nhan_hieu="Toyota",
        so_loai="Vios",
        mau_son="Bạc",
        nam_san_xuat=2019,
        dung_tich=1496,
        so_cho=5,
        tai_trong=0,
        so_khung="RLTBT3F30K1234567",
        so_may="TO21E1234567",
        chu_so_huu=CITIZEN_EXISTS,
        ngay_dang_ky=date(2019, 8, 15),
        dang_kiem=Inspection("KD 1234567", "H1234567", date(2025, 9, 10), date(2027, 9, 9), "67-01V"),
    )
    bikes = [
        Vehicle(
            PLATE_MOTORBIKE,
            "Xe mô tô",
            "Honda",
            "Wave Alpha",
            "Đỏ",
            2015,
            110,
            2,
            0,
            "RLHJA3900F1234567",
            "HO11E2345678",
            CITIZEN_EXISTS,
            date(2015, 4, 2),
            None,
        ),
        Vehicle(
            PLATE_MOTORBIKE_COUPLE,
            "Xe mô tô",
            "Honda",
            "Air Blade",
            "Đen",
            2020,
            125,
            2,
            0,
            "RLHKF1200L7654321",
            "HO12E3456789",
            COUPLE_HUSBAND,
            date(2020, 10, 12),
            None,
        ),
    ]
    transport = "Sở Giao thông vận tải An Giang"
    licences = (
        DrivingLicence(
            LICENCE_MOTORBIKE, CITIZEN_EXISTS, "A1", date(2003, 6, 10), None, transport, "Còn hiệu lực", 12
        ),
        DrivingLicence(
            LICENCE_CAR,
            CITIZEN_EXISTS,
            "B",
            date(2018, 5, 20),
            date(2028, 5, 20),
            transport,
            "Còn hiệu lực",
            10,
        ),
        DrivingLicence(
            LICENCE_MOTORBIKE_COUPLE,
            COUPLE_HUSBAND,
            "A1",
            date(2007, 9, 1),
            None,
            transport,
            "Còn hiệu lực",
            12,
        ),
    )
    parcels = (
        _parcel(PARCEL_EXISTS, 120.5, (CITIZEN_EXISTS,), (CERTIFICATE_EXISTS, "CS01234", date(2015, 6, 18))),
        _parcel(
            PARCEL_COUPLE,
            98.0,
            (COUPLE_HUSBAND, COUPLE_WIFE),
            (CERTIFICATE_COUPLE, "CS04567", date(2019, 11, 5)),
        ),
    )
    return FixedHoldings(
        insurance={card.so_dinh_danh: card for card in cards},
        household_insurance={HOUSEHOLD_COUPLE: household_cover},
        servants={COUPLE_HUSBAND: servant},
        vehicles=(car, *bikes),
        licences=licences,
        parcels=parcels,
    )

"""Civil servants of provincial agencies: agency codes, positions, ranks and salary grades."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from ndxp_sim.core import catalogues
from ndxp_sim.core.model import CivilServant
from ndxp_sim.mock_services.population.dates import REFERENCE_DATE, add_years
from ndxp_sim.mock_services.population.derive import Stream
from ndxp_sim.mock_services.population.sampling import Weighted

# Provincial agencies after the 2025 reorganisation, by their ordinal in the code 000.00.NN.Hpp.
AGENCIES: tuple[tuple[str, str], ...] = (
    ("01", "Văn phòng Ủy ban nhân dân"),
    ("02", "Sở Nội vụ"),
    ("03", "Sở Tư pháp"),
    ("04", "Sở Tài chính"),
    ("05", "Sở Công Thương"),
    ("06", "Sở Nông nghiệp và Môi trường"),
    ("07", "Sở Xây dựng"),
    ("08", "Sở Giáo dục và Đào tạo"),
    ("09", "Sở Y tế"),
    ("10", "Sở Khoa học và Công nghệ"),
    ("11", "Sở Văn hóa, Thể thao và Du lịch"),
    ("12", "Thanh tra"),
    ("13", "Sở Dân tộc và Tôn giáo"),
)
# Monthly base salary (lương cơ sở) since 1 July 2024, VND.
BASE_SALARY = 2_340_000


@dataclass(frozen=True, slots=True)
class Rank:
    """A civil-service rank (ngạch) and its salary scale: first coefficient, step, number of grades."""

    code: str
    name: str
    first: float
    step: float
    grades: int
    years_per_grade: int


RANKS = {
    rank.code: rank
    for rank in (
        Rank("01.001", "Chuyên viên cao cấp", 6.20, 0.36, 6, 3),
        Rank("01.002", "Chuyên viên chính", 4.40, 0.34, 8, 3),
        Rank("01.003", "Chuyên viên", 2.34, 0.33, 9, 3),
        Rank("01.004", "Cán sự", 2.10, 0.18, 12, 2),
        Rank("01.005", "Nhân viên", 1.86, 0.18, 12, 2),
    )
}
_POSITIONS = Weighted.of([("Chuyên viên", 84), ("Phó Trưởng phòng", 11), ("Trưởng phòng", 5)])


def agency_code(province_code: str, ordinal: str) -> str:
    return f"000.00.{ordinal}.H{province_code}"


def agency_name(province_code: str, ordinal: str) -> str:
    province = catalogues.province(province_code)
    if province is None:
        raise LookupError(f"unknown province {province_code!r}")
    department = dict(AGENCIES)[ordinal]
    return f"{department} {province.type.lower()} {province.short_name}"


def coefficient(rank: Rank, grade: int) -> float:
    return round(rank.first + rank.step * (grade - 1), 2)


def make_servant(stream: Stream, so_dinh_danh: str, province_code: str, born: date) -> CivilServant:
    """A servant hired at 22 or later by one of the province's agencies; rank and grade follow seniority."""
    ordinal, _ = stream.choice(AGENCIES)
    hired = stream.day_between(add_years(born, 22), REFERENCE_DATE)
    years = (REFERENCE_DATE - hired).days // 365
    if years >= 15 and stream.chance(0.3):
        rank = RANKS["01.001" if stream.chance(0.1) else "01.002"]
    elif stream.chance(0.1):
        rank = RANKS["01.004"]
    else:
        rank = RANKS["01.003"]
    grade = min(rank.grades, 1 + years // rank.years_per_grade)
    position = stream.pick(_POSITIONS) if years >= 8 else "Chuyên viên"
    return CivilServant(
        so_dinh_danh=so_dinh_danh,
        ma_co_quan=agency_code(province_code, ordinal),
        ten_co_quan=agency_name(province_code, ordinal),
        chuc_vu=position,
        ma_ngach=rank.code,
        ten_ngach=rank.name,
        bac_luong=grade,
        he_so_luong=coefficient(rank, grade),
        ngay_tuyen_dung=hired,
    )

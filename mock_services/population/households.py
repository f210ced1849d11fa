"""Generate citizens in households: couples with children, grandparents, singles and single parents."""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import date, timedelta
from functools import partial

from ndxp_sim.core.catalogues import Ward
from ndxp_sim.core.identifiers import FEMALE, MALE, make_cccd
from ndxp_sim.core.model import Address, Citizen, Household
from ndxp_sim.mock_services.population import names, people
from ndxp_sim.mock_services.population.dates import REFERENCE_DATE, add_years, age_on, province_code_on
from ndxp_sim.mock_services.population.population import cccd_prefix
from ndxp_sim.mock_services.population.sampling import Weighted

MAX_AGE = 95
MARRIED, SINGLE, DIVORCED, WIDOWED = "Đã kết hôn", "Chưa kết hôn", "Ly hôn", "Góa"
_KINDS = Weighted.of(
    [("single", 10), ("couple", 10), ("family", 50), ("extended", 20), ("single_parent", 10)]
)
_CHILD_COUNTS = Weighted.of([(1, 30), (2, 48), (3, 16), (4, 6)])
# Children under 6 are always insured (free BHYT card); most others have a BHXH number too.
INSURED_SHARE = 0.9
INSURED_FROM_BIRTH_AGE = 6


def _between(rng: random.Random, start: date, end: date) -> date:
    return start + timedelta(days=rng.randint(0, max(0, (end - start).days)))


@dataclass(slots=True)
class _Home:
    """What the members of one household share."""

    household: Household
    ward: Ward
    address: Address
    dan_toc: str
    ton_giao: str


class HouseholdBuilder:
    """Adds households to `citizens`/`households` until asked to stop; all randomness from one rng."""

    def __init__(self, rng: random.Random, draws: people.UniqueDraws) -> None:
        self.rng = rng
        self.draws = draws
        self.citizens: dict[str, Citizen] = {}
        self.households: dict[str, Household] = {}

    def add_household(self) -> Household:
        rng = self.rng
        province = people.province_code(rng)
        ward = people.ward_in(rng, province)
        address = people.address(ward, people.street_detail(rng, ward))
        household_id = self.draws.draw(lambda: f"{province}{rng.randrange(10**8):08d}")
        household = Household(household_id, "", [], address)
        dan_toc = people.ethnicity(rng, province)
        home = _Home(household, ward, address, dan_toc, people.religion(rng, province, dan_toc))
        self.households[household_id] = household
        getattr(self, f"_{_KINDS.pick(rng)}")(home)
        household.chu_ho = household.members[0]
        self._pass_away(home)
        return household

    # Household kinds: each adds its members, head first.

    def _single(self, home: _Home) -> None:
        born = self._born(REFERENCE_DATE.year - 90, REFERENCE_DATE.year - 18)
        age = age_on(born)
        status = SINGLE
        if age >= 30:
            choices = [(SINGLE, 40), (DIVORCED, 30)] + ([(WIDOWED, 30)] if age >= 45 else [])
            status = Weighted.of(choices).pick(self.rng)
        self._person(home, sex=self.rng.choice((MALE, FEMALE)), born=born, relation="Chủ hộ", marital=status)

    def _couple(self, home: _Home) -> None:
        self._spouses(home, self._born(REFERENCE_DATE.year - 85, REFERENCE_DATE.year - 20))

    def _family(self, home: _Home) -> None:
        husband, wife = self._spouses(home, self._born(REFERENCE_DATE.year - 60, REFERENCE_DATE.year - 22))
        self._children(home, father=husband, mother=wife)

    def _extended(self, home: _Home) -> None:
        husband_born = self._born(REFERENCE_DATE.year - 55, REFERENCE_DATE.year - 25)
        husband, wife = self._spouses(home, husband_born, wife_may_head=False)
        self._children(home, father=husband, mother=wife)
        self._grandparents(home, husband)

    def _single_parent(self, home: _Home) -> None:
        born = self._born(REFERENCE_DATE.year - 60, REFERENCE_DATE.year - 22)
        status = DIVORCED if self.rng.random() < 0.6 else WIDOWED
        mother = self._person(home, sex=FEMALE, born=born, relation="Chủ hộ", marital=status)
        self._children(home, father=None, mother=mother)

    # Building blocks.

    def _spouses(
        self, home: _Home, husband_born: date, wife_may_head: bool = True
    ) -> tuple[Citizen, Citizen]:
        rng = self.rng
        wife_head = wife_may_head and rng.random() < 0.15
        latest = add_years(REFERENCE_DATE, -18)
        wife_born = min(add_years(husband_born, rng.randint(-2, 8)), latest) - timedelta(
            days=rng.randint(0, 200)
        )
        wife_born = max(wife_born, add_years(REFERENCE_DATE, -MAX_AGE) + timedelta(days=1))
        husband_role, wife_role = ("Chồng", "Chủ hộ") if wife_head else ("Chủ hộ", "Vợ")
        wife_ethnicity = home.dan_toc if rng.random() < 0.9 else "01"
        add_husband = partial(self._person, home, sex=MALE, born=husband_born, relation=husband_role)
        add_wife = partial(
            self._person, home, sex=FEMALE, born=wife_born, relation=wife_role, dan_toc=wife_ethnicity
        )
        # The head is added first, so that it leads the household's member list.
        if wife_head:
            wife, husband = add_wife(marital=MARRIED), add_husband(marital=MARRIED)
        else:
            husband, wife = add_husband(marital=MARRIED), add_wife(marital=MARRIED)
        husband.vo_chong, wife.vo_chong = wife.so_dinh_danh, husband.so_dinh_danh
        return husband, wife

    def _children(self, home: _Home, father: Citizen | None, mother: Citizen) -> None:
        rng = self.rng
        parents = [parent for parent in (father, mother) if parent]
        # Children are born to parents of 19+; those over 30 have left to found their own household.
        earliest = max(
            [add_years(parent.ngay_sinh, 19) for parent in parents] + [add_years(REFERENCE_DATE, -30)]
        )
        latest = min(add_years(mother.ngay_sinh, 42), REFERENCE_DATE)
        if earliest > latest:
            return
        births = sorted(_between(rng, earliest, latest) for _ in range(_CHILD_COUNTS.pick(rng)))
        if father:
            family = father.ho if rng.random() < 0.95 else mother.ho
        else:
            family = mother.ho if rng.random() < 0.3 else names.family_name(rng, home.dan_toc)
        for born in births:
            child = self._person(
                home,
                sex=rng.choice((MALE, FEMALE)),
                born=born,
                relation="Con",
                marital=SINGLE,
                ho=family,
                dan_toc=(father or mother).dan_toc,
                child_of=father or mother,
            )
            child.cha = father.so_dinh_danh if father else None
            child.me = mother.so_dinh_danh

    def _grandparents(self, home: _Home, husband: Citizen) -> None:
        rng = self.rng
        oldest = add_years(REFERENCE_DATE, -MAX_AGE) + timedelta(days=1)
        latest = add_years(husband.ngay_sinh, -20)
        grandfather_born = max(add_years(husband.ngay_sinh, -rng.randint(22, 38)), oldest)
        grandmother_born = min(max(add_years(grandfather_born, rng.randint(-2, 6)), oldest), latest)
        both = rng.random() < 0.7
        grandfather = None
        if both or rng.random() < 0.3:
            grandfather = self._person(
                home,
                sex=MALE,
                born=min(grandfather_born, latest),
                relation="Bố",
                marital=MARRIED if both else WIDOWED,
                ho=husband.ho,
                dan_toc=husband.dan_toc,
            )
            husband.cha = grandfather.so_dinh_danh
        if both or grandfather is None:
            grandmother = self._person(
                home,
                sex=FEMALE,
                born=grandmother_born,
                relation="Mẹ",
                marital=MARRIED if both else WIDOWED,
                dan_toc=husband.dan_toc,
            )
            husband.me = grandmother.so_dinh_danh
            if grandfather:
                grandfather.vo_chong, grandmother.vo_chong = (
                    grandmother.so_dinh_danh,
                    grandfather.so_dinh_danh,
                )

    def _pass_away(self, home: _Home) -> None:
        """Some older members have died; they stay on record (da_mat) and a surviving spouse is widowed."""
        rng = self.rng
        for member_id in home.household.members[1:]:
            member = self.citizens[member_id]
            age = age_on(member.ngay_sinh)
            if age < 30 or rng.random() >= (0.003 if age < 60 else 0.03 + (age - 60) * 0.01):
                continue
            # Everyone's children are in the same household, so only its members need checking.
            household_members = (self.citizens[other] for other in home.household.members)
            youngest_child = max(
                (other.ngay_sinh for other in household_members if member_id in (other.cha, other.me)),
                default=date.min,
            )
            start = max(add_years(REFERENCE_DATE, -8), add_years(member.ngay_sinh, 30), youngest_child)
            member.da_mat, member.ngay_mat = True, _between(rng, start, REFERENCE_DATE)
            spouse = self.citizens.get(member.vo_chong or "")
            if spouse is None:
                continue
            if not spouse.da_mat:
                spouse.tinh_trang_hon_nhan = WIDOWED
            else:  # both have died: only one who outlived the other had been widowed
                for person, other in ((member, spouse), (spouse, member)):
                    outlived = (other.ngay_mat or date.max) < (person.ngay_mat or date.min)
                    person.tinh_trang_hon_nhan = WIDOWED if outlived else MARRIED

    def _born(self, first_year: int, last_year: int) -> date:
        return people.birth_date(
            self.rng, self.rng.randint(first_year, last_year), add_years(REFERENCE_DATE, -18)
        )

    def _person(
        self,
        home: _Home,
        *,
        sex: str,
        born: date,
        relation: str,
        marital: str,
        ho: str | None = None,
        dan_toc: str | None = None,
        child_of: Citizen | None = None,
    ) -> Citizen:
        rng, draws = self.rng, self.draws
        dan_toc = dan_toc or home.dan_toc
        birth_ward = self._birth_ward(home, child=child_of is not None)
        que_quan = child_of.que_quan if child_of else self._que_quan(birth_ward)
        prefix = cccd_prefix(birth_ward.code, birth_ward.province_code, born)
        ho = ho or names.family_name(rng, dan_toc)
        age = age_on(born)
        phone = draws.phone() if age >= 15 and rng.random() < 0.92 else None
        ten = names.given_name(rng, sex)
        citizen = Citizen(
            so_dinh_danh=draws.draw(lambda: make_cccd(prefix, sex, born.year, rng.randrange(10**6))),
            ho=ho,
            chu_dem=names.middle_name(rng, sex, born.year),
            ten=ten,
            gioi_tinh=sex,
            ngay_sinh=born,
            dan_toc=dan_toc,
            ton_giao=home.ton_giao
            if rng.random() < 0.9
            else people.religion(rng, home.ward.province_code, dan_toc),
            quoc_tich="VN",
            noi_dang_ky_khai_sinh=people.address(birth_ward),
            que_quan=que_quan,
            thuong_tru=home.address,
            noi_o_hien_tai=self._current_residence(home, age),
            household_id=home.household.id,
            quan_he_chu_ho=relation,
            tinh_trang_hon_nhan=marital,
            so_cmnd=draws.cmnd() if born.year < 2000 and rng.random() < 0.6 else None,
            so_dien_thoai=phone,
            email=draws.email(ho, ten, born.year) if phone and age >= 18 and rng.random() < 0.3 else None,
            ma_so_bhxh=self._bhxh(home, born, age),
            nhom_mau=people.blood_group(rng),
        )
        self.citizens[citizen.so_dinh_danh] = citizen
        home.household.members.append(citizen.so_dinh_danh)
        return citizen

    def _bhxh(self, home: _Home, born: date, age: int) -> str | None:
        if age >= INSURED_FROM_BIRTH_AGE and self.rng.random() >= INSURED_SHARE:
            return None
        # The issuing office's province: the old one for numbers issued before the reorganisation.
        return self.draws.bhxh(province_code_on(home.ward, born))

    def _birth_ward(self, home: _Home, child: bool) -> Ward:
        rng = self.rng
        if child:
            return home.ward if rng.random() < 0.85 else people.ward_in(rng, home.ward.province_code)
        if rng.random() < 0.75:
            return people.ward_in(rng, home.ward.province_code)
        return people.ward_in(rng, people.province_code(rng))

    def _que_quan(self, birth_ward: Ward) -> Address:
        rng = self.rng
        if rng.random() < 0.8:
            return people.address(birth_ward)
        return people.address(people.ward_in(rng, people.province_code(rng)))

    def _current_residence(self, home: _Home, age: int) -> Address:
        """Most live where they are registered; some young adults work in another commune."""
        rng = self.rng
        if not 18 <= age <= 40 or rng.random() >= 0.1:
            return home.address
        province = "79" if rng.random() < 0.4 else people.province_code(rng)
        ward = people.ward_in(rng, province)
        return people.address(ward, people.street_detail(rng, ward))

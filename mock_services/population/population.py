"""The Population: citizens in households and enterprises, with lookups and birth registration."""

from __future__ import annotations

import random
import threading
from datetime import date
from typing import Any

from ndxp_sim.core import catalogues
from ndxp_sim.core.identifiers import make_cccd
from ndxp_sim.core.model import Address, Citizen, Enterprise, Household

# Births registered before the 2025 reorganisation carry the old province code in their CCCD.
REORGANISATION_DATE = date(2025, 7, 1)
HEAD_OR_SPOUSE = frozenset({"Chủ hộ", "Vợ", "Chồng"})


def cccd_prefix(birth_ward_code: str, province_code: str, birth_date: date) -> str:
    """The CCCD prefix: "0" + the province code in force where and when the birth was registered."""
    ward = catalogues.ward(birth_ward_code)
    if ward is not None:
        return "0" + (ward.old_province_code if birth_date < REORGANISATION_DATE else ward.province_code)
    if catalogues.province(province_code) is None:
        raise ValueError(
            f"unknown birth-registration place: ward {birth_ward_code!r}, province {province_code!r}"
        )
    return "0" + province_code


class Population:
    """The shared synthetic population; lookups are dict hits, register_birth is serialised by a lock."""

    def __init__(
        self,
        citizens: dict[str, Citizen],
        households: dict[str, Household],
        enterprises: dict[str, Enterprise],
        *,
        seed: int,
        reserved_ids: frozenset[str] = frozenset(),
    ) -> None:
        self.citizens = citizens
        self.households = households
        self.enterprises = enterprises
        self.seed = seed
        self.reserved_ids = reserved_ids
        self.births_registered = 0
        self._build_indexes()

    def _build_indexes(self) -> None:
        self._lock = threading.Lock()
        self._by_cmnd = {person.so_cmnd: person for person in self.citizens.values() if person.so_cmnd}
        by_province: dict[str, list[Enterprise]] = {}
        for enterprise in sorted(self.enterprises.values(), key=lambda item: item.ma_so_doanh_nghiep):
            by_province.setdefault(enterprise.tru_so.province_code, []).append(enterprise)
        self._enterprises_by_province = by_province

    def __getstate__(self) -> dict[str, Any]:
        return {
            "citizens": self.citizens,
            "households": self.households,
            "enterprises": self.enterprises,
            "seed": self.seed,
            "reserved_ids": self.reserved_ids,
            "births_registered": self.births_registered,
        }

    def __setstate__(self, state: dict[str, Any]) -> None:
        self.__dict__.update(state)
        self._build_indexes()

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Population):
            return NotImplemented
        return self.__getstate__() == other.__getstate__()

    __hash__ = None  # type: ignore[assignment]  # mutable: register_birth changes it

    def citizen(self, so_dinh_danh: str) -> Citizen | None:
        return self.citizens.get(so_dinh_danh)

    def find_by_cmnd(self, so_cmnd: str) -> Citizen | None:
        return self._by_cmnd.get(so_cmnd)

    def enterprise(self, msdn: str) -> Enterprise | None:
        return self.enterprises.get(msdn)

    def enterprises_in_province(self, province_code: str) -> list[Enterprise]:
        """Enterprises with their head office in the province, ordered by MST."""
        return list(self._enterprises_by_province.get(province_code, ()))

    def household_of(self, citizen: Citizen) -> Household:
        return self.households[citizen.household_id]

    def register_birth(
        self,
        *,
        ho: str,
        chu_dem: str,
        ten: str,
        gioi_tinh: str,
        ngay_sinh: date,
        noi_sinh: Address,
        dan_toc: str,
        cha: str | None,
        me: str | None,
    ) -> Citizen:
        """Register a newborn: issue a fresh CCCD, add the child to the mother's (else father's) household."""
        with self._lock:
            mother = self.citizens.get(me) if me else None
            father = self.citizens.get(cha) if cha else None
            parent = mother or father
            if parent is None:
                raise ValueError("a birth needs a mother or father who is in the population")
            household = self.households[parent.household_id]
            prefix = cccd_prefix(noi_sinh.ward_code, noi_sinh.province_code, ngay_sinh)
            child = Citizen(
                so_dinh_danh=self._fresh_id(prefix, gioi_tinh, ngay_sinh.year),
                ho=ho,
                chu_dem=chu_dem,
                ten=ten,
                gioi_tinh=gioi_tinh,
                ngay_sinh=ngay_sinh,
                dan_toc=dan_toc,
                ton_giao=parent.ton_giao,
                quoc_tich="VN",
                noi_dang_ky_khai_sinh=noi_sinh,
                que_quan=(father or parent).que_quan,
                thuong_tru=household.address or parent.thuong_tru,
                noi_o_hien_tai=parent.noi_o_hien_tai,
                household_id=household.id,
                quan_he_chu_ho="Con" if parent.quan_he_chu_ho in HEAD_OR_SPOUSE else "Cháu",
                tinh_trang_hon_nhan="Chưa kết hôn",
                cha=father.so_dinh_danh if father else None,
                me=mother.so_dinh_danh if mother else None,
            )
            self.citizens[child.so_dinh_danh] = child
            household.members.append(child.so_dinh_danh)
            self.births_registered += 1
            return child

    def _fresh_id(self, prefix: str, sex: str, birth_year: int) -> str:
        # Seeded by the population's seed and birth count, so a replayed scenario issues the same ids.
        rng = random.Random(self.seed * 1_000_003 + self.births_registered)
        while True:
            candidate = make_cccd(prefix, sex, birth_year, rng.randrange(1_000_000))
            if candidate not in self.citizens and candidate not in self.reserved_ids:
                return candidate

"""Vietnamese personal names (Họ + đệm + tên) drawn from the frequency tables in core/data."""

from __future__ import annotations

import random
import unicodedata
from functools import cache

from ndxp_sim.core.catalogues import read_csv
from ndxp_sim.mock_services.population.sampling import Weighted

# Family names common in some minority groups; the general table covers everyone else.
_KHMER_FAMILY_NAMES = ("Thạch", "Danh", "Sơn", "Kim", "Chau", "Lâm", "Trần")
_HOA_FAMILY_NAMES = ("Lâm", "Trương", "Quách", "Lý", "Tăng", "Hứa", "Mã", "Châu", "Lưu")
_MINORITY_FAMILY_NAMES = {"05": _KHMER_FAMILY_NAMES, "04": _HOA_FAMILY_NAMES}
# Names given from this birth year on follow the "modern" middle-name weights (fewer Thị/Văn).
_MODERN_FROM = 1990


@cache
def _family_names() -> Weighted[str]:
    return Weighted.of([(row["name"], float(row["percent"])) for row in read_csv("family_names.csv")])


@cache
def _middle_names(sex: str, modern: bool) -> Weighted[str]:
    column = "weight_from_1990" if modern else "weight_before_1990"
    rows = [row for row in read_csv("middle_names.csv") if row["sex"] == sex]
    return Weighted.of([(row["name"], float(row[column])) for row in rows])


@cache
def _given_names(sex: str) -> Weighted[str]:
    rows = [row for row in read_csv("given_names.csv") if row["sex"] == sex]
    return Weighted.of([(row["name"], float(row["weight"])) for row in rows])


def family_name(rng: random.Random, dan_toc: str = "01") -> str:
    minority = _MINORITY_FAMILY_NAMES.get(dan_toc)
    if minority and rng.random() < 0.8:
        return rng.choice(minority)
    return _family_names().pick(rng)


def middle_name(rng: random.Random, sex: str, birth_year: int) -> str:
    return _middle_names(sex, birth_year >= _MODERN_FROM).pick(rng)


def given_name(rng: random.Random, sex: str) -> str:
    return _given_names(sex).pick(rng)


def ascii_fold(text: str) -> str:
    """Strip diacritics ("Nguyễn Đức" -> "Nguyen Duc") for e-mail addresses and foreign-language names."""
    decomposed = unicodedata.normalize("NFD", text.replace("Đ", "D").replace("đ", "d"))
    return "".join(char for char in decomposed if not unicodedata.combining(char))

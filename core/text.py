"""Vietnamese text folded for matching: a query with or without diacritics finds the same records."""

from __future__ import annotations

import unicodedata

# NFD does not decompose đ/Đ (a letter of its own, not d with a mark): map it by hand.
_D_STROKE = str.maketrans({"đ": "d", "Đ": "D"})


def fold(text: str) -> str:
    """Lower case, no diacritics, đ as d, runs of white space as one space: "Nghị  Định" → "nghi dinh"."""
    decomposed = unicodedata.normalize("NFD", text.translate(_D_STROKE))
    bare = "".join(char for char in decomposed if not unicodedata.combining(char))
    return " ".join(bare.casefold().split())


def words(text: str) -> list[str]:
    """The folded words of a query."""
    return fold(text).split(" ") if text.strip() else []

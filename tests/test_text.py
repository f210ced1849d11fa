"""Folding Vietnamese text for matching: what a query typed without diacritics must still find."""

from __future__ import annotations

import pytest

from ndxp_sim.core.text import fold, words


@pytest.mark.parametrize(
    ("typed", "folded"),
    [
        ("Nghị định", "nghi dinh"),
        ("ĐƯỜNG BỘ", "duong bo"),
        ("đăng ký", "dang ky"),
        ("Giao  thông\tvận tải ", "giao thong van tai"),
        ("45/2020/NĐ-CP", "45/2020/nd-cp"),
        ("Nghi\u0323 đi\u0323nh", "nghi dinh"),  # decomposed input (NFD) folds the same
    ],
)
def test_fold(typed: str, folded: str) -> None:
    assert fold(typed) == folded


def test_words_of_a_blank_query_are_none() -> None:
    assert words("   ") == []
    assert words("Bảo vệ  dữ liệu") == ["bao", "ve", "du", "lieu"]

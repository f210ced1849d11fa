"""Request payloads shared by tests: realistic, built on the fixed test identities."""

from __future__ import annotations

from typing import Any

from ndxp_sim.core import identities


def birth_registration(
    ma_ho_so: str, callback_url: str | None = None, *, with_certificate: bool = True
) -> dict[str, Any]:
    """A khai sinh dossier: the test couple's son, born in Long Xuyên, An Giang."""
    ho_tich: dict[str, Any] = {
        "nksHoTen": "Lê Minh Khang",
        "nksGioiTinh": "Nam",
        "nksNgaySinh": "2025-11-01",
        "nksNoiSinh": {"maTinh": "91", "maXa": "30307", "dcChiTiet": "Bệnh viện Đa khoa Trung tâm An Giang"},
        "nksDanToc": "01",
        "meHoTen": "Phạm Thị Dung",
        "meSoDDCN": identities.COUPLE_WIFE,
        "chaHoTen": "Lê Văn Cường",
        "chaSoDDCN": identities.COUPLE_HUSBAND,
        "nycHoTen": "Lê Văn Cường",
        "nycQuanHe": "Cha",
    }
    if with_certificate:
        ho_tich["maGCS"] = "GCS-2025-000123"
    body: dict[str, Any] = {
        "maDonVi": "000.00.00.H91",
        "maTinh": "91",
        "maHoSo": ma_ho_so,
        "ngayTiepNhan": "2025-11-03",
        "hoTich": ho_tich,
    }
    if callback_url:
        body["callbackUrl"] = callback_url
    return body


def token_claims(subject: str, now: int) -> dict[str, object]:
    """The claims of a gateway token valid for ten minutes from `now` (the shipped token_issuer)."""
    return {"iss": "ndxp-sim", "aud": "ndxp-sim", "sub": subject, "iat": now, "nbf": now, "exp": now + 600}

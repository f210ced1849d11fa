"""Masking of the personal fields of the newer services: a test identity's values never reach the record."""

from __future__ import annotations

import orjson

from ndxp_sim.core import identities as ids
from ndxp_sim.gateway.logpipe.masking import Masker, subject_hash
from tests.gateway.logpipe.logpipe_samples import SUBJECT_KEY

# A transport dossier (#15) as the gateway answers it: the fixed dossiers of Nguyễn Văn An.
DOSSIER = {
    "MaHoSo": "000.00.27.H91-250627-9001",
    "MaTTHC": "GT03",
    "ChuHoSo": "Nguyễn Văn An",
    "SoDinhDanhChuHoSo": ids.CITIZEN_EXISTS,
    "PhuongTien": {"BienSo": ids.PLATE_CAR, "LoaiXe": "Ô tô con"},
    "GiayPhepLaiXe": {"SoGPLX": ids.LICENCE_CAR, "HangGPLX": "B"},
}


def test_a_transport_dossier_keeps_no_identity_of_its_applicant() -> None:
    subjects: set[str] = set()
    masked = Masker(SUBJECT_KEY).mask_body(orjson.dumps({"items": [DOSSIER]}), "application/json", subjects)
    for value in (ids.CITIZEN_EXISTS, ids.PLATE_CAR, ids.LICENCE_CAR, "Nguyễn Văn An", "Nguyễn"):
        assert value not in masked, f"{value!r} survived masking"
    [item] = orjson.loads(masked)["items"]
    assert item["MaHoSo"] == DOSSIER["MaHoSo"] and item["MaTTHC"] == "GT03"  # business keys stay readable
    assert subject_hash(ids.CITIZEN_EXISTS, SUBJECT_KEY) in subjects  # an operator still finds the applicant


def test_the_applicant_filter_of_a_dossier_search_is_masked() -> None:
    subjects: set[str] = set()
    query = Masker(SUBJECT_KEY).mask_query(f"soDinhDanh={ids.CITIZEN_EXISTS}&maTTHC=GT01", subjects)
    assert ids.CITIZEN_EXISTS not in query and "maTTHC=GT01" in query
    assert subjects == {subject_hash(ids.CITIZEN_EXISTS, SUBJECT_KEY)}

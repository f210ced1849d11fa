"""`ndxp-sim up` for real: both chained procedures, and `ndxp-sim logs trace --ma-ho-so` shows each chain."""

from __future__ import annotations

import json
import subprocess
import sys
import time
from typing import Any

import httpx
import pytest

from ndxp_sim.core import identities
from tests.e2e.conftest import ROOT, Simulator
from tests.samples import birth_registration

pytestmark = pytest.mark.e2e
CONSUMER = ("000.00.00.H91", "demo-secret-H91")
SOURCE = "000.00.00.G12"


def _token(client: httpx.Client) -> dict[str, str]:
    response = client.post("/token", data={"grant_type": "client_credentials"}, auth=CONSUMER)
    assert response.status_code == 200, response.text
    return {"authorization": f"Bearer {response.json()['access_token']}"}


def _until_settled(client: httpx.Client, headers: dict[str, str], code: str) -> dict[str, Any]:
    deadline = time.monotonic() + 60
    while True:
        answer = client.get("/apiHoTich/1.0/traCuuLienThong", params={"maHoSo": code}, headers=headers)
        assert answer.status_code == 200, answer.text
        chain: dict[str, Any] = answer.json()["value"]
        if chain["trangThai"] != "processing" or time.monotonic() > deadline:
            return chain
        time.sleep(0.2)


def _trace(simulator: Simulator, code: str, wanted: set[str]) -> list[dict[str, Any]]:
    """`ndxp-sim logs trace --ma-ho-so code --json`, asked again until the indexer has every wanted step."""
    deadline = time.monotonic() + 60
    command = [sys.executable, "-m", "ndxp_sim.gateway", "logs", "trace", "--ma-ho-so", code, "--json"]
    while True:
        result = subprocess.run(
            [*command, "--url", simulator.base_url],
            cwd=ROOT,
            env=simulator.env,
            capture_output=True,
            text=True,
            timeout=60,
            check=False,
        )
        assert result.returncode == 0, result.stderr
        rows = [json.loads(line) for line in result.stdout.splitlines() if line.strip()]
        if wanted <= {row["operation"] for row in rows} or time.monotonic() > deadline:
            return rows
        time.sleep(0.5)


def test_both_chains_run_across_the_services_and_trace_as_one_dossier(
    simulator: Simulator, client: httpx.Client
) -> None:
    headers = _token(client)
    birth_code, death_code = "000.00.00.H91-E2E-LTKS-1", "000.00.00.H91-E2E-LTKT-1"
    birth = birth_registration(birth_code)
    birth["hoTich"]["nksHoTen"] = "Lê Minh Khoa"
    answer = client.post(
        "/apiHoTich/1.0/dangKyLienThongKhaiSinh",
        json=birth,
        headers={**headers, "x-request-id": "E2E-LTKS-1"},
    )
    assert answer.status_code == 200, answer.text
    chain = _until_settled(client, headers, birth_code)
    assert chain["trangThai"] == "done", chain
    child_id = chain["buoc"][0]["ketQua"]["soDinhDanh"]
    card = client.post(
        "/apiCSDLBaoHiem/1.0/kiemTraTheBhyt",
        json={
            "maThe": chain["buoc"][2]["ketQua"]["maThe"],
            "hoTen": "Lê Minh Khoa",
            "ngaySinh": "01/11/2025",
            "hoTenCb": "Trần Thị Bé",
            "cccdCb": identities.CITIZEN_EXISTS,
        },
        headers=headers,
    )
    assert card.json()["maKetQua"] == "000", card.text  # the child is insured, for every service

    death = {
        "maDonVi": "000.00.00.H91",
        "maTinh": "91",
        "maHoSo": death_code,
        "ngayTiepNhan": "2025-11-05",
        "hoTich": {
            "maGBT": "GBT-91-2025-000045",
            "nktHoTen": "Lê Văn Cường",
            "nktSoDDCN": identities.COUPLE_HUSBAND,
            "nktNgayChet": "2025-11-04",
            "nktNoiChet": {"maTinh": "91", "maXa": "30301"},
            "nycHoTen": "Phạm Thị Dung",
            "nycSoDDCN": identities.COUPLE_WIFE,
            "nycQuanHe": "Vợ",
        },
    }
    answer = client.post("/apiHoTich/1.0/dangKyLienThongKhaiTu", json=death, headers=headers)
    assert answer.status_code == 200, answer.text
    chain = _until_settled(client, headers, death_code)
    assert chain["trangThai"] == "done", chain
    lookup = client.post(
        "/apiCSDLDanCu/1.0/TraCuuThongTinCongDan",
        json={"MaYeuCau": "YC-E2E-2", "MaCanBo": "CB-E2E", "SoDinhDanh": identities.COUPLE_HUSBAND},
        headers=headers,
    )
    person = lookup.json()["CongdanCollection"]["CongDan"][0]
    assert person["TrangThai"] == "Đã chết"
    assert person["ChuHo"]["SoDinhDanh"] == identities.COUPLE_WIFE  # his residence is gone from the household

    rows = _trace(simulator, birth_code, {"dangKyLienThongKhaiSinh", "DangKyThuongTru", "capTheBhytTreEm"})
    steps = [row for row in rows if row["operation"] in ("DangKyThuongTru", "capTheBhytTreEm")]
    assert rows[0]["operation"] == "dangKyLienThongKhaiSinh"
    assert [(row["operation"], row["http_status"], row["consumer_id"]) for row in steps] == [
        ("DangKyThuongTru", 200, SOURCE),
        ("capTheBhytTreEm", 200, SOURCE),
    ]
    assert {row["request_id"] for row in rows if row["operation"] != "traCuuLienThong"} == {"E2E-LTKS-1"}
    wanted = {"dangKyLienThongKhaiTu", "XoaDangKyThuongTru", "giaiQuyetCheDoTuTuat"}
    rows = _trace(simulator, death_code, wanted)
    assert [row["operation"] for row in rows if row["consumer_id"] == SOURCE] == [
        "XoaDangKyThuongTru",
        "giaiQuyetCheDoTuTuat",
    ]
    assert child_id not in json.dumps(rows)  # personal ids stay masked in the log

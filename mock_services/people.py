"""What the mocks of person-held records share: how they compare names and write dates."""

from __future__ import annotations

import unicodedata
from datetime import date

from ndxp_sim.mock_services.engines.params import text

NAME = text(100)


def folded_name(name: str) -> str:
    """A name as clerks compare it: NFC, case and spacing ignored, diacritics kept (Lan ≠ Lân)."""
    return " ".join(unicodedata.normalize("NFC", name).casefold().split())


def dmy(day: date | None) -> str | None:
    """`dd/mm/yyyy`, how the health-insurance and transport systems write dates."""
    return day.strftime("%d/%m/%Y") if day else None

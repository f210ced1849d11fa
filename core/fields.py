"""Pydantic field types that adapters (gateway side) and mocks (backend side) both validate with."""

from __future__ import annotations

import re
from datetime import date
from typing import Annotated

from pydantic import BeforeValidator, Field

_ISO_DAY = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")  # ASCII only: \d would take any script's digits


def _iso_day(value: object) -> object:
    # pydantic alone would also take "1700000000" (a Unix time) or a datetime as a date.
    if isinstance(value, date) or (isinstance(value, str) and _ISO_DAY.fullmatch(value)):
        return value
    raise ValueError("must be a date in YYYY-MM-DD form")


IsoDate = Annotated[date, BeforeValidator(_iso_day), Field(description="a day, YYYY-MM-DD")]

"""Validators for places in requests: a commune code that must be a 2025 commune of the request's province."""

from __future__ import annotations

from typing import Any

from pydantic import ValidationInfo, field_validator

from ndxp_sim.core import catalogues


def commune_of(province_field: str, *commune_fields: str) -> Any:
    """A validator for a model whose `commune_fields` are communes of the province in `province_field`
    (declared before them). Declare it in the class body; the error names the commune field."""

    def check(cls: type, value: Any, info: ValidationInfo) -> Any:
        if value is None:
            return value
        ward = catalogues.ward(value)
        if ward is None:
            raise ValueError(f"{value} is not a commune of the 2025 catalogue")
        province = info.data.get(province_field)
        if province is not None and ward.province_code != province:
            raise ValueError(f"commune {value} ({ward.name}) is not in province {province}")
        return value

    return field_validator(*commune_fields)(check)

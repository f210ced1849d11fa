"""Helpers for the engine tests."""

from __future__ import annotations

import httpx


def field_of(response: httpx.Response) -> str:
    """The request field a 422 names."""
    [problem] = response.json()["detail"]
    return str(problem["loc"][-1])


def scenario(value: str) -> dict[str, str]:
    return {"X-Mock-Scenario": value}

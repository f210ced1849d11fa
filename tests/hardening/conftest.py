"""Fixtures of the hardening tests: the e2e simulator for the supervision cases."""

from tests.e2e.conftest import simulator

__all__ = ["simulator"]

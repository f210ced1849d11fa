"""What one contract-test check found, and the usage error that stops a run before it starts."""

from __future__ import annotations

from dataclasses import dataclass

DEFAULT_CLIENT_ID = "000.00.00.H91"  # the fake consumer shipped in core/config/default.yaml
DEFAULT_CLIENT_SECRET = "demo-secret-H91"


class UsageError(Exception):
    """Bad usage or a target that cannot be tested: one line for the user, exit code 2."""


@dataclass(frozen=True)
class CheckResult:
    """One check of one operation: an example case, or a batch of generated cases of one kind."""

    service: str
    operation: str
    kind: str  # "example", "positive" or "negative"
    name: str  # the case name for examples; the kind for generated batches
    cases_run: int
    reasons: tuple[str, ...] = ()  # empty when it passed; else what failed, field first where known
    curl: str | None = None  # the smallest failing request, ready to paste
    seconds: float = 0.0

    @property
    def passed(self) -> bool:
        return not self.reasons

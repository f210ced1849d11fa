"""The dossier clock: one step length, changeable at run time, that wakes sleepers when it changes."""

from __future__ import annotations

import asyncio
from datetime import datetime, timedelta, timezone

VN_TZ = timezone(timedelta(hours=7), "ICT")  # every timestamp the mocks write is Vietnam time


def now_vn() -> datetime:
    return datetime.now(VN_TZ)


class Clock:
    """Dossiers advance one status per `step_s`; changing the step re-times steps already waiting."""

    def __init__(self, step_s: float) -> None:
        self._step_s = step_s
        self._changed = asyncio.Event()

    @property
    def step_s(self) -> float:
        return self._step_s

    def set_step(self, step_s: float) -> None:
        self._step_s = step_s
        # Wake every sleeper; each re-measures its remaining time against the new step.
        self._changed.set()
        self._changed = asyncio.Event()

    async def step(self) -> None:
        """Sleep one step, counted from now."""
        loop = asyncio.get_running_loop()
        started = loop.time()
        while (remaining := self._step_s - (loop.time() - started)) > 0:
            changed = self._changed
            try:
                async with asyncio.timeout(remaining):
                    await changed.wait()
            except TimeoutError:
                return

"""Processes the benchmark starts: each in its own process group, measured from /proc, stopped by PID."""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path
from typing import ClassVar

_TICKS = os.sysconf("SC_CLK_TCK")


@dataclass(frozen=True, slots=True)
class ProcStat:
    pid: int
    ppid: int
    cpu_s: float  # utime + stime


def _stat(pid: int) -> tuple[int, int, float] | None:
    """(ppid, pgrp, cpu seconds) of one process, or None when it is gone."""
    try:
        raw = Path(f"/proc/{pid}/stat").read_bytes()
    except OSError:
        return None
    fields = raw[raw.rindex(b")") + 2 :].split()
    return int(fields[1]), int(fields[2]), (int(fields[11]) + int(fields[12])) / _TICKS


def group_members(pgid: int) -> list[ProcStat]:
    """Every live process of process group `pgid`, with its CPU time."""
    members = []
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            stat = _stat(int(entry))
            if stat is not None and stat[1] == pgid:
                members.append(ProcStat(int(entry), stat[0], stat[2]))
    return members


def descendants(pid: int) -> list[int]:
    """`pid` and every live process below it, whatever session or group they started."""
    parents: dict[int, list[int]] = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            stat = _stat(int(entry))
            if stat is not None:
                parents.setdefault(stat[0], []).append(int(entry))
    found, todo = [], [pid]
    while todo:
        current = todo.pop()
        found.append(current)
        todo += parents.get(current, [])
    return found


def status_kb(pid: int, field: str) -> int | None:
    """A `kB` field of /proc/<pid>/status (VmRSS, VmHWM), or None."""
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith(field + ":"):
                return int(line.split()[1])
    except OSError:
        return None
    return None


def machine_ticks() -> tuple[int, int, int]:
    """(busy, steal, total) jiffies from /proc/stat, summed over CPUs."""
    values = [int(v) for v in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
    idle = values[3] + values[4]
    steal = values[7] if len(values) > 7 else 0
    total = sum(values[:8])
    return total - idle - steal, steal, total


def wait_port(port: int, timeout_s: float, alive: Process | None = None) -> None:
    """Return once 127.0.0.1:`port` accepts connections; raise if it does not within `timeout_s`."""
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if alive is not None and not alive.running:
            code = alive.popen.returncode
            raise RuntimeError(f"{alive.name} exited at start (code {code}); see {alive.log}")
        with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", port), timeout=0.5):
            return
        time.sleep(0.05)
    raise RuntimeError(f"nothing listens on port {port} after {timeout_s:g} s")


class Process:
    """A server started in a new session (its PID is its process group id); output goes to `log`."""

    live: ClassVar[dict[int, Process]] = {}  # everything started and not yet stopped, for cleanup on exit

    def __init__(self, name: str, argv: list[str], *, env: dict[str, str], cwd: Path, log: Path) -> None:
        self.name = name
        self.log = log
        with log.open("ab") as out:
            self.popen = subprocess.Popen(
                argv,
                env=env,
                cwd=cwd,
                stdin=subprocess.DEVNULL,
                stdout=out,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        self.pid = self.popen.pid
        Process.live[self.pid] = self

    @property
    def running(self) -> bool:
        return self.popen.poll() is None

    def cpu_s(self) -> float:
        return sum(m.cpu_s for m in group_members(self.pid))

    def workers(self) -> list[int]:
        """PIDs that serve requests: the children of a multi-process master, else the process itself."""
        members = group_members(self.pid)
        children = [m.pid for m in members if m.ppid == self.pid]
        return children or [self.pid]

    def stop(self, sig: int = signal.SIGTERM, timeout_s: float = 30.0) -> int | None:
        """Signal the leader, wait up to `timeout_s`, then SIGKILL whatever is left of the group."""
        if self.running:
            with contextlib.suppress(ProcessLookupError):
                os.kill(self.pid, sig)
            with contextlib.suppress(subprocess.TimeoutExpired):
                self.popen.wait(timeout_s)
        for member in group_members(self.pid):
            with contextlib.suppress(ProcessLookupError):
                os.kill(member.pid, signal.SIGKILL)
        if self.running:
            with contextlib.suppress(ProcessLookupError):
                os.kill(self.pid, signal.SIGKILL)
            self.popen.wait(5)
        Process.live.pop(self.pid, None)
        return self.popen.returncode

    @classmethod
    def stop_all(cls) -> None:
        for process in list(cls.live.values()):
            process.stop(signal.SIGTERM, timeout_s=5)

"""The durable on-disk spool: records waiting for the broker, in append-only segment files, replayed in order.

Layout: `<spool_dir>/<owner>/<time_ns>-<pid>.seg`, one orjson record per line. Each process (gateway
worker) writes only its own `<owner>` directory and holds an exclusive `flock` on `<owner>/LOCK` for
its whole life, so a directory whose lock can be taken belongs to a dead process: its segments are
adopted (moved into ours) and replayed. `<segment>.pos` remembers how many lines of a segment are
already acknowledged, so a replay cut short (or a crash) resumes instead of resending them.

Durability: every `append()` writes the whole batch, flushes and fsyncs before returning, and a new
segment's directory entry is fsynced too, so a record the sink reports as spooled survives SIGKILL
and power loss. All methods do blocking file I/O: call them from a worker thread.
"""

from __future__ import annotations

import contextlib
import fcntl
import logging
import os
import secrets
import time
from pathlib import Path
from typing import BinaryIO

from ndxp_sim.core.private_files import FILE_MODE, private_dir

log = logging.getLogger("ndxp.logpipe")

SEGMENT_SUFFIX = ".seg"
_POS_SUFFIX = ".pos"
_LOCK_NAME = "LOCK"


class Spool:
    """One process's spool directory under `root`; `open()` before use, `close()` to release it."""

    def __init__(self, root: Path, *, owner: str | None = None, segment_bytes: int = 8 * 1024 * 1024) -> None:
        self.root = Path(root)
        self.directory = self.root / (owner or f"{os.getpid()}-{secrets.token_hex(4)}")
        self.segment_bytes = segment_bytes
        self.backlog = 0  # records on disk not yet acknowledged by the broker
        self.corrupt = 0  # lines that could not be read back (torn by a power loss)
        self._lock_fd: int | None = None
        self._writer: BinaryIO | None = None
        self._writer_path: Path | None = None
        self._torn: set[Path] = set()

    def open(self) -> None:
        """Create and lock our directory, adopt dead processes' segments, count the backlog."""
        private_dir(self.root)
        private_dir(self.directory)
        self._lock_fd = _try_lock(self.directory)
        if self._lock_fd is None:
            raise RuntimeError(f"spool directory {self.directory} is locked by another process")
        self.adopt_orphans()
        self.backlog = sum(self._pending_lines(segment) for segment in self.segments())

    def close(self) -> None:
        self.seal()
        if self._lock_fd is not None:
            os.close(self._lock_fd)
            self._lock_fd = None

    def adopt_orphans(self) -> int:
        """Move the segments of spool directories no live process holds into ours; returns how many."""
        adopted = 0
        for other in sorted(p for p in self.root.iterdir() if p.is_dir() and p != self.directory):
            fd = _try_lock(other)
            if fd is None:
                continue  # a live worker owns it
            try:
                for path in sorted(other.iterdir()):
                    if path.suffix in (SEGMENT_SUFFIX, _POS_SUFFIX):
                        os.replace(path, self.directory / path.name)
                        if path.suffix == SEGMENT_SUFFIX:
                            adopted += 1
                            self.backlog += self._pending_lines(self.directory / path.name)
                (other / _LOCK_NAME).unlink(missing_ok=True)
                with contextlib.suppress(OSError):
                    other.rmdir()
            finally:
                os.close(fd)
        if adopted:
            _fsync_dir(self.directory)
            log.info("adopted %d spool segment(s) left by stopped workers", adopted)
        return adopted

    def append(self, lines: list[bytes]) -> None:
        """Append records (each one line, no newline inside) durably."""
        if not lines:
            return
        writer = self._current_writer()
        writer.write(b"\n".join(lines) + b"\n")
        writer.flush()
        os.fsync(writer.fileno())
        self.backlog += len(lines)
        if writer.tell() >= self.segment_bytes:
            self.seal()

    def seal(self) -> None:
        """Close the segment being written, so that it can be replayed."""
        if self._writer is not None:
            self._writer.close()
            self._writer = None
            self._writer_path = None

    def segments(self) -> list[Path]:
        """Segment files in replay order (oldest first), the one being written excluded."""
        return sorted(
            p for p in self.directory.iterdir() if p.suffix == SEGMENT_SUFFIX and p != self._writer_path
        )

    def read(self, segment: Path) -> list[bytes]:
        """The records of `segment` not yet acknowledged, oldest first."""
        data = segment.read_bytes()
        lines = data.split(b"\n")
        if lines[-1] and segment not in self._torn:
            self._torn.add(segment)
            self.corrupt += 1
            log.warning("spool segment %s ends with a torn record; skipping it", segment.name)
        return lines[:-1][_acked(segment) :]

    def acknowledge(self, segment: Path, count: int) -> None:
        """Record that `count` more records of `segment` reached the broker."""
        position = _acked(segment) + count
        tmp = segment.with_suffix(".pos.tmp")
        with os.fdopen(os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, FILE_MODE), "w") as f:
            f.write(str(position))
        os.replace(tmp, segment.with_suffix(_POS_SUFFIX))
        self.backlog -= count

    def remove(self, segment: Path) -> None:
        """Delete a fully acknowledged segment."""
        segment.with_suffix(_POS_SUFFIX).unlink(missing_ok=True)
        segment.unlink(missing_ok=True)

    def _current_writer(self) -> BinaryIO:
        if self._writer is None:
            path = self.directory / f"{time.time_ns():020d}-{os.getpid()}{SEGMENT_SUFFIX}"
            self._writer = os.fdopen(os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, FILE_MODE), "ab")
            self._writer_path = path
            _fsync_dir(self.directory)
        return self._writer

    def _pending_lines(self, segment: Path) -> int:
        with segment.open("rb") as f:
            total = sum(chunk.count(b"\n") for chunk in iter(lambda: f.read(1 << 20), b""))
        return max(total - _acked(segment), 0)


def _acked(segment: Path) -> int:
    try:
        return int(segment.with_suffix(_POS_SUFFIX).read_text() or 0)
    except (FileNotFoundError, ValueError):
        return 0


def _try_lock(directory: Path) -> int | None:
    """An fd holding an exclusive flock on `directory/LOCK`, or None when another process holds it."""
    fd = os.open(directory / _LOCK_NAME, os.O_RDWR | os.O_CREAT, FILE_MODE)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        os.close(fd)
        return None
    return fd


def _fsync_dir(directory: Path) -> None:
    fd = os.open(directory, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)

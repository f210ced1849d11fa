"""Files that hold exchange records or dossiers are readable by their owner only (0600, folders 0700)."""

from __future__ import annotations

import os
from pathlib import Path

FILE_MODE = 0o600
DIR_MODE = 0o700


def private_dir(path: Path, *, existing_too: bool = True) -> None:
    """Create `path` and its missing parents owner-only; an existing `path` is made owner-only as well
    unless `existing_too` is False (a folder the user chose, holding other things)."""
    missing = [p for p in (path, *path.parents) if not p.exists()]
    path.mkdir(parents=True, exist_ok=True)
    for created in missing:
        os.chmod(created, DIR_MODE)
    if existing_too:
        os.chmod(path, DIR_MODE)


def private_file(path: Path) -> None:
    """Make sure `path` exists and is owner-only before a library (SQLite) opens it with its own mode.

    SQLite gives its -wal and -journal files the mode of the database file, so they follow.
    """
    private_dir(path.parent, existing_too=False)
    os.close(os.open(path, os.O_RDWR | os.O_CREAT, FILE_MODE))
    os.chmod(path, FILE_MODE)  # a file made by an earlier version may still be world-readable

"""Files holding exchange records or dossiers are owner-only, whatever the umask."""

from __future__ import annotations

import os
import stat
from collections.abc import Iterator
from pathlib import Path

import pytest

from ndxp_sim.gateway.logpipe.spool import Spool
from ndxp_sim.gateway.store import Store
from ndxp_sim.mock_services.journal import MockJournal
from tests.gateway.store.store_samples import T0, build_record


@pytest.fixture(autouse=True)
def permissive_umask() -> Iterator[None]:
    """The usual umask 022 would leave new files world-readable unless the code says otherwise."""
    previous = os.umask(0o022)
    yield
    os.umask(previous)


def _mode(path: Path) -> int:
    return stat.S_IMODE(os.stat(path).st_mode)


async def test_the_sqlite_store_is_owner_only(tmp_path: Path) -> None:
    """The exchange store is a SQLite file in a folder that does not exist yet → the file
    and its WAL/shared-memory files are 0600, the folder created for it 0700."""
    database = tmp_path / "var" / "exchanges.db"
    store = Store(f"sqlite+aiosqlite:///{database}")
    await store.start()
    try:
        await store.upsert_many([build_record(T0)])
        files = [p for p in database.parent.iterdir() if p.name.startswith("exchanges.db")]
        assert database in files and len(files) >= 2  # the WAL is open while the store runs
        assert {p.name: _mode(p) for p in files} == {p.name: 0o600 for p in files}
        assert _mode(database.parent) == 0o700
    finally:
        await store.stop()


async def test_an_existing_world_readable_store_is_tightened(tmp_path: Path) -> None:
    """A store file left world-readable by an earlier version → 0600 once the store starts."""
    database = tmp_path / "exchanges.db"
    database.touch(mode=0o644)
    store = Store(f"sqlite+aiosqlite:///{database}")
    await store.start()
    await store.stop()
    assert _mode(database) == 0o600


def test_spool_folders_and_files_are_owner_only(tmp_path: Path) -> None:
    """The gateway spools records (segment, lock and position files) → the spool root and
    the process's folder are 0700, every file in them 0600."""
    root = tmp_path / "spool"
    root.mkdir(mode=0o755)  # made earlier, e.g. by hand
    spool = Spool(root, owner="w1")
    spool.open()
    spool.append([b'{"exchange_id":"a"}', b'{"exchange_id":"b"}'])
    spool.seal()
    spool.acknowledge(spool.segments()[0], 1)
    spool.append([b'{"exchange_id":"c"}'])
    try:
        files = list(spool.directory.iterdir())
        assert {p.suffix for p in files} >= {".seg", ".pos", ""}  # segments, a position, the LOCK
        assert {p.name: _mode(p) for p in files} == {p.name: 0o600 for p in files}
        assert _mode(root) == 0o700 and _mode(spool.directory) == 0o700
    finally:
        spool.close()


def test_the_mock_journal_is_owner_only(tmp_path: Path) -> None:
    """The mocks journal dossiers (personal data) to `mocks.state_file` → 0600 files."""
    path = tmp_path / "state" / "mock-state.db"
    journal = MockJournal(path)
    journal.save_dossier("ho_tich", "HS-1", {"hoTich": {"meHoTen": "x"}})
    try:
        files = [p for p in path.parent.iterdir()]
        assert path in files
        assert {p.name: _mode(p) for p in files} == {p.name: 0o600 for p in files}
        assert _mode(path.parent) == 0o700
    finally:
        journal.close()

"""The mock process's durable state: dossiers, callbacks, engine records in SQLite, for a restarted mock."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path
from typing import Any

from ndxp_sim.core.private_files import private_file

_SCHEMA = """
CREATE TABLE IF NOT EXISTS dossier (service TEXT, ma_ho_so TEXT, state TEXT, PRIMARY KEY (service, ma_ho_so));
CREATE TABLE IF NOT EXISTS delivery (id TEXT PRIMARY KEY, state TEXT);
CREATE TABLE IF NOT EXISTS engine_record (store TEXT, key TEXT, state TEXT, PRIMARY KEY (store, key));
"""


class MockJournal:
    """Write-through store of dossier and callback state; with no path it keeps nothing (memory only).

    Writes are small and rare (one per status change or delivery attempt), so plain synchronous SQLite
    in WAL mode is enough and keeps every change on disk before the mock answers.
    """

    def __init__(self, path: Path | None) -> None:
        self._db: sqlite3.Connection | None = None
        if path is not None:
            private_file(path)  # dossiers hold personal data
            self._db = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
            self._db.execute("PRAGMA journal_mode=WAL")
            self._db.executescript(_SCHEMA)

    def save_dossier(self, service: str, ma_ho_so: str, state: dict[str, Any]) -> None:
        if self._db is not None:
            self._db.execute(
                "INSERT INTO dossier VALUES (?, ?, ?)"
                " ON CONFLICT (service, ma_ho_so) DO UPDATE SET state = excluded.state",
                (service, ma_ho_so, json.dumps(state, ensure_ascii=False)),
            )

    def save_delivery(self, delivery_id: str, state: dict[str, Any]) -> None:
        if self._db is not None:
            self._db.execute(
                "INSERT INTO delivery VALUES (?, ?) ON CONFLICT (id) DO UPDATE SET state = excluded.state",
                (delivery_id, json.dumps(state, ensure_ascii=False)),
            )

    def save_record(self, store: str, key: str, state: dict[str, Any]) -> None:
        """A record pushed or uploaded to a pattern-engine service (mock_services/engines)."""
        if self._db is not None:
            self._db.execute(
                "INSERT INTO engine_record VALUES (?, ?, ?)"
                " ON CONFLICT (store, key) DO UPDATE SET state = excluded.state",
                (store, key, json.dumps(state, ensure_ascii=False)),
            )

    def records(self) -> list[tuple[str, str, dict[str, Any]]]:
        """Saved engine records, (store, key, state), in the order they were first saved."""
        if self._db is None:
            return []
        rows = self._db.execute("SELECT store, key, state FROM engine_record ORDER BY rowid")
        return [(store, key, json.loads(state)) for store, key, state in rows]

    def dossiers(self) -> list[dict[str, Any]]:
        """Saved dossiers in the order they were submitted."""
        return self._load("SELECT state FROM dossier ORDER BY rowid")

    def deliveries(self) -> list[dict[str, Any]]:
        """Saved callbacks in the order they were enqueued."""
        return self._load("SELECT state FROM delivery ORDER BY rowid")

    def clear(self) -> None:
        if self._db is not None:
            self._db.execute("DELETE FROM dossier")
            self._db.execute("DELETE FROM delivery")
            self._db.execute("DELETE FROM engine_record")

    def close(self) -> None:
        if self._db is not None:
            self._db.close()
            self._db = None

    def _load(self, query: str) -> list[dict[str, Any]]:
        if self._db is None:
            return []
        return [json.loads(state) for (state,) in self._db.execute(query)]

"""Fixtures for the exchange store: record factory, and a fresh store on SQLite and on PostgreSQL."""

from __future__ import annotations

import itertools
from collections.abc import AsyncIterator, Iterator
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from ndxp_sim.gateway.store import Store
from tests.gateway.store.postgres_server import PostgresServer, embedded_postgres
from tests.gateway.store.store_samples import T0, RecordFactory, build_record


@pytest.fixture
def make_record() -> RecordFactory:
    """make_record(ts=None, **fields): a valid schema-1 record; successive calls are 1 s apart by default."""
    clock = itertools.count()

    def make(ts: datetime | None = None, **fields: Any) -> dict[str, Any]:
        return build_record(ts or T0 + timedelta(seconds=next(clock)), **fields)

    return make


@pytest.fixture(scope="session")
def postgres_server() -> Iterator[PostgresServer]:
    with embedded_postgres() as server:
        yield server


_databases = itertools.count()


@pytest.fixture
def postgres_url(postgres_server: PostgresServer) -> str:
    """A fresh, empty database on the session's PostgreSQL server."""
    return postgres_server.create_database(f"exchanges_{next(_databases)}")


@pytest.fixture
def sqlite_url(tmp_path: Path) -> str:
    return f"sqlite+aiosqlite:///{tmp_path / 'exchanges.db'}"


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def store_url(request: pytest.FixtureRequest) -> str:
    """The URL of an empty exchange store on each supported database."""
    return str(request.getfixturevalue(f"{request.param}_url"))


@pytest.fixture
async def store(store_url: str) -> AsyncIterator[Store]:
    """A started, empty store on each supported database."""
    store = Store(store_url)
    await store.start()
    yield store
    await store.stop()

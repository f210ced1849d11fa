"""load_population: build once per process, and keep a pickle on disk keyed by seed, size and data version."""

from __future__ import annotations

import hashlib
import logging
import os
import pickle
import threading
from functools import cache
from pathlib import Path

from ndxp_sim.core.catalogues import DATA_DIR
from ndxp_sim.mock_services.population.generator import build_population
from ndxp_sim.mock_services.population.population import Population

# Bump when the generator changes in a way the source fingerprint below would not catch.
DATA_VERSION = 2  # 2: children under 6 always have a BHXH number; a fixed child under 6
DEFAULT_SEED = 20251
DEFAULT_SIZE = 10_000
_PACKAGE_DIR = Path(__file__).resolve().parent
# The record types and the fixed test identities are pickled too.
_CORE_SOURCES = (DATA_DIR.parent / "model.py", DATA_DIR.parent / "identities.py")
_memo: dict[tuple[int, int], Population] = {}
_memo_lock = threading.Lock()
log = logging.getLogger(__name__)


@cache
def data_fingerprint() -> str:
    """Hash of DATA_VERSION, data files, this package's code and the record types: any edit invalidates."""
    digest = hashlib.sha256(str(DATA_VERSION).encode())
    sources = [*DATA_DIR.glob("*.csv"), *DATA_DIR.glob("*.json"), *_PACKAGE_DIR.glob("*.py"), *_CORE_SOURCES]
    for path in sorted(sources):
        digest.update(path.name.encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()[:16]


def cache_path(cache_dir: Path, seed: int, size: int) -> Path:
    return cache_dir / f"population-{seed}-{size}-{data_fingerprint()}.pickle"


def load_population(
    seed: int = DEFAULT_SEED, size: int = DEFAULT_SIZE, cache_dir: Path | None = None
) -> Population:
    """The population for (seed, size): memoised, else from the disk cache if given, else generated."""
    with _memo_lock:
        population = _memo.get((seed, size))
        if population is None:
            population = (
                _load_or_build(seed, size, Path(cache_dir)) if cache_dir else build_population(seed, size)
            )
            _memo[seed, size] = population
        return population


def _load_or_build(seed: int, size: int, cache_dir: Path) -> Population:
    path = cache_path(cache_dir, seed, size)
    try:
        with path.open("rb") as handle:
            population: Population = pickle.load(handle)
            return population
    except FileNotFoundError:
        pass
    except Exception:  # a truncated or stale file is just rebuilt
        log.warning("ignoring unreadable population cache %s", path, exc_info=True)
    population = build_population(seed, size)
    _write_atomically(path, pickle.dumps(population, protocol=pickle.HIGHEST_PROTOCOL))
    return population


def _write_atomically(path: Path, payload: bytes) -> None:
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        partial = path.with_suffix(f".{os.getpid()}.tmp")
        partial.write_bytes(payload)
        os.replace(partial, path)
    except OSError:  # a read-only home still gets a working population, just not a cached one
        log.warning("could not write population cache %s", path, exc_info=True)


def forget_memoised() -> None:
    """Drop the in-process memo (tests use it to exercise the disk cache)."""
    with _memo_lock:
        _memo.clear()

"""Print how long the synthetic population takes to generate and to load back from the disk cache."""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path

from ndxp_sim.mock_services.population import build_population, load_population, store


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--seed", type=int, default=store.DEFAULT_SEED)
    parser.add_argument("--size", type=int, default=store.DEFAULT_SIZE)
    args = parser.parse_args()

    started = time.perf_counter()
    population = build_population(args.seed, args.size)
    generated = time.perf_counter() - started
    print(
        f"generate: {generated:.3f} s for {len(population.citizens)} citizens, "
        f"{len(population.households)} households, {len(population.enterprises)} enterprises"
    )
    with tempfile.TemporaryDirectory() as cache_dir:
        store.forget_memoised()
        started = time.perf_counter()
        load_population(args.seed, args.size, Path(cache_dir))
        print(f"first load (generate + write cache): {time.perf_counter() - started:.3f} s")
        store.forget_memoised()
        started = time.perf_counter()
        load_population(args.seed, args.size, Path(cache_dir))
        print(f"cache load: {time.perf_counter() - started:.3f} s")
        size = sum(path.stat().st_size for path in Path(cache_dir).iterdir())
        print(f"cache file: {size / 1e6:.1f} MB")


if __name__ == "__main__":
    main()

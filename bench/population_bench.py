"""Print how long the synthetic population takes to generate, to load from the disk cache and to answer
holdings lookups (the registry pass on first use, then per-person insurance), and the peak memory."""

from __future__ import annotations

import argparse
import itertools
import resource
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
    started = time.perf_counter()
    cars = population.vehicle_registry
    print(
        f"vehicle registry (first use): {time.perf_counter() - started:.3f} s "
        f"for {len(cars.vehicles)} vehicles, {len(cars.licences)} licences"
    )
    started = time.perf_counter()
    land = population.land_registry
    print(f"land registry (first use): {time.perf_counter() - started:.3f} s for {len(land.parcels)} parcels")
    started = time.perf_counter()
    posts = population.servant_registry
    servants = sum(map(len, posts.servants_by_agency.values()))
    print(
        f"civil-servant registry (first use): {time.perf_counter() - started:.3f} s for {servants} servants"
    )
    sample = list(itertools.islice(population.citizens, 10_000))
    started = time.perf_counter()
    for person_id in sample:
        population.health_insurance(person_id)
        population.vehicles_of(person_id)
        population.licences_of(person_id)
    elapsed = time.perf_counter() - started
    print(f"insurance + vehicles + licences per person: {elapsed / len(sample) * 1e6:.0f} µs")
    print(f"peak memory after generation and holdings: {_peak_mb():.0f} MB")
    del population, cars, land, posts
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
    print(f"peak memory overall: {_peak_mb():.0f} MB")


def _peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # kB on Linux


if __name__ == "__main__":
    main()

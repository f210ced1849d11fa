"""Weighted tables read once from the data folder and sampled with a caller's seeded random.Random."""

from __future__ import annotations

import bisect
import itertools
import random
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Generic, TypeVar

T = TypeVar("T")


@dataclass(frozen=True, slots=True)
class Weighted(Generic[T]):
    """Items with cumulative weights, so a pick is one bisect."""

    items: tuple[T, ...]
    cumulative: tuple[float, ...]

    @classmethod
    def of(cls, pairs: Sequence[tuple[T, float]]) -> Weighted[T]:
        kept = [(item, weight) for item, weight in pairs if weight > 0]
        return cls(tuple(item for item, _ in kept), tuple(itertools.accumulate(weight for _, weight in kept)))

    def pick(self, rng: random.Random) -> T:
        # The draw rng.choices(items, cum_weights=...) makes, without its per-call overhead: same results.
        return self.items[
            bisect.bisect(self.cumulative, rng.random() * self.cumulative[-1], 0, len(self.items) - 1)
        ]

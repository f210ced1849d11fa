"""Chart geometry for the server-rendered SVG charts: no chart library, no script, nothing to fetch."""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from ndxp_sim.gateway.store import Bucket

WIDTH, HEIGHT = 720, 180
_LEFT, _BOTTOM, _TOP = 44, 22, 8


@dataclass(frozen=True, slots=True)
class Bar:
    x: float
    y: float
    width: float
    height: float
    kind: str  # css class: ok or error
    label: str  # the tooltip (<title>)


@dataclass(frozen=True, slots=True)
class Tick:
    position: float
    label: str


@dataclass(frozen=True, slots=True)
class TimeChart:
    width: int
    height: int
    bars: list[Bar]
    y_ticks: list[Tick]
    x_ticks: list[Tick]
    baseline: float
    left: int


def _nice_ceiling(value: float) -> float:
    """The smallest 1, 2 or 5 × 10^n at or above `value` (at least 1): a readable axis maximum."""
    if value <= 1:
        return 1.0
    magnitude = 10 ** math.floor(math.log10(value))
    for step in (1, 2, 5, 10):
        if value <= step * magnitude:
            return float(step * magnitude)
    return float(10 * magnitude)


def _clock(moment: datetime) -> str:
    return moment.strftime("%H:%M")


def traffic_chart(buckets: Sequence[Bucket], bucket_s: int) -> TimeChart:
    """Exchanges per minute in each bucket, errors stacked on top of successes."""
    per_minute = 60 / bucket_s
    plot_w, plot_h = WIDTH - _LEFT, HEIGHT - _BOTTOM - _TOP
    top = _nice_ceiling(max((b.count * per_minute for b in buckets), default=0))
    slot = plot_w / max(len(buckets), 1)
    bars: list[Bar] = []
    for index, bucket in enumerate(buckets):
        x = _LEFT + index * slot + slot * 0.1
        ok_h = (bucket.count - bucket.errors) * per_minute / top * plot_h
        err_h = bucket.errors * per_minute / top * plot_h
        label = f"{_clock(bucket.start)} UTC: {bucket.count} ({bucket.errors} ✗)"
        base = _TOP + plot_h
        if ok_h:
            bars.append(Bar(x, base - ok_h, slot * 0.8, ok_h, "ok", label))
        if err_h:
            bars.append(Bar(x, base - ok_h - err_h, slot * 0.8, err_h, "error", label))
    y_ticks = [Tick(_TOP + plot_h * (1 - f), f"{top * f:g}") for f in (0, 0.5, 1)]
    every = max(1, len(buckets) // 6)
    x_ticks = [
        Tick(_LEFT + i * slot + slot / 2, _clock(buckets[i].start)) for i in range(0, len(buckets), every)
    ]
    return TimeChart(WIDTH, HEIGHT, bars, y_ticks, x_ticks, _TOP + plot_h, _LEFT)


def share(value: float, largest: float) -> float:
    """A bar's length in percent of the longest one."""
    return 0.0 if largest <= 0 else round(100 * value / largest, 1)

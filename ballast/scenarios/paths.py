"""Price paths: one USD price per asset per simulated block, and how a path becomes each oracle source's answer.

Parametric paths (geometric Brownian motion with jumps, a linear crash, a correlated basket collapse) are drawn
from a numpy Generator on the scenario's seed; a CSV replay (`data/crashes/*.csv`, see its README) is rescaled so
that it starts at the asset's deployed price and resampled to the scenario's number of blocks. A source's answer is
the path price times its own small offset (the config's answers relative to its first source).
"""

from __future__ import annotations

import csv
from collections.abc import Mapping
from datetime import datetime
from pathlib import Path

import numpy as np

CRASH_DATA = Path("data/crashes")
SECONDS_PER_YEAR = 365 * 24 * 3600

Paths = dict[str, np.ndarray]  # symbol -> price per block (USD)


def flat(prices: Mapping[str, float], blocks: int) -> Paths:
    return {s: np.full(blocks, float(p)) for s, p in prices.items()}


def gbm(
    rng: np.random.Generator,
    start: float,
    blocks: int,
    block_time: int,
    sigma: float = 0.8,
    mu: float = 0.0,
    jump_rate: float = 0.0,
    jump_mean: float = -0.05,
    jump_sd: float = 0.03,
) -> np.ndarray:
    """Geometric Brownian motion (annual `mu`, `sigma`) with Poisson jumps (`jump_rate` per block, log sizes
    N(`jump_mean`, `jump_sd`))."""
    dt = block_time / SECONDS_PER_YEAR
    steps = (mu - sigma**2 / 2) * dt + sigma * np.sqrt(dt) * rng.standard_normal(blocks)
    jumps = rng.poisson(jump_rate, blocks) * rng.normal(jump_mean, jump_sd, blocks)
    steps[0] = 0.0
    jumps[0] = 0.0
    return start * np.exp(np.cumsum(steps + jumps))


def linear_crash(start: float, blocks: int, shock: float, begin: int, duration: int) -> np.ndarray:
    """Flat at `start`, then a straight line to `start * (1 + shock)` over `duration` blocks, then flat."""
    t = np.clip((np.arange(blocks) - begin) / max(duration, 1), 0.0, 1.0)
    return start * (1 + shock * t)


def correlated_collapse(
    rng: np.random.Generator,
    prices: Mapping[str, float],
    shocks: Mapping[str, float],
    blocks: int,
    begin: int,
    duration: int,
    correlation: float = 0.8,
    noise: float = 0.01,
) -> Paths:
    """Every asset in `shocks` falls by its shock over the same window, with correlated per-block noise (one common
    factor, `correlation`); the other assets stay flat."""
    common = rng.standard_normal(blocks)
    out = flat(prices, blocks)
    for symbol, shock in shocks.items():
        own = rng.standard_normal(blocks)
        wiggle = noise * (np.sqrt(correlation) * common + np.sqrt(1 - correlation) * own)
        wiggle[: begin + 1] = 0.0
        out[symbol] = linear_crash(prices[symbol], blocks, shock, begin, duration) * np.exp(wiggle)
    return out


def read_series(path: Path, start: str | None = None, end: str | None = None) -> list[tuple[datetime, float]]:
    """Rows of a crash CSV (`timestamp_utc_iso,price_usd`) within [start, end] (ISO times, optional)."""
    if not path.exists():
        raise FileNotFoundError(f"{path}: no such price series (see data/crashes/README.md)")
    low = datetime.fromisoformat(start) if start else None
    high = datetime.fromisoformat(end) if end else None
    rows = []
    with path.open() as handle:
        for row in csv.DictReader(handle):
            stamp = datetime.fromisoformat(row["timestamp_utc_iso"].replace("Z", "+00:00"))
            if (low and stamp < low) or (high and stamp > high):
                continue
            rows.append((stamp, float(row["price_usd"])))
    if len(rows) < 2:
        raise ValueError(f"{path}: fewer than two rows in the window {start} .. {end}")
    return rows


def replay(
    path: Path,
    blocks: int,
    start_price: float | None = None,
    start: str | None = None,
    end: str | None = None,
) -> np.ndarray:
    """The series resampled to `blocks` points by time (last known value at each point); rescaled to start at
    `start_price` when given (relative moves kept), else the recorded prices."""
    rows = read_series(path, start, end)
    times = np.array([r[0].timestamp() for r in rows])
    values = np.array([r[1] for r in rows])
    grid = np.linspace(times[0], times[-1], blocks)
    idx = np.searchsorted(times, grid, side="right") - 1
    series = values[np.clip(idx, 0, len(values) - 1)]
    if start_price is not None:
        series = series * (start_price / series[0])
    return series


def source_offsets(answers: list[float]) -> list[float]:
    """Each source's answer relative to the first (the config's answers): 1.0, 0.9995, 1.0006..."""
    return [a / answers[0] for a in answers]


def feed_answer(price: float, offset: float, decimals: int) -> int:
    return max(1, round(price * offset * 10**decimals))

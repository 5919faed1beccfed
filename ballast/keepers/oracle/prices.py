"""Where the oracle keeper's prices come from: a price file (read by `ballast.series`, as `ape run scenario replay`
reads it), or a seeded geometric random walk."""

from __future__ import annotations

import math
import random
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path

from ballast.errors import KeeperError, SeriesError
from ballast.keepers.oracle.settings import PriceSourceConfig, WalkParams
from ballast.series import read_prices, scale_factor, to_steps


def read_price_csv(path: Path | str) -> list[Decimal]:
    """The prices of a price file (`ballast.series`: its price column, or an OHLC file's lows), one per row."""
    try:
        series = read_prices(Path(path))
    except SeriesError as err:
        raise KeeperError(str(err)) from None
    return [_decimal(v) for v in series.values]


def source_prices(source: PriceSourceConfig, symbol: str, current: Decimal | None) -> list[Decimal]:
    """The prices a CSV source pushes, in order: the rows of `symbol` (or `source.asset`) of its file, its column,
    one per row or resampled to one per `file_step` seconds, at the file's prices or rescaled so that the first is
    `current` (the oracle's median). A file that cannot be used raises `KeeperError` (one line)."""
    assert source.csv is not None
    try:
        series = read_prices(source.csv, source.column, source.asset or symbol, source.resample)
        factor = scale_factor(series, source.prices, None if current is None else float(current))
        values = to_steps(series, source.file_step, source.resample) * factor
    except SeriesError as err:
        raise KeeperError(f"{symbol}: {err}") from None
    return [_decimal(v) for v in values]


def _decimal(value: float) -> Decimal:
    """A pushed price: the float's shortest decimal form (a file's own digits), at most 8 decimals, at least 1e-8."""
    price = Decimal(repr(float(value)))
    if price.as_tuple().exponent < -8:  # type: ignore[operator]
        price = price.quantize(Decimal("1e-8"))
    return max(price, Decimal("1e-8"))


def replay_prices(prices: list[Decimal], loop: bool = False) -> Iterator[Decimal]:
    """`prices` in order, over and over when `loop`."""
    while True:
        yield from prices
        if not loop:
            return


def csv_prices(path: Path | str, loop: bool = False) -> Iterator[Decimal]:
    return replay_prices(read_price_csv(path), loop)


def random_walk(start: Decimal, params: WalkParams) -> Iterator[Decimal]:
    """A seeded geometric random walk starting at `start` (the first value is `start` itself)."""
    rng = random.Random(params.seed)
    price = float(start)
    while True:
        yield Decimal(repr(price)).quantize(Decimal("1e-8")) if price >= 1e-8 else Decimal("1e-8")
        price *= math.exp(rng.gauss(params.drift_bps / 10_000, params.volatility_bps / 10_000))

"""Where the oracle keeper's prices come from: a CSV of `timestamp,price` rows, or a seeded geometric random walk."""

from __future__ import annotations

import csv
import math
import random
from collections.abc import Iterator
from decimal import Decimal, InvalidOperation
from pathlib import Path

from ballast.errors import KeeperError
from ballast.keepers.oracle.settings import WalkParams


def read_price_csv(path: Path | str) -> list[Decimal]:
    """Prices of a `timestamp,price` CSV (a header row, then one row per observation)."""
    path = Path(path)
    try:
        with path.open(newline="") as handle:
            rows = list(csv.reader(handle))
    except OSError as err:
        raise KeeperError(f"{path}: cannot read it ({err.strerror})") from None
    if not rows or len(rows[0]) < 2:
        raise KeeperError(f"{path}: expected a header row `timestamp,price`")
    prices = []
    for line, row in enumerate(rows[1:], start=2):
        if not row:
            continue
        try:
            price = Decimal(row[1])
        except (IndexError, InvalidOperation):
            raise KeeperError(f"{path}: line {line}: no price in {row!r}") from None
        if not price.is_finite() or price <= 0:
            raise KeeperError(f"{path}: line {line}: the price must be positive (got {row[1]})")
        prices.append(price)
    if not prices:
        raise KeeperError(f"{path}: no price rows")
    return prices


def csv_prices(path: Path | str, loop: bool = False) -> Iterator[Decimal]:
    prices = read_price_csv(path)
    while True:
        yield from prices
        if not loop:
            return


def random_walk(start: Decimal, params: WalkParams) -> Iterator[Decimal]:
    """A seeded geometric random walk starting at `start` (the first value is `start` itself)."""
    rng = random.Random(params.seed)
    price = float(start)
    while True:
        yield Decimal(repr(price)).quantize(Decimal("1e-8")) if price >= 1e-8 else Decimal("1e-8")
        price *= math.exp(rng.gauss(params.drift_bps / 10_000, params.volatility_bps / 10_000))

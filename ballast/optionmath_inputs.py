"""Samplers over the supported domain of the option math (`ballast.optionmath`, `WadMath`, `BlackScholes`).

The forge fixture (tools/optionmath_vectors.py) and the exact-reference tests (tests/math) draw their inputs here,
from a seeded `random.Random`, so both cover the same shapes of input: integers of every bit length, and option rows
whose strike is far from the spot, near it or equal to it.
"""

from __future__ import annotations

import math
import random

from ballast import optionmath as om

Row = tuple[int, int, int, int]  # spot, strike, sigma, tau


def log_uniform(rng: random.Random, lo: int, hi: int) -> int:
    """An integer in [lo, hi] whose logarithm is uniform (lo >= 1)."""
    return min(max(int(math.exp(math.log(lo) + (math.log(hi) - math.log(lo)) * rng.random())), lo), hi)


def magnitudes(rng: random.Random, count: int, bits: int) -> list[int]:
    """`count` positive integers whose bit length is uniform in [1, bits]."""
    out = []
    for _ in range(count):
        b = rng.randrange(1, bits + 1)
        out.append(rng.randrange(1 << (b - 1), 1 << b))
    return out


def domain_corners() -> list[Row]:
    """Every combination of the smallest, a middle and the largest spot and strike, the smallest and largest volatility,
    and a time to expiry of 0, 1 second and the longest supported."""
    prices = (om.MIN_PRICE, 3_000 * om.WAD, om.MAX_PRICE)
    return [
        (s, k, v, t)
        for s in prices
        for k in prices
        for v in (om.MIN_VOL, om.MAX_VOL)
        for t in (0, 1, om.MAX_TAU)
    ]


def option_row(rng: random.Random, strike_spread: float, expiry_share: float) -> Row:
    """One random row: spot log-uniform over the supported prices; strike a third each log-uniform over the same
    range, log-normal around the spot (`strike_spread` the standard deviation of its logarithm), or the spot give or
    take a wei; sigma log-uniform over the supported volatilities; tau 0 with probability `expiry_share`, else
    log-uniform over [1 s, MAX_TAU]."""
    spot = log_uniform(rng, om.MIN_PRICE, om.MAX_PRICE)
    pick = rng.random()
    if pick < 1 / 3:
        strike = log_uniform(rng, om.MIN_PRICE, om.MAX_PRICE)
    elif pick < 2 / 3:
        strike = int(spot * math.exp(rng.gauss(0, strike_spread)))
    else:
        strike = spot + rng.choice((-1, 0, 0, 1))
    strike = min(max(strike, om.MIN_PRICE), om.MAX_PRICE)
    sigma = log_uniform(rng, om.MIN_VOL, om.MAX_VOL)
    tau = 0 if rng.random() < expiry_share else log_uniform(rng, 1, om.MAX_TAU)
    return spot, strike, sigma, tau

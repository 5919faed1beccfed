"""The arithmetic of the report: liquidateMany as a line (liquidations per transaction and per block) and the plane
fitted over each scaling grid."""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np

from ballast.bench.harness import Measurement
from ballast.bench.operations import GRID_POSITIONS, GRID_TOKENS
from ballast.errors import BenchError

PER_TX_CAP = 16_777_216
"""EIP-7825: the most gas one transaction may ask for (its gas limit, before refunds)."""
BLOCK_GAS_LIMITS = (36_000_000, 60_000_000)
LINEAR_R2 = 0.999
"""A grid counts as linear in tokens and positions when a plane a + b * tokens + c * positions explains it this well."""


@dataclass(frozen=True)
class Batch:
    """liquidateMany as a line: tx gas = base + marginal * n; gas limit = limit_base + limit_marginal * n."""

    base: float
    marginal: float
    limit_base: float
    limit_marginal: float

    @classmethod
    def from_measurements(cls, small: Measurement, large: Measurement, n_small: int, n_large: int) -> Batch:
        marginal = (large.tx_gas - small.tx_gas) / (n_large - n_small)
        limit_marginal = (large.gas_limit - small.gas_limit) / (n_large - n_small)
        return cls(
            small.tx_gas - marginal * n_small,
            marginal,
            small.gas_limit - limit_marginal * n_small,
            limit_marginal,
        )

    def tx_gas(self, n: int) -> float:
        return self.base + self.marginal * n

    def gas_limit(self, n: int) -> float:
        return self.limit_base + self.limit_marginal * n

    def per_tx(self, cap: int = PER_TX_CAP) -> int:
        """Accounts one transaction can liquidate: its gas limit (before refunds) must stay under the cap."""
        return max(0, math.floor((cap - self.limit_base) / self.limit_marginal))

    def per_block_one_tx(self, block_gas: int) -> int:
        """Accounts per block if one transaction could take the whole block (no per-transaction cap)."""
        return max(0, math.floor((block_gas - self.limit_base) / self.limit_marginal))

    def per_block(self, block_gas: int, cap: int = PER_TX_CAP) -> int:
        """Accounts per block in transactions under the cap: k full transactions of `per_tx` accounts each (a
        transaction fits while its gas limit fits the gas the block has left; it uses its tx gas, after refunds),
        then one more with what is left."""
        n_tx = self.per_tx(cap)
        if n_tx == 0:
            return 0
        used, accounts = 0.0, 0
        while used + self.gas_limit(n_tx) <= block_gas:
            used += self.tx_gas(n_tx)
            accounts += n_tx
        rest = math.floor((block_gas - used - self.limit_base) / self.limit_marginal)
        return accounts + max(0, min(rest, n_tx))


PER_BLOCK_FORMULA = (
    "tx gas of a batch of n = base + marginal * n (fit through the 10- and 100-account batches); gas limit of a batch "
    "= limit_base + limit_marginal * n (the same before refunds). Per transaction: floor((16,777,216 - limit_base) / "
    "limit_marginal). Per block of B gas: transactions of that size while their gas limit fits what is left of the "
    "block (each uses its tx gas, refunds deducted), then one transaction with the rest: floor((left - limit_base) / "
    "limit_marginal). Without the per-transaction cap (one transaction): floor((B - limit_base) / limit_marginal)."
)


@dataclass(frozen=True)
class PlaneFit:
    """gas = intercept + per_token * tokens + per_position * positions over a grid, and how well it fits."""

    intercept: float
    per_token: float
    per_position: float
    r2: float
    max_residual: float
    max_residual_pct: float
    interaction: float
    """The coefficient of a tokens * positions term added to the fit: what the plane leaves out, per cell pair."""

    @property
    def linear(self) -> bool:
        return self.r2 >= LINEAR_R2


def fit_plane(points: Sequence[tuple[int, int, int]]) -> PlaneFit:
    """Least squares of gas on tokens and positions, with R^2, the largest residual and the interaction term."""
    if len(points) < 4:
        raise BenchError(f"a plane fit needs at least 4 grid points, got {len(points)}")
    a = np.array([p[0] for p in points], dtype=float)
    b = np.array([p[1] for p in points], dtype=float)
    y = np.array([p[2] for p in points], dtype=float)
    design = np.column_stack([np.ones_like(a), a, b])
    coef, *_ = np.linalg.lstsq(design, y, rcond=None)
    residuals = y - design @ coef
    total = float(((y - y.mean()) ** 2).sum())
    r2 = 1.0 - float((residuals**2).sum()) / total if total else 1.0
    worst = int(np.argmax(np.abs(residuals)))
    full = np.column_stack([design, a * b])
    coef_full, *_ = np.linalg.lstsq(full, y, rcond=None)
    return PlaneFit(
        float(coef[0]),
        float(coef[1]),
        float(coef[2]),
        r2,
        float(abs(residuals[worst])),
        float(abs(residuals[worst]) / y[worst] * 100),
        float(coef_full[3]),
    )


def grid_points(gas: Mapping[str, int], prefix: str) -> list[tuple[int, int, int]]:
    cells = [(c, p, f"{prefix}_c{c}_p{p}") for c in GRID_TOKENS for p in GRID_POSITIONS]
    return [(c, p, gas[key]) for c, p, key in cells if key in gas]

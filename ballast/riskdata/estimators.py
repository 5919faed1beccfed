"""Estimators on a price series: pure functions of numpy arrays, each docstring stating its formula.

Conventions: returns are log returns r_t = ln(P_t / P_{t-1}); a volatility is per period unless annualised by
`periods_per_year` (sigma_year = sigma_period * sqrt(periods_per_year); the histories of `ballast.riskdata.history`
give 365 days of 24 hours over the series' median sampling period); a move over a horizon is a simple return
P_j / P_i - 1, because haircuts and margins are fractions of a price, not of its logarithm.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

FloatArray = npt.NDArray[np.float64]

#: RiskMetrics' decay for daily data (J.P. Morgan/Reuters, RiskMetrics Technical Document, 1996).
RISKMETRICS_LAMBDA = 0.94


def log_returns(prices: npt.ArrayLike) -> FloatArray:
    """r_t = ln(P_t / P_{t-1}) for t = 1 .. n-1: n - 1 returns of n positive prices."""
    p = np.asarray(prices, dtype=np.float64)
    if p.ndim != 1 or len(p) < 2:
        raise ValueError("log returns need at least two prices")
    if not (np.isfinite(p).all() and (p > 0).all()):
        raise ValueError("log returns need positive finite prices")
    out: FloatArray = np.diff(np.log(p))
    return out


def realised_volatility(returns: npt.ArrayLike, periods_per_year: float) -> float:
    """The sample standard deviation of the returns, annualised:

        sigma = sqrt( sum_t (r_t - mean(r))^2 / (n - 1) ) * sqrt(periods_per_year)

    (n - 1: the unbiased sample variance; `periods_per_year=1` gives the per-period figure)."""
    r = np.asarray(returns, dtype=np.float64)
    if len(r) < 2:
        raise ValueError("a realised volatility needs at least two returns")
    if periods_per_year <= 0:
        raise ValueError("periods_per_year must be positive")
    return float(np.std(r, ddof=1)) * math.sqrt(periods_per_year)


def ewma_variances(returns: npt.ArrayLike, lam: float = RISKMETRICS_LAMBDA) -> FloatArray:
    """The RiskMetrics recursion (zero mean) of the per-period variance after each return:

        s2_1 = r_1^2,    s2_t = lam * s2_{t-1} + (1 - lam) * r_t^2   for t = 2 .. n

    (seeded with the first squared return; `lam` in (0, 1), RiskMetrics' 0.94 by default)."""
    r = np.asarray(returns, dtype=np.float64)
    if len(r) < 1:
        raise ValueError("an EWMA variance needs at least one return")
    if not 0 < lam < 1:
        raise ValueError("the EWMA decay lambda must lie in (0, 1)")
    out = np.empty(len(r))
    out[0] = r[0] ** 2
    for t in range(1, len(r)):
        out[t] = lam * out[t - 1] + (1 - lam) * r[t] ** 2
    return out


def ewma_volatility(
    returns: npt.ArrayLike, periods_per_year: float, lam: float = RISKMETRICS_LAMBDA
) -> float:
    """The last EWMA volatility, annualised: sigma = sqrt(s2_n * periods_per_year), s2_n from `ewma_variances`
    (`periods_per_year=1` gives the per-period figure)."""
    if periods_per_year <= 0:
        raise ValueError("periods_per_year must be positive")
    return math.sqrt(float(ewma_variances(returns, lam)[-1]) * periods_per_year)


@dataclass(frozen=True)
class WorstMove:
    """The worst moves within `horizon` periods: `down` = the largest fall P_j / P_i - 1 < 0 as a positive fraction
    (0 when prices never fall), from index `down_at[0]` to `down_at[1]`; `up` = the largest rise, likewise."""

    horizon: int
    down: float
    down_at: tuple[int, int]
    up: float
    up_at: tuple[int, int]

    @property
    def either(self) -> float:
        """The larger of the two: the worst move for a position of either side."""
        return max(self.down, self.up)


def worst_move(prices: npt.ArrayLike, horizon: int) -> WorstMove:
    """The worst moves over any window of at most `horizon` periods (a maximum drawdown, and run-up, confined to
    the horizon), in both directions:

        down = max(0, max_{i < j <= i + h} (1 - P_j / P_i)),    up = max(0, max_{i < j <= i + h} (P_j / P_i - 1))

    A horizon longer than the series is cut to the series (n - 1 periods)."""
    p = np.asarray(prices, dtype=np.float64)
    if len(p) < 2:
        raise ValueError("a worst move needs at least two prices")
    if horizon < 1:
        raise ValueError("the horizon must be at least one period")
    h = min(horizon, len(p) - 1)
    down, up = 0.0, 0.0
    down_at, up_at = (0, 0), (0, 0)
    for k in range(1, h + 1):
        ratio = p[k:] / p[:-k] - 1.0
        low, high = int(np.argmin(ratio)), int(np.argmax(ratio))
        if -ratio[low] > down:
            down, down_at = float(-ratio[low]), (low, low + k)
        if ratio[high] > up:
            up, up_at = float(ratio[high]), (high, high + k)
    return WorstMove(h, down, down_at, up, up_at)

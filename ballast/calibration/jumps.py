"""A Merton jump-diffusion (geometric Brownian motion with Poisson jumps) fitted to a price history by threshold
separation of its returns.

The model, per period of length dt (years): a log return is

    r = (mu - sigma^2 / 2) dt + sigma sqrt(dt) Z + sum_{k=1..N} Y_k,    Z ~ N(0, 1), N ~ Poisson(lambda dt),
    Y_k ~ N(m, s^2)

(`ballast.scenarios.paths.gbm` draws exactly this, with lambda dt per block). The fit, on the log returns r_1 .. r_n
of a `PriceHistory` (period = its median gap, `periods_per_year` = 365 days / period):

1. **Separate** (one pass, robust scale): c = median(r), MAD = median(|r - c|), sigma_robust = 1.4826 MAD (the normal
   distribution's MAD-to-standard-deviation factor). A return with |r - c| > k sigma_robust (k = `threshold`, 4 by
   default) is a jump period; the others are diffusion periods. A period holds at most one jump.
2. **Diffusion**: with the n_d diffusion returns, mean a and sample variance v (divisor n_d - 1):
   sigma = sqrt(v x periods per year), mu = a x periods per year + sigma^2 / 2 (so that (mu - sigma^2/2) dt = a).
3. **Jumps**: n_j jump returns r_j. Intensity lambda = n_j / n x periods per year (jumps per year). Each jump return
   holds one period of diffusion too, so a jump's size is r_j - a: m = mean(r_j - a), s = their sample standard
   deviation (0 with fewer than two jumps).

Everything is annualised like the risk data (`ballast.riskdata.history`): a 5-minute series has 105,120 periods a
year. Fitted on a crash window, the model describes crash days (a large negative drift and frequent jumps), which is
what the Monte Carlo stresses the parameters with.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from ballast.errors import SeriesError
from ballast.riskdata.estimators import log_returns
from ballast.riskdata.history import PriceHistory
from ballast.scenarios.paths import SECONDS_PER_YEAR

#: The normal distribution's standard deviation per unit of median absolute deviation: 1 / Phi^-1(3/4).
MAD_TO_SD = 1.4826
DEFAULT_THRESHOLD = 4.0


@dataclass(frozen=True)
class JumpModel:
    """Merton parameters of one asset, annualised: drift `mu` and diffusion volatility `sigma` per year, `jump_rate`
    jumps per year, log jump sizes N(`jump_mean`, `jump_sd`). The fit's inputs and counts say where they came from."""

    asset: str
    source: str
    mu: float
    sigma: float
    jump_rate: float
    jump_mean: float
    jump_sd: float
    period_seconds: float
    returns: int  # n
    jumps: int  # n_j
    threshold: float  # k
    robust_sd: float  # sigma_robust, per period

    def jumps_per_block(self, block_time: int) -> float:
        """The Poisson intensity over one block of `block_time` seconds: lambda x block_time / year."""
        return self.jump_rate * block_time / SECONDS_PER_YEAR


def separate(
    returns: npt.ArrayLike, threshold: float = DEFAULT_THRESHOLD
) -> tuple[npt.NDArray[np.bool_], float]:
    """The jump mask of `returns` (True: |r - median| > threshold x 1.4826 x MAD) and the robust per-period standard
    deviation 1.4826 x MAD."""
    if threshold <= 0:
        raise SeriesError(f"the jump threshold must be positive, not {threshold}")
    r = np.asarray(returns, dtype=np.float64)
    centre = float(np.median(r))
    robust = MAD_TO_SD * float(np.median(np.abs(r - centre)))
    if robust == 0.0:
        return np.zeros(len(r), dtype=bool), 0.0
    mask: npt.NDArray[np.bool_] = np.abs(r - centre) > threshold * robust
    return mask, robust


def fit_returns(
    returns: npt.ArrayLike,
    periods_per_year: float,
    asset: str = "",
    source: str = "",
    threshold: float = DEFAULT_THRESHOLD,
) -> JumpModel:
    """The Merton fit (module docstring) of per-period log `returns`."""
    r = np.asarray(returns, dtype=np.float64)
    if periods_per_year <= 0:
        raise SeriesError("periods per year must be positive")
    mask, robust = separate(r, threshold)
    diffusion, jumps = r[~mask], r[mask]
    if len(diffusion) < 2:
        raise SeriesError(f"{source or asset}: fewer than two returns without a jump; nothing to fit")
    a = float(np.mean(diffusion))
    sigma = math.sqrt(float(np.var(diffusion, ddof=1)) * periods_per_year)
    sizes = jumps - a
    return JumpModel(
        asset=asset,
        source=source,
        mu=a * periods_per_year + sigma**2 / 2,
        sigma=sigma,
        jump_rate=len(jumps) / len(r) * periods_per_year,
        jump_mean=float(np.mean(sizes)) if len(sizes) else 0.0,
        jump_sd=float(np.std(sizes, ddof=1)) if len(sizes) > 1 else 0.0,
        period_seconds=SECONDS_PER_YEAR / periods_per_year,
        returns=len(r),
        jumps=len(jumps),
        threshold=threshold,
        robust_sd=robust,
    )


def fit(history: PriceHistory, threshold: float = DEFAULT_THRESHOLD) -> JumpModel:
    """The Merton fit of `history`'s log returns, annualised by its periods per year."""
    return fit_returns(
        log_returns(history.prices), history.periods_per_year, history.asset, history.source, threshold
    )

"""The Monte Carlo's price paths: the crash replays and parametric crashes of the scenario catalog, and `gbm`,
geometric Brownian motion with jumps fitted to the crash data (`ballast.calibration.jumps`), drawn by
`ballast.scenarios.paths.gbm` on the run's seed.

`gbm` drives WETH, WBTC and LTT, each with the Merton model fitted to one recorded window (`FITS`): ETH and BTC over
the FTX collapse (2022-11-07 .. 11-12, 5-minute closes) and LUNA from 2022-05-07 to 05-09, before its spiral to zero
(1-minute closes, on the long-tail asset). The assets move independently (one generator, one draw after another);
the stable coins stay at their deployed prices. It runs 48 blocks of 10 minutes (8 hours; `--blocks` changes the
count), the mixed population, the keeper with its default budget. A run's paths come from the run's seed alone, so
every candidate parameter set meets the same prices.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from ballast.calibration.jumps import JumpModel, fit
from ballast.errors import ScenarioError
from ballast.riskdata.history import load_csv
from ballast.scenarios.catalog import SCENARIOS
from ballast.scenarios.paths import Paths, flat, gbm
from ballast.scenarios.properties import books_balance, lp_loss_after_insurance, no_new_risk_unless_ok
from ballast.scenarios.record import RunSettings, ScenarioSpec

GBM = "gbm"
GBM_BLOCKS = 48
GBM_BLOCK_TIME = 600  # seconds
#: The catalog's crash replays (`--paths replays`) and parametric crashes (`--paths crashes`).
REPLAYS: tuple[str, ...] = ("black-thursday", "eth_2021-05-19", "eth_2022-11-09", "luna_2022-05-10")
CRASHES: tuple[str, ...] = ("crash", "correlated-collapse")

#: symbol -> (price file, window start, window end): what each asset's jump model is fitted to.
FITS: dict[str, tuple[str, str | None, str | None]] = {
    "WETH": ("data/crashes/eth_2022-11-09.csv", None, None),
    "WBTC": ("data/crashes/btc_2022-11-09.csv", None, None),
    "LTT": ("data/crashes/ohlc/luna_2022-05-10_ohlc.csv", None, "2022-05-09T00:00:00+00:00"),
}


def fit_models(
    root: Path = Path("."), fits: Mapping[str, tuple[str, str | None, str | None]] = FITS
) -> tuple[JumpModel, ...]:
    """One fitted model per symbol of `fits` (files relative to `root`)."""
    return tuple(
        fit(load_csv(root / file, symbol, start, end)) for symbol, (file, start, end) in fits.items()
    )


@dataclass(frozen=True)
class FittedPaths:
    """The `gbm` paths: each modelled symbol from its start price by its model, in the order of `models`; the other
    symbols flat."""

    models: tuple[JumpModel, ...]

    def __call__(self, rng: np.random.Generator, prices: dict[str, float], s: RunSettings) -> Paths:
        out = flat(prices, s.blocks)
        for m in self.models:
            out[m.asset] = gbm(
                rng,
                prices[m.asset],
                s.blocks,
                s.block_time,
                sigma=m.sigma,
                mu=m.mu,
                jump_rate=m.jumps_per_block(s.block_time),
                jump_mean=m.jump_mean,
                jump_sd=m.jump_sd,
            )
        return out


def gbm_spec(models: tuple[JumpModel, ...]) -> ScenarioSpec:
    """The `gbm` scenario for `models` (module docstring)."""
    note = "; ".join(
        f"{m.asset}: mu {m.mu:.2f}/yr, sigma {m.sigma:.2f}/yr, {m.jump_rate:,.0f} jumps/yr of "
        f"N({m.jump_mean:.4f}, {m.jump_sd:.4f})"
        for m in models
    )
    return ScenarioSpec(
        GBM,
        "Geometric Brownian motion with jumps fitted to the crash data, one model per asset.",
        FittedPaths(models),
        (lp_loss_after_insurance(), no_new_risk_unless_ok(required=False), books_balance()),
        profile="mixed",
        shock_block=0,
        defaults={"blocks": GBM_BLOCKS, "block_time": GBM_BLOCK_TIME},
        path_note=note,
    )


def path_spec(name: str, models: tuple[JumpModel, ...]) -> ScenarioSpec:
    """The scenario of a Monte Carlo path: `gbm`, or a scenario of the catalog by name."""
    if name == GBM:
        if not models:
            raise ScenarioError("the gbm path needs fitted jump models")
        return gbm_spec(models)
    if name not in SCENARIOS:
        raise ScenarioError(f"unknown path {name!r} (gbm, or a scenario of `ape run scenario list`)")
    return SCENARIOS[name]

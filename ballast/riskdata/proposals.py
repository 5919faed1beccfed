"""Proposals of an asset's risk parameters from its price history: the engine's collateral haircuts (maintenance and
initial), a stress shock, a perpetual's maintenance and initial margins, and a collateral supply cap. Every number is
a `Figure` carrying its `value`, its `method` (the formula in words, with any rounding or clamping) and its `inputs`
(the numbers it came from).

Rules (h = the liquidation horizon in periods of the series; sigma_h = the per-period EWMA volatility * sqrt(h)):

- maintenance haircut = worst fall within h periods * safety factor (a collateral loses value only when its price
  falls);
- initial haircut = maintenance haircut + buffer_k * sigma_h (the room today's volatility asks for between opening
  and liquidation);
- stress shock = max(worst move within h periods either way, stress_k * sigma_h) (used both on collateral and on a
  market, whose positions lose on either side);
- maintenance margin = worst move within h periods either way * safety factor;
- initial margin = maintenance margin + buffer_k * sigma_h;
- supply cap = 2 * the liquidity (whole tokens) that can be sold within the liquidation penalty's price impact,
  when that depth is given (Chaos Labs' rule); no proposal otherwise.

Each bps figure is rounded up to whole bps (the conservative side) and then clamped to the contracts' bounds
(`MarginEngineGovernance._checkCollateral` and `_checkMarket`, also `ballast.config.schema`); a clamped figure says so
in its method. A proposal is never outside the bounds.
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass, field
from typing import Any

from ballast.errors import RiskDataError
from ballast.riskdata.estimators import (
    RISKMETRICS_LAMBDA,
    ewma_volatility,
    log_returns,
    realised_volatility,
    worst_move,
)
from ballast.riskdata.history import PriceHistory

BPS = 10_000
UINT128_MAX = 2**128 - 1

# The contracts' bounds, bps (MarginEngineGovernance._checkCollateral / _checkMarket).
MAINT_HAIRCUT_BOUNDS = (0, 9_000)
INITIAL_HAIRCUT_MAX = 9_500  # at least the maintenance haircut
STRESS_SHOCK_BOUNDS = (0, 9_000)  # collateral and market alike
MAINTENANCE_MARGIN_BOUNDS = (50, 5_000)
INITIAL_MARGIN_MAX = BPS  # above the maintenance margin
SUPPLY_CAP_BOUNDS = (1, UINT128_MAX)  # whole tokens here; the contract's lower bound is one unit
CHECK_COLLATERAL = "MarginEngineGovernance._checkCollateral"
CHECK_MARKET = "MarginEngineGovernance._checkMarket"

Inputs = dict[str, float | int | str]


@dataclass(frozen=True)
class Settings:
    """The knobs of the rules: the liquidation horizon (seconds), RiskMetrics' decay, the safety factor on the worst
    move, and the multiples of sigma_h for the initial buffer and the stress shock; the multiple of the depth for the
    supply cap."""

    horizon_seconds: int = 3_600
    lam: float = RISKMETRICS_LAMBDA
    safety_factor: float = 1.25
    buffer_k: float = 2.0
    stress_k: float = 3.0
    depth_multiple: float = 2.0

    def __post_init__(self) -> None:
        if self.horizon_seconds <= 0:
            raise RiskDataError("the horizon must be positive")
        if not 0 < self.lam < 1:
            raise RiskDataError("lambda must lie in (0, 1)")
        if min(self.safety_factor, self.depth_multiple) <= 0 or min(self.buffer_k, self.stress_k) < 0:
            raise RiskDataError(
                "the safety factor and the depth multiple must be positive, the k's non-negative"
            )


@dataclass(frozen=True)
class Estimates:
    """What the proposals are computed from: the series (observations, first and last timestamp, period), the
    horizon in periods, the realised and EWMA volatilities (annualised, and EWMA per period), the worst moves."""

    observations: int
    first_timestamp: int
    last_timestamp: int
    period_seconds: float
    periods_per_year: float
    horizon_periods: int
    realised_vol_annual: float
    ewma_vol_annual: float
    ewma_vol_period: float
    lam: float
    worst_down: float
    worst_up: float

    @property
    def sigma_h(self) -> float:
        """The per-period EWMA volatility scaled to the horizon: sigma_period * sqrt(h)."""
        return self.ewma_vol_period * math.sqrt(self.horizon_periods)


def estimate(history: PriceHistory, settings: Settings) -> Estimates:
    """The estimators on `history`, the horizon converted to periods: max(1, round(horizon / period))."""
    returns = log_returns(history.prices)
    ppy = history.periods_per_year
    h = max(1, round(settings.horizon_seconds / history.period_seconds))
    if len(returns) < 2:
        raise RiskDataError(f"{history.source}: at least three prices are needed for a volatility")
    worst = worst_move(history.prices, h)
    return Estimates(
        observations=len(history),
        first_timestamp=int(history.timestamps[0]),
        last_timestamp=int(history.timestamps[-1]),
        period_seconds=history.period_seconds,
        periods_per_year=ppy,
        horizon_periods=worst.horizon,
        realised_vol_annual=realised_volatility(returns, ppy),
        ewma_vol_annual=ewma_volatility(returns, ppy, settings.lam),
        ewma_vol_period=ewma_volatility(returns, 1.0, settings.lam),
        lam=settings.lam,
        worst_down=worst.down,
        worst_up=worst.up,
    )


@dataclass(frozen=True)
class Figure:
    """One proposed number: `value` (None: not proposed, `method` says why), its `unit`, the `method` that gave it
    and the `inputs` it came from."""

    value: int | None
    unit: str
    method: str
    inputs: Inputs = field(default_factory=dict)


def bounded_bps(fraction: float, low: int, high: int, rule: str, bound_source: str, inputs: Inputs) -> Figure:
    """`fraction` in bps rounded up to a whole bps, clamped to [low, high]; the method is `rule` plus the rounding
    and, when it applies, the clamp."""
    raw = fraction * BPS
    rounded = math.ceil(raw - 1e-9)  # 1e-9: a figure that is whole bps up to float noise stays whole
    method = f"{rule}; rounded up to whole bps"
    if rounded > high:
        value, method = (
            high,
            f"{method}; clamped down from {rounded} to the maximum {high} bps ({bound_source})",
        )
    elif rounded < low:
        value, method = low, f"{method}; clamped up from {rounded} to the minimum {low} bps ({bound_source})"
    else:
        value = rounded
    return Figure(
        value, "bps", method, {**inputs, "unrounded_bps": round(raw, 4), "bounds_bps": f"{low}..{high}"}
    )


@dataclass(frozen=True)
class Proposal:
    """The proposed parameters of one asset as collateral and as a perpetual's underlying."""

    asset: str
    source: str
    settings: Settings
    estimates: Estimates
    maint_haircut_bps: Figure
    initial_haircut_bps: Figure
    stress_shock_bps: Figure
    maintenance_margin_bps: Figure
    initial_margin_bps: Figure
    supply_cap: Figure

    def figures(self) -> dict[str, Figure]:
        """The proposed numbers by parameter name, in the order of the rules."""
        names = (
            "maint_haircut_bps",
            "initial_haircut_bps",
            "stress_shock_bps",
            "maintenance_margin_bps",
            "initial_margin_bps",
            "supply_cap",
        )
        return {name: getattr(self, name) for name in names}

    def to_json(self) -> dict[str, Any]:
        """A plain dict (JSON types) of the proposal, its settings and estimates."""
        return asdict(self)


def propose(history: PriceHistory, settings: Settings, depth_tokens: float | None = None) -> Proposal:
    """The proposal for `history`'s asset under `settings`; `depth_tokens`: the whole tokens that can be sold within
    the liquidation penalty's price impact (no supply cap is proposed without it)."""
    e = estimate(history, settings)
    h, safety, sigma_h = e.horizon_periods, settings.safety_factor, e.sigma_h
    volatility: Inputs = {"ewma_vol_period": e.ewma_vol_period, "horizon_periods": h, "sigma_h": sigma_h}

    maint_haircut = bounded_bps(
        e.worst_down * safety,
        *MAINT_HAIRCUT_BOUNDS,
        f"worst fall within {h} periods x safety factor {safety:g}",
        CHECK_COLLATERAL,
        {"worst_down": e.worst_down, "horizon_periods": h, "safety_factor": safety},
    )
    assert maint_haircut.value is not None
    initial_haircut = bounded_bps(
        maint_haircut.value / BPS + settings.buffer_k * sigma_h,
        maint_haircut.value,
        INITIAL_HAIRCUT_MAX,
        f"maintenance haircut + {settings.buffer_k:g} x EWMA vol per period x sqrt({h})",
        CHECK_COLLATERAL,
        {"maint_haircut_bps": maint_haircut.value, "buffer_k": settings.buffer_k, **volatility},
    )
    stress = max(e.worst_down, e.worst_up, settings.stress_k * sigma_h)
    stress_shock = bounded_bps(
        stress,
        *STRESS_SHOCK_BOUNDS,
        f"max(worst move either way within {h} periods, {settings.stress_k:g} x EWMA vol per period x sqrt({h}))",
        f"{CHECK_COLLATERAL}, {CHECK_MARKET}",
        {"worst_down": e.worst_down, "worst_up": e.worst_up, "stress_k": settings.stress_k, **volatility},
    )
    maintenance_margin = bounded_bps(
        max(e.worst_down, e.worst_up) * safety,
        *MAINTENANCE_MARGIN_BOUNDS,
        f"worst move either way within {h} periods x safety factor {safety:g}",
        CHECK_MARKET,
        {"worst_down": e.worst_down, "worst_up": e.worst_up, "horizon_periods": h, "safety_factor": safety},
    )
    assert maintenance_margin.value is not None
    initial_margin = bounded_bps(
        maintenance_margin.value / BPS + settings.buffer_k * sigma_h,
        maintenance_margin.value + 1,
        INITIAL_MARGIN_MAX,
        f"maintenance margin + {settings.buffer_k:g} x EWMA vol per period x sqrt({h})",
        CHECK_MARKET,
        {"maintenance_margin_bps": maintenance_margin.value, "buffer_k": settings.buffer_k, **volatility},
    )
    return Proposal(
        asset=history.asset,
        source=history.source,
        settings=settings,
        estimates=e,
        maint_haircut_bps=maint_haircut,
        initial_haircut_bps=initial_haircut,
        stress_shock_bps=stress_shock,
        maintenance_margin_bps=maintenance_margin,
        initial_margin_bps=initial_margin,
        supply_cap=supply_cap(depth_tokens, settings.depth_multiple),
    )


def supply_cap(depth_tokens: float | None, multiple: float = 2.0) -> Figure:
    """floor(multiple * depth_tokens) whole tokens, within `SUPPLY_CAP_BOUNDS`; not proposed without a depth."""
    if depth_tokens is None:
        return Figure(
            None,
            "tokens",
            "not proposed: no depth figure (give the tokens sellable within the liquidation penalty's price impact)",
        )
    if not (math.isfinite(depth_tokens) and depth_tokens > 0):
        raise RiskDataError(f"the depth must be a positive number of tokens, not {depth_tokens}")
    raw = math.floor(multiple * depth_tokens)
    low, high = SUPPLY_CAP_BOUNDS
    method = (
        f"{multiple:g} x the liquidity sellable within the liquidation penalty's price impact; rounded down "
        "to whole tokens"
    )
    value = min(max(raw, low), high)
    if value != raw:
        method = f"{method}; clamped from {raw} to {value} ({CHECK_COLLATERAL})"
    return Figure(value, "tokens", method, {"depth_tokens": depth_tokens, "depth_multiple": multiple})

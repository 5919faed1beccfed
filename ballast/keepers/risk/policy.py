"""The risk keeper's policy: from today's on-chain parameters and a proposal per asset
(`ballast.riskdata.proposals.Proposal`), the next step of every parameter. Pure functions: no chain, no clock.

Each parameter moves toward its proposal by at most

    limit = min(max(1, round_half_up(step_fraction x today)), max_step_bps)

(`step_fraction` 3 %: the proposals are searched within +-3 % of today's values, as Chaos Labs does; `max_step_bps` is
the engine's `MAX_RISK_STEP_BPS`, 500 bps per call); a supply cap (token units) moves by the fraction alone. A
proposal within the dead band of today's value (`dead_band_bps`, 5 bps; for a supply cap, that share of today's cap)
is not chased. The result is kept inside the contract's bounds and orderings (`MarginEngineGovernance._checkCollateral`
and `_checkMarket`):

- collateral: 0 <= maintenance haircut <= 9,000; maintenance <= initial haircut <= 9,500; stress shock 0 .. 9,000;
  supply cap >= 1 unit. The maintenance haircut is first capped at what the initial haircut can reach this step, then
  the initial haircut is raised to the new maintenance haircut if it would fall below it;
- market: maintenance margin above the liquidation penalty, at least the trading fee and 50, at most 5,000 and
  below what the initial margin can reach this step; initial margin above the new maintenance margin, at most
  10,000; stress shock 0 .. 9,000.

A step **tightens** a subject (a collateral asset, a market) when it raises its maintenance or initial haircut (margin),
as the engine judges it; the engine refuses a second tightening of a subject within `RISK_STEP_INTERVAL` (1 day) of
the last (`RiskStepTooSoon`). A subject tightened less than that ago (`last_tightened`: from the keeper's state or
the chain) keeps its rises for later: its maintenance and initial values may only stay or fall. Stress shocks and
supply caps are not spaced by the engine (they bound new risk only) and step at any time.

Every `ParamStep` says why it has its value: the proposal (value and method), today's value, and the limit, dead band,
bound or spacing that applied.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Literal

from eth_utils import to_checksum_address
from pydantic import BaseModel, ConfigDict, Field

from ballast.riskdata.proposals import (
    CHECK_COLLATERAL,
    CHECK_MARKET,
    INITIAL_HAIRCUT_MAX,
    INITIAL_MARGIN_MAX,
    MAINT_HAIRCUT_BOUNDS,
    MAINTENANCE_MARGIN_BOUNDS,
    STRESS_SHOCK_BOUNDS,
    UINT128_MAX,
    Figure,
    Proposal,
)

BPS = 10_000
#: `MarginEngineGovernance.MAX_RISK_STEP_BPS`: the largest change of a haircut or margin per risk-manager call.
MAX_RISK_STEP_BPS = 500
#: `MarginEngineGovernance.RISK_STEP_INTERVAL`: seconds between two tightening steps of one subject.
RISK_STEP_INTERVAL = 86_400
#: The top bit of a market's subject key in the engine (`MARKET_SUBJECT`); a collateral asset's key is its address.
MARKET_SUBJECT = 1 << 255

Kind = Literal["collateral", "market"]


class PolicySettings(BaseModel):
    """How far and how often the keeper steps."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    step_fraction: float = Field(
        0.03, gt=0, le=1, description="the largest step, as a fraction of today's value"
    )
    dead_band_bps: int = Field(
        5,
        ge=0,
        description="a proposal closer than this to today's value is not chased (bps; a share of a cap)",
    )
    max_step_bps: int = Field(
        MAX_RISK_STEP_BPS, ge=1, le=MAX_RISK_STEP_BPS, description="the engine's MAX_RISK_STEP_BPS"
    )
    step_interval: int = Field(
        RISK_STEP_INTERVAL, ge=0, description="the engine's RISK_STEP_INTERVAL, seconds"
    )


# ---------------------------------------------------------------------------------------------------- subjects


def collateral_subject(asset: str) -> str:
    """The key of a collateral asset's spacing (the engine's `bytes32(uint160(asset))`)."""
    return f"collateral:{to_checksum_address(asset)}"


def market_subject(market: int) -> str:
    """The key of a market's spacing (the engine's `bytes32(market | MARKET_SUBJECT)`)."""
    return f"market:{market}"


def subject_of(raw: bytes | int) -> str:
    """The key of the engine's `bytes32` subject (as `RiskStepTooSoon` carries it)."""
    value = int.from_bytes(raw, "big") if isinstance(raw, bytes | bytearray) else int(raw)
    if value & MARKET_SUBJECT:
        return market_subject(value & (MARKET_SUBJECT - 1))
    return collateral_subject("0x" + value.to_bytes(20, "big").hex())


@dataclass(frozen=True)
class CollateralState:
    """A collateral asset's parameters on chain (`collateralParams`); `supply_cap` in token units."""

    symbol: str
    asset: str
    decimals: int
    initial_haircut_bps: int
    maint_haircut_bps: int
    stress_shock_bps: int
    supply_cap: int

    @property
    def subject(self) -> str:
        return collateral_subject(self.asset)

    @property
    def label(self) -> str:
        return f"{self.symbol} collateral"


@dataclass(frozen=True)
class MarketState:
    """A market's parameters on chain (`marketParams`), with its asset's symbol."""

    index: int
    symbol: str
    asset: str
    initial_margin_bps: int
    maintenance_margin_bps: int
    stress_shock_bps: int
    trading_fee_bps: int
    reserve_factor_bps: int
    min_size: int
    long_open_interest_cap: int
    short_open_interest_cap: int

    @property
    def subject(self) -> str:
        return market_subject(self.index)

    @property
    def label(self) -> str:
        return f"market {self.index} ({self.symbol})"


# ---------------------------------------------------------------------------------------------------- steps


@dataclass(frozen=True)
class ParamStep:
    """One parameter's next value: `today` on chain, `proposed` (None: no proposal) by `method`, `new`, and
    `reason`: what set `new` (the proposal, the step limit, the dead band, a bound, the spacing)."""

    name: str
    today: int
    proposed: int | None
    new: int
    method: str
    reason: str
    held: bool = False  # a rise the engine's spacing keeps for later

    @property
    def changed(self) -> bool:
        return self.new != self.today


@dataclass(frozen=True)
class SubjectPlan:
    """The next step of one collateral asset or market: every parameter's `ParamStep`, the arguments of the setter
    (`setCollateralParams(asset, args)` / `setMarketParams(market, args)`) and, when its rises were held, why."""

    kind: Kind
    subject: str
    label: str
    target: str | int  # the setter's first argument: the asset's address or the market's index
    steps: tuple[ParamStep, ...]
    args: tuple[int | str, ...]
    held: str | None = None

    @property
    def changed(self) -> bool:
        return any(s.changed for s in self.steps)

    @property
    def rises_held(self) -> bool:
        """Whether the engine's spacing keeps a rise of this plan for later."""
        return any(s.held for s in self.steps)

    @property
    def tightens(self) -> bool:
        """Whether the engine counts it as a tightening: the maintenance or initial value rises."""
        spaced = {"maint_haircut_bps", "initial_haircut_bps", "maintenance_margin_bps", "initial_margin_bps"}
        return any(s.new > s.today for s in self.steps if s.name in spaced)

    def step(self, name: str) -> ParamStep:
        return next(s for s in self.steps if s.name == name)


def round_half_up(x: float) -> int:
    return math.floor(x + 0.5)


def step_limit(today: int, settings: PolicySettings, bps: bool = True) -> int:
    """The largest move of a parameter whose value is `today`: max(1, round(step_fraction x today)), at most
    `max_step_bps` for a bps figure."""
    limit = max(1, round_half_up(settings.step_fraction * today))
    return min(limit, settings.max_step_bps) if bps else limit


Bound = tuple[int, str]  # a value and where it comes from


def _tighter(a: Bound, b: Bound, upper: bool) -> Bound:
    """The binding one of two bounds (the lower of two upper bounds, the higher of two lower ones)."""
    if upper:
        return a if a[0] <= b[0] else b
    return a if a[0] >= b[0] else b


def plan_param(
    name: str,
    today: int,
    figure: Figure | None,
    limit: int,
    dead_band: int,
    low: Bound,
    high: Bound,
    hold_rise: str | None = None,
    scale: int = 1,
) -> ParamStep:
    """`name`'s next value: toward `figure` (its value times `scale`: token units for a cap) by at most `limit`,
    not when within `dead_band` of it; not up when `hold_rise` says why; then within [`low`, `high`]."""
    proposed = None if figure is None or figure.value is None else figure.value * scale
    method = "no proposal" if figure is None else figure.method
    if proposed is None:
        new, reason = today, "not proposed: kept"
    elif abs(proposed - today) < dead_band:
        new, reason = today, f"within the dead band ({dead_band}) of the proposal: kept"
    else:
        delta = max(-limit, min(limit, proposed - today))
        new = today + delta
        reason = "to the proposal" if new == proposed else f"step limit {limit} toward the proposal"
    held = hold_rise is not None and new > today
    if held:
        new, reason = today, str(hold_rise)
    if new > high[0]:
        new, reason = high[0], f"{reason}; capped at {high[0]} ({high[1]})"
    if new < low[0]:
        new, reason = low[0], f"{reason}; raised to {low[0]} ({low[1]})"
    return ParamStep(name, today, proposed, new, method, reason, held)


def _cooldown(
    subject: str, now: int, last_tightened: Mapping[str, int], settings: PolicySettings
) -> str | None:
    last = last_tightened.get(subject)
    if last is None or now >= last + settings.step_interval:
        return None
    return f"tightening held: last tightened at {last}, the engine allows the next at {last + settings.step_interval}"


def _within_step(plan: SubjectPlan, settings: PolicySettings) -> SubjectPlan:
    """The plan, or the subject kept as it is when a bound pushed a haircut or margin past the engine's step."""
    spaced = {"maint_haircut_bps", "initial_haircut_bps", "maintenance_margin_bps", "initial_margin_bps"}
    too_far = [s for s in plan.steps if s.name in spaced and abs(s.new - s.today) > settings.max_step_bps]
    if not too_far:
        return plan
    s = too_far[0]
    why = f"kept: {s.name} would move {s.today} -> {s.new}, more than the engine's step of {settings.max_step_bps}"
    kept = tuple(ParamStep(x.name, x.today, x.proposed, x.today, x.method, why) for x in plan.steps)
    return SubjectPlan(plan.kind, plan.subject, plan.label, plan.target, kept, _args_of(plan, kept), why)


def _args_of(plan: SubjectPlan, steps: Sequence[ParamStep]) -> tuple[int | str, ...]:
    values = {s.name: s.new for s in steps}
    if plan.kind == "collateral":
        return (
            values["initial_haircut_bps"],
            values["maint_haircut_bps"],
            values["stress_shock_bps"],
            values["supply_cap"],
        )
    asset, _, _, _, *rest = plan.args
    return (
        asset,
        values["initial_margin_bps"],
        values["maintenance_margin_bps"],
        values["stress_shock_bps"],
        *rest,
    )


def plan_collateral(
    state: CollateralState,
    proposal: Proposal,
    settings: PolicySettings,
    now: int,
    last_tightened: Mapping[str, int],
) -> SubjectPlan:
    """The next step of a collateral asset (see the module docstring)."""
    held = _cooldown(state.subject, now, last_tightened, settings)
    band = settings.dead_band_bps
    lim_initial = step_limit(state.initial_haircut_bps, settings)
    reach = (
        state.initial_haircut_bps
        if held
        else min(INITIAL_HAIRCUT_MAX, state.initial_haircut_bps + lim_initial)
    )
    maint = plan_param(
        "maint_haircut_bps",
        state.maint_haircut_bps,
        proposal.maint_haircut_bps,
        step_limit(state.maint_haircut_bps, settings),
        band,
        (MAINT_HAIRCUT_BOUNDS[0], CHECK_COLLATERAL),
        _tighter(
            (MAINT_HAIRCUT_BOUNDS[1], CHECK_COLLATERAL),
            (reach, "what the initial haircut reaches this step: initial >= maintenance"),
            upper=True,
        ),
        held,
    )
    initial = plan_param(
        "initial_haircut_bps",
        state.initial_haircut_bps,
        proposal.initial_haircut_bps,
        lim_initial,
        band,
        (maint.new, "initial >= maintenance haircut"),
        (INITIAL_HAIRCUT_MAX, CHECK_COLLATERAL),
        held,
    )
    stress = plan_param(
        "stress_shock_bps",
        state.stress_shock_bps,
        proposal.stress_shock_bps,
        step_limit(state.stress_shock_bps, settings),
        band,
        (STRESS_SHOCK_BOUNDS[0], CHECK_COLLATERAL),
        (STRESS_SHOCK_BOUNDS[1], CHECK_COLLATERAL),
    )
    cap = plan_param(
        "supply_cap",
        state.supply_cap,
        proposal.supply_cap,
        step_limit(state.supply_cap, settings, bps=False),
        -(-state.supply_cap * band // BPS),  # the dead band's share of today's cap, rounded up
        (1, CHECK_COLLATERAL),
        (UINT128_MAX, CHECK_COLLATERAL),
        scale=10**state.decimals,
    )
    steps = (maint, initial, stress, cap)
    plan = SubjectPlan(
        "collateral",
        state.subject,
        state.label,
        state.asset,
        steps,
        (initial.new, maint.new, stress.new, cap.new),
        held,
    )
    return _within_step(plan, settings)


def plan_market(
    state: MarketState,
    proposal: Proposal,
    penalty_bps: int,
    settings: PolicySettings,
    now: int,
    last_tightened: Mapping[str, int],
) -> SubjectPlan:
    """The next step of a market (see the module docstring); `penalty_bps`: the Liquidator's penalty at the
    maintenance threshold, which the maintenance margin must exceed."""
    held = _cooldown(state.subject, now, last_tightened, settings)
    band = settings.dead_band_bps
    lim_initial = step_limit(state.initial_margin_bps, settings)
    reach = (
        state.initial_margin_bps if held else min(INITIAL_MARGIN_MAX, state.initial_margin_bps + lim_initial)
    )
    low = _tighter(
        _tighter(
            (MAINTENANCE_MARGIN_BOUNDS[0], CHECK_MARKET),
            (penalty_bps + 1, "above the liquidation penalty"),
            False,
        ),
        (state.trading_fee_bps, "at least the trading fee"),
        upper=False,
    )
    maint = plan_param(
        "maintenance_margin_bps",
        state.maintenance_margin_bps,
        proposal.maintenance_margin_bps,
        step_limit(state.maintenance_margin_bps, settings),
        band,
        low,
        _tighter(
            (MAINTENANCE_MARGIN_BOUNDS[1], CHECK_MARKET),
            (reach - 1, "below what the initial margin reaches this step: initial > maintenance"),
            upper=True,
        ),
        held,
    )
    initial = plan_param(
        "initial_margin_bps",
        state.initial_margin_bps,
        proposal.initial_margin_bps,
        lim_initial,
        band,
        (maint.new + 1, "initial > maintenance margin"),
        (INITIAL_MARGIN_MAX, CHECK_MARKET),
        held,
    )
    stress = plan_param(
        "stress_shock_bps",
        state.stress_shock_bps,
        proposal.stress_shock_bps,
        step_limit(state.stress_shock_bps, settings),
        band,
        (STRESS_SHOCK_BOUNDS[0], CHECK_MARKET),
        (STRESS_SHOCK_BOUNDS[1], CHECK_MARKET),
    )
    s = state
    plan = SubjectPlan(
        "market",
        s.subject,
        s.label,
        s.index,
        (maint, initial, stress),
        (
            s.asset, initial.new, maint.new, stress.new, s.trading_fee_bps, s.reserve_factor_bps, s.min_size,
            s.long_open_interest_cap, s.short_open_interest_cap,
        ),
        held,
    )  # fmt: skip
    return _within_step(plan, settings)


def plan(
    collateral: Sequence[CollateralState],
    markets: Sequence[MarketState],
    proposals: Mapping[str, Proposal],
    penalty_bps: int,
    settings: PolicySettings,
    now: int,
    last_tightened: Mapping[str, int],
) -> list[SubjectPlan]:
    """The next step of every collateral asset and market whose asset has a proposal (by symbol), in that order."""
    out = [
        plan_collateral(c, proposals[c.symbol], settings, now, last_tightened)
        for c in collateral
        if c.symbol in proposals
    ]
    out += [
        plan_market(m, proposals[m.symbol], penalty_bps, settings, now, last_tightened)
        for m in markets
        if m.symbol in proposals
    ]
    return out

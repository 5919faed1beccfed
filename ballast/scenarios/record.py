"""What a scenario run is given (`RunSettings`, `ScenarioSpec`) and what it records for the property checks
(`RunRecord`: liquidations with the statuses of their block, absorptions, probes, the InsuranceFund's covers)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from ballast.risk import RiskParams
from ballast.scenarios.faults import Fault
from ballast.scenarios.lp_split import PoolState
from ballast.scenarios.model import BlockMetrics, PropertyResult
from ballast.scenarios.paths import Paths
from ballast.scenarios.population import Population

WAD = 10**18

#: Source statuses under which the oracle refuses to price a liquidation (docs/design.md#liveness: a freeze does not
#: stop one).
UNUSABLE = ("Stale",)


@dataclass(frozen=True)
class LeadIn:
    """A price history before a replay's window (a file of `data/crashes`, between two ISO times): what the risk
    keeper had seen when the window opened."""

    symbol: str
    path: str
    start: str
    end: str


@dataclass(frozen=True)
class RiskKeeperRun:
    """The risk keeper (`ballast.keepers.risk`) in a run: it steps every `every` blocks after the liquidation and
    expiry keepers, from the risk manager's account, on the oracle's events since the run's first block; with
    `lead_in` histories it steps once before the first block on them (what it would have set from the data before
    the window). `step_fraction`, `dead_band_bps`: its policy; `horizon`: the proposals' liquidation horizon, s."""

    every: int = 5
    lead_in: tuple[LeadIn, ...] = ()
    step_fraction: float = 0.03
    dead_band_bps: int = 5
    horizon: int = 3_600


@dataclass(frozen=True)
class RunSettings:
    """A run's knobs (the command's options)."""

    accounts: int = 30
    seed: int = 1
    blocks: int = 40
    block_time: int = 30  # seconds (the TWAP window, 300 s, is 10 blocks)
    keeper_gas: int = 10_000_000  # gas budget per block
    keeper_delay: int = 0  # blocks before the keeper starts
    batch_size: int = 25
    profile: str = "mixed"
    leverage: str = (
        "use"  # population sizing: "use" (a share of a stricter capacity) or "max" (the engine's limit)
    )
    risk_keeper: RiskKeeperRun | None = None  # the risk keeper in the loop (None: the parameters stay)


@dataclass(frozen=True)
class Liquidation:
    block: int
    account: str
    closed_notional: float  # USD
    keeper_reward: float  # USD
    statuses: dict[str, str]  # asset statuses at the end of the block
    true_vs_median: dict[str, float]  # median / path price - 1, per asset
    # The assets (symbols) the account's health read when it was liquidated: its books at the end of the block before.
    exposure: frozenset[str] = frozenset()
    # The margin products the liquidation closed positions in (its `ProductLiquidated` events), and whether it also
    # reduced the account's perps.
    products: frozenset[int] = frozenset()
    closed_perps: bool = False


@dataclass(frozen=True)
class Settlement:
    """A series the expiry keeper settled (`Settled`), with the oracle's TWAP over the settlement window ending at
    expiry read at the settlement block (`twapEndingAt`: what an at-expiry price must equal)."""

    block: int
    series_id: int
    is_call: bool
    strike: float  # USD
    expiry: int
    price: float  # USD
    at_expiry: bool
    delay: int  # seconds after expiry
    twap_at_expiry: float  # USD
    window: int  # the settlement window, seconds
    long_open: float = 0.0  # units the accounts held long when it settled
    short_open: float = 0.0  # units they held short


@dataclass(frozen=True)
class VolStep:
    """One `setImpliedVol` step of the risk manager (per year)."""

    block: int
    timestamp: int
    before: float
    after: float


@dataclass(frozen=True)
class VolSpike:
    """The risk manager raises `symbol`'s implied volatility from block `start` on, each step the largest the book
    allows (MAX_VOL_STEP_BPS of the current value), one whenever VOL_STEP_INTERVAL has passed since its last step,
    until `target` times the value at the start of the run."""

    symbol: str
    start: int
    target: float


@dataclass(frozen=True)
class SeriesListing:
    """A series the risk manager lists before the population is seeded: strike `moneyness` times the asset's price
    (rounded to 50 USD), expiring between block `expiry_block` - 1 and `expiry_block` (later when the book's shortest
    tenor needs it)."""

    symbol: str
    moneyness: float
    is_call: bool
    expiry_block: int
    max_open: float  # units


@dataclass(frozen=True)
class RiskStep:
    """A step the risk keeper sent (`block` -1: the lead-in step before the first block): the subject, whether the
    engine counts it a tightening, and each parameter changed (today, new)."""

    block: int
    subject: str
    label: str
    tightens: bool
    changes: dict[str, tuple[int, int]]
    tx: str


@dataclass(frozen=True)
class Absorption:
    block: int
    account: str
    deficit: float  # USD
    insurance_covered: float  # USD
    insurance_before: float  # InsuranceFund balance at the end of the previous block, USD


@dataclass
class RunRecord:
    """What the property checks read (besides the metrics rows)."""

    settings: RunSettings
    faults: list[Fault]
    paths: Paths
    population: Population
    liquidations: list[Liquidation] = field(default_factory=list)
    absorptions: list[Absorption] = field(default_factory=list)
    probes: list[tuple[int, str, str, bool, str]] = field(
        default_factory=list
    )  # block, market, status, ok, error
    # (block, deficit, covered, uncovered, fund balance before the cover), settlement units, for covers that left
    # a deficit to LPs
    cover_checks: list[tuple[int, int, int, int, int]] = field(default_factory=list)
    final_books: dict[str, Any] = field(default_factory=dict)  # docs/design.md#invariants checks at the end
    metrics: list[BlockMetrics] = field(default_factory=list)
    pool_states: list[PoolState] = field(default_factory=list)  # the start, then the end of every block
    realized_pnl: int = 0  # traders' realized PnL over the run, USD WAD (PositionModified)
    socialized: list[tuple[int, int]] = field(default_factory=list)  # (block, DeficitSocialized.valueUsd WAD)
    absorbed_surplus: int = 0  # collateral absorbed above the debt it cancelled, USD WAD
    settlement: str = "USDC"  # the settlement symbol (every account's health reads its price)
    keeper_errors: list[tuple[int, str]] = field(
        default_factory=list
    )  # (block, error) of crashed keeper steps
    # Per symbol, the seconds from an asset's last accepted price to the end of its wind-down (docs/design.md#liveness):
    # its maxPriceAge, then the oracle's windDownAfter and windDownDelay.
    wind_down_bound: dict[str, int] = field(default_factory=dict)
    # Options (a deployment with an OptionsBook): the series listed for the run (id -> expiry), the expiry keeper's
    # settlements, the risk manager's volatility steps, the positions realized at their payoff (block, series, account,
    # size in units, payoff USD: positive paid to the account), and realizations the traders sent that failed.
    listed_series: dict[int, int] = field(default_factory=dict)
    settlements: list[Settlement] = field(default_factory=list)
    vol_steps: list[VolStep] = field(default_factory=list)
    #: The OptionsBook's implied-volatility rule as the book states it: (MAX_VOL_STEP_BPS, VOL_STEP_INTERVAL).
    vol_rule: tuple[int, int] = (0, 0)
    payouts: list[tuple[int, int, str, float, float]] = field(default_factory=list)
    failed_realizations: int = 0
    product_closed: dict[int, float] = field(
        default_factory=dict
    )  # margin product -> USD notional liquidations closed
    # The risk keeper (`RunSettings.risk_keeper`): the steps it sent, the tightenings the engine's spacing held
    # (block, subject, next allowed time), the transactions that failed (block, kind, error); and, in every run, the
    # governed parameters read back from the engine at the end of each block.
    risk_steps: list[RiskStep] = field(default_factory=list)
    risk_held: list[tuple[int, str, int]] = field(default_factory=list)
    risk_failures: list[tuple[int, str, str]] = field(default_factory=list)
    governed: list[RiskParams] = field(default_factory=list)

    @property
    def lp_loss(self) -> float:
        """USD of deficits socialized to LPs: the one meaning of "LP loss" in every report line and property."""
        return sum(v for _, v in self.socialized) / WAD


Check = Callable[[RunRecord], PropertyResult]


@dataclass(frozen=True)
class ScenarioSpec:
    """A scenario: its population profile, paths, faults and properties."""

    name: str
    description: str
    paths: Callable[[np.random.Generator, dict[str, float], RunSettings], Paths]
    properties: tuple[Check, ...]
    faults: Callable[[RunSettings], list[Fault]] = lambda settings: []
    profile: str = "mixed"
    shock_block: int = 2  # the block the shock starts (blocks_to_clear counts from it)
    defaults: dict[str, Any] = field(default_factory=dict)  # RunSettings overrides
    path_note: str = ""
    # Options, when the deployment has an OptionsBook: the share of the traders that trade options
    # (`ballast.scenarios.population`), series listed for the run, and the risk manager's volatility spike.
    option_traders: float = 0.0
    list_series: tuple[SeriesListing, ...] = ()
    vol_spike: VolSpike | None = None
    # A replay's windows: (symbol, the file it replays, window start, window end or None), for a history before them.
    replay_windows: tuple[tuple[str, str, str, str | None], ...] = ()


def exposure(record: RunRecord, account: str) -> set[str]:
    """The assets whose prices `account`'s health reads (its collateral, its markets' assets, the settlement
    asset), by symbol, from the population."""
    trader = next((t for t in record.population.traders if t.address == account), None)
    if trader is None:
        return set()
    return {record.settlement, *trader.deposits, *(m.split("-")[0] for m in trader.positions)}


def stale_liquidations(record: RunRecord) -> list[Liquidation]:
    """Liquidations of accounts whose health reads an asset its sources gave as Stale at the end of that block (the
    oracle is updated once per block, before the keeper: the status the Liquidator saw; a freeze does not count)."""
    return [
        x
        for x in record.liquidations
        if any(x.statuses.get(sym) in UNUSABLE for sym in (x.exposure or exposure(record, x.account)))
    ]

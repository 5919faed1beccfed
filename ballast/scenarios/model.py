"""The data a scenario run produces: what the runner (`ballast.scenarios.runner`) records block by block and what
the report (`ballast.scenarios.report`) turns into `summary.md`, `metrics.csv`, the plots and the terminal table.

Money is kept in floats of whole units here (USD, tokens): the report's unit. The runner converts from the chain's
integers (WAD prices, settlement-asset units) when it records a row; exact integer checks happen in the runner's
property checks, not in the report.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from ballast.risk import STATUS_NAMES
from ballast.scenarios.lp_split import LossSplit

__all__ = ["STATUS_NAMES"]

#: Health buckets of the accounts-by-health plot, by maintenance equity / maintenance margin.
#: An account with no positions is "flat"; the others fall in the first bucket whose upper bound exceeds their ratio.
HEALTH_BUCKETS: tuple[tuple[str, float], ...] = (
    ("liquidatable (<1)", 1.0),
    ("at risk (1-1.25)", 1.25),
    ("watch (1.25-2)", 2.0),
    ("safe (>=2)", float("inf")),
)
#: Health-bucket columns of metrics.csv and bands of health.png, worst first; "flat" = no positions.
BUCKET_NAMES: tuple[str, ...] = (*(name for name, _ in HEALTH_BUCKETS), "flat")


class Verdict(StrEnum):
    PASS = "PASS"
    FAIL = "FAIL"


@dataclass(frozen=True)
class PropertyResult:
    """One property a scenario states, and whether the run held it."""

    name: str  # e.g. "no liquidation at a manipulated price"
    verdict: Verdict
    detail: str  # the evidence: counts, blocks, values ("0 of 14 liquidations while WETH was Deviated")


@dataclass(frozen=True)
class AssetBlock:
    """One asset's oracle state at the end of a block."""

    median: float  # USD
    twap: float  # USD
    status: str  # one of STATUS_NAMES
    path_price: float  # the price the scenario's path asked for (the "true" price), USD


#: The parts of the Pool's exposure to the engine's books, as the report names them: the engine's own perp markets,
#: then each margin product by its name (the OptionsBook is "options"), then the engine's total (`poolExposure`).
PERPS = "perps"
ENGINE_TOTAL = "engine total"


@dataclass(frozen=True)
class Exposure:
    """The Pool's exposure to one part of the engine's books (`ITraderBook.poolExposure(false)`), USD: the traders'
    PnL at the low and at the high prices (positive: owed by the Pool) and the Pool liquidity it reserves."""

    pnl_low: float
    pnl_high: float
    reserved: float

    def minus(self, other: Exposure) -> Exposure:
        return Exposure(
            self.pnl_low - other.pnl_low, self.pnl_high - other.pnl_high, self.reserved - other.reserved
        )


@dataclass(frozen=True)
class MarketBlock:
    """One perp market in one block, USD at the block's oracle median of the market's asset."""

    open_interest: float  # the traders' |size| summed
    volume: float  # the traders' |size change| since the previous block summed (liquidations included)
    liquidations: int  # liquidations that reduced a position in the market
    liquidated_notional: float  # the size those liquidations closed
    bad_debt: float  # the block's deficits, each account's split by its last perp notional per market


@dataclass(frozen=True)
class ProductBlock:
    """One product (`PERPS` or a margin product by its name) in one block, USD."""

    liquidations: int  # liquidations that closed positions in it
    liquidated_notional: float  # notional they closed in it
    bad_debt: (
        float  # deficits of the accounts absorbed that last held it (one holding several counts in each)
    )


@dataclass(frozen=True)
class BlockMetrics:
    """One row of metrics.csv: the state at the end of one simulated block."""

    block: int  # simulated block index, 0 = first block after seeding
    timestamp: int  # chain timestamp, unix seconds
    assets: dict[str, AssetBlock]  # by symbol
    health_buckets: dict[str, int]  # bucket name (HEALTH_BUCKETS or "flat") -> number of accounts
    liquidatable: int  # accounts below maintenance at the end of the block
    liquidations: int  # Liquidated events in the block
    liquidated_notional: float  # USD closed by those liquidations
    keeper_rewards: float  # USD paid to keepers in the block
    keeper_gas: int  # gas the keepers used in the block
    deficits: float  # USD of bad debt absorbed in the block (insurance + socialized)
    insurance_balance: float  # InsuranceFund booked balance, USD
    lp_share_price: float  # Pool share price, USD per share
    utilization: float  # Pool utilization, 0..1
    worst_health: (
        float  # lowest maintenance equity / maintenance margin among accounts with positions (inf if none)
    )
    # USD: the negative maintenance equity of the accounts below zero, summed (a loss not yet realized as bad debt)
    open_deficit: float = 0.0
    # The Pool's exposure by part at the end of the block (`PERPS`, each margin product, `ENGINE_TOTAL`); the perps'
    # part is the engine's total minus the products'.
    exposure: dict[str, Exposure] = field(default_factory=dict)
    lp_loss: float = 0.0  # USD of deficits socialized to LPs in the block (DeficitSocialized)
    keeper_gas_budget: int = 0  # the liquidation keeper's gas budget in the block (0 before its start delay)
    markets: dict[str, MarketBlock] = field(default_factory=dict)  # by market name
    products: dict[str, ProductBlock] = field(default_factory=dict)  # `PERPS`, then each margin product


@dataclass(frozen=True)
class SettlementOutcome:
    """A series settled during the run, against the prices around its expiry (USD)."""

    series: str  # e.g. "WETH 3000 put #4"
    block: int  # the block the expiry keeper settled it in
    price: float  # the settlement price
    at_expiry: bool  # the TWAP over the settlement window ending at expiry (not the fallback rule)
    delay: int  # seconds after expiry
    median_before_expiry: float  # the oracle's median at the last block before expiry
    spot_at_expiry: float  # the path price of the first block at or after expiry
    spot_at_end: float  # the path price at the last block
    long_open: float  # units held long when it settled
    short_open: float  # units held short when it settled


@dataclass(frozen=True)
class OptionsOutcome:
    """What the options did in a run (a deployment with an OptionsBook)."""

    option_traders: int  # traders holding options after the seeding
    liquidations_closing_options: int  # liquidations with a ProductLiquidated of the OptionsBook
    liquidations_closing_options_and_perps: int  # of those, the ones that also reduced the account's perps
    options_closed_usd: float  # notional the liquidations closed in the book
    vol_steps: tuple[tuple[int, float, float], ...]  # (block, before, after) of each implied-volatility step
    settlements: tuple[SettlementOutcome, ...]
    paid_to_longs: float  # USD: settled long positions realized at their payoff
    paid_by_shorts: float  # USD: settled short positions realized at their payoff
    realizations: int  # settled positions realized (PositionSettled)


@dataclass(frozen=True)
class Outcome:
    """The outcome table of summary.md and of the terminal."""

    liquidations: int
    liquidated_notional: float  # USD
    keeper_rewards: float  # USD
    deficits: float  # USD of bad debt, all of it
    insurance_used: float  # USD the InsuranceFund paid towards deficits
    lp_loss: float  # USD socialized to LPs (DeficitSocialized): the one meaning of "LP loss"
    max_utilization: float  # 0..1
    worst_health: float  # lowest ratio seen over the run
    blocks: int
    transactions: int  # every transaction the driver and the keepers sent
    wall_seconds: float
    blocks_to_clear: int | None  # blocks from the shock until no account was liquidatable (None: never)
    liquidatable_at_end: int = 0  # accounts below maintenance at the last block
    open_deficit_at_end: float = (
        0.0  # USD of negative maintenance equity left at the last block (`BlockMetrics`)
    )
    # liquidations of accounts whose health reads a Stale or Frozen price at that block
    stale_liquidations: int = 0
    keeper_errors: int = 0  # keeper steps that raised (the keeper ran again next block)
    lp_split: LossSplit | None = None  # the LP share-price change and its parts
    options: OptionsOutcome | None = None  # a deployment with an OptionsBook


@dataclass
class ScenarioResult:
    """Everything a run produced. `parameters` holds the scenario's inputs as printable values (seed, accounts,
    keeper gas budget and delay, block time, path, faults...)."""

    scenario: str
    seed: int
    description: str
    parameters: dict[str, Any]
    blocks: list[BlockMetrics] = field(default_factory=list)
    properties: list[PropertyResult] = field(default_factory=list)
    outcome: Outcome | None = None
    events: list[tuple[int, str]] = field(
        default_factory=list
    )  # (block, what happened): faults, freezes, shocks

    @property
    def passed(self) -> bool:
        return all(p.verdict is Verdict.PASS for p in self.properties)

    @property
    def symbols(self) -> list[str]:
        return list(self.blocks[0].assets) if self.blocks else []


#: The points of a run the exposure table shows: its first block, its worst block (the lowest LP share price, the
#: first such block) and its last block.
EXPOSURE_POINTS: tuple[str, ...] = ("start", "worst", "end")


def exposure_points(blocks: Sequence[BlockMetrics]) -> dict[str, BlockMetrics]:
    """The rows of `EXPOSURE_POINTS` among `blocks` (none when there are no blocks)."""
    if not blocks:
        return {}
    worst = min(blocks, key=lambda m: (m.lp_share_price, m.block))
    return {"start": blocks[0], "worst": worst, "end": blocks[-1]}


def exposure_parts(blocks: Iterable[BlockMetrics]) -> list[str]:
    """Every exposure part of the run, in the order they first appear."""
    seen: dict[str, None] = {}
    for row in blocks:
        seen.update(dict.fromkeys(row.exposure))
    return list(seen)


def asset_symbols(blocks: Iterable[BlockMetrics]) -> list[str]:
    """Every asset symbol of the run, in the order they first appear."""
    seen: dict[str, None] = {}
    for row in blocks:
        seen.update(dict.fromkeys(row.assets))
    return list(seen)

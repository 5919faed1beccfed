"""The one gas model of every transaction a keeper sends.

A transaction's gas limit is

    limit = min(cap, learned(kind) * max(modelled, estimate + headroom(estimate)))
    headroom(estimate) = max(estimate * headroom_bps / 10_000, headroom_floor)
    cap = min(the block gas limit, the keeper's budget left, max_limit)

- `estimate` is the node's `eth_estimateGas`. Nodes (anvil, geth) run it against the latest block, with that block's
  timestamp, but the transaction executes one block later or more. What `OracleAggregator.update` stores depends on
  the timestamp: at the parent block's time it may find an observation for "now" and record none, one block later it
  writes a new TWAP observation and changes the ring's header. Measured on the current contracts (tests/keepers,
  tests/deploy): one source, 58,871 gas estimated at the parent block, 67,735 used one block later; three sources,
  79,090 estimated, 87,954 used. A limit of the bare estimate runs out of gas.
- `headroom_floor` (29,200 gas) bounds what such storage work can cost beyond the estimate: a new observation in a
  slot never written before (a cold zero->nonzero SSTORE: 22,100 = 20,000 + 2,100 for the cold access, EIP-2200 and
  EIP-2929), the ring's header going from unchanged to changed (a warm nonzero->nonzero SSTORE, 2,900), and two more
  cold reads of observations as the TWAP window start moves on by a block (2 x 2,100). The oracle pre-fills its ring
  slots, so today a new observation is a cold nonzero->nonzero store (5,000) and the measured surprise is 8,864 gas:
  the floor covers it more than three times, and still covers a slot that was not pre-filled.
- `headroom_bps` (20 %) covers the work that scales with the transaction and moves between the estimate and the
  inclusion: accounts of a `liquidateMany` whose books or prices changed (a close becoming an absorption). Above
  146,000 gas of estimate it is larger than the floor.
- `modelled` is the keeper's own figure where it has one: `GasModel.account` per liquidated account (tests/keepers
  holds it between the node's estimate and three times it), a figure per oracle update and per feed push.
- `learned(kind)` starts at 1. A transaction that runs out of gas is retried once, in the same step, with its limit
  times `retry_factor_bps` (1.5) if the cap leaves room, and its kind (`oracle.update`, `liquidateMany`...) remembers
  that factor over the figure it had been given (at most `MAX_LEARNED_BPS`, four times): later transactions of that
  kind start from the larger figure. What the model learns lives as long as the keeper's process.
"""

from __future__ import annotations

from dataclasses import dataclass

from pydantic import BaseModel, ConfigDict, Field
from pydantic.alias_generators import to_camel

from ballast.risk import AccountState

BPS = 10_000

# EVM storage prices since Berlin (EIP-2929) and London (EIP-3529), in gas.
COLD_SLOAD = 2_100  # first read of a slot in a transaction
SSTORE_SET = 20_000  # zero -> nonzero, warm
SSTORE_RESET_WARM = 2_900  # nonzero -> another value, warm (5,000 less the cold surcharge)
COLD_SSTORE_SET = SSTORE_SET + COLD_SLOAD  # 22,100: a slot never written before, first touched by this store
#: Storage work the parent-block estimate can miss in one transaction: a new TWAP observation in a fresh ring slot,
#: the ring header's change, two more cold observation reads as the window start moves (see the module doc).
STORAGE_SURPRISE = COLD_SSTORE_SET + SSTORE_RESET_WARM + 2 * COLD_SLOAD  # 29,200


class GasError(ValueError):
    """A transaction cannot be given a gas limit: the node's estimate does not fit under the cap."""


class GasModel(BaseModel):
    """The gas model's figures: the headroom on the node's estimate, the retry after an out-of-gas, and the modelled
    gas of each kind of keeper transaction.

    The liquidation figures are per account from its books: the transaction's own cost (with the first, cold reads of
    the engine, the Pool and the oracle), judging each account, closing its positions and charging the penalty, and,
    when the account is absorbed, moving each collateral asset to the Pool and settling the deficit. Their defaults
    bound what anvil estimates on the reference core (tests/keepers holds them to it) and the forge harness's
    liquidation grid (bench/results.md: 1 to 7 collateral assets, 1 to 8 positions, cold: 12 % to 40 % above it),
    no more: under a gas budget (a congested block) the keeper commits what it models, so a loose figure costs
    liquidations."""

    model_config = ConfigDict(frozen=True, extra="forbid", alias_generator=to_camel, populate_by_name=True)

    headroom_bps: int = Field(2_000, ge=0, le=10 * BPS, description="added to the node's estimate, in bps")
    headroom_floor: int = Field(
        STORAGE_SURPRISE,
        ge=0,
        description="the least headroom: storage writes the parent-block estimate misses",
    )
    retry_factor_bps: int = Field(
        15_000,
        gt=BPS,
        le=10 * BPS,
        description="an out-of-gas transaction is retried with its limit times this",
    )
    max_limit: int | None = Field(
        None, gt=0, description="the most gas any one transaction is given (default: the block gas limit)"
    )

    per_transaction: int = Field(
        150_000,
        ge=0,
        description="the transaction and the first, cold reads of the engine, the Pool and the oracle",
    )
    per_account: int = Field(30_000, ge=0, description="judging one account: its health read and the lock")
    collateral_read: int = Field(
        15_000, ge=0, description="one collateral asset in the health read: balance, parameters and price"
    )
    close: int = Field(
        45_000, ge=0, description="the close's settlement and the penalty charged to the account"
    )
    per_position: int = Field(
        75_000, ge=0, description="closing one position: its state, the market's, the PnL"
    )
    absorption: int = Field(
        50_000, ge=0, description="writing off, covering or socializing, paying the keeper"
    )
    per_collateral: int = Field(50_000, ge=0, description="moving one collateral asset into the Pool")
    oracle_update: int = Field(150_000, ge=0, description="one `oracle.update` (three sources)")
    feed_push: int = Field(
        60_000, ge=0, description="one push into a feed (`PushFeed.submit`, `MockFeed.setAnswer`)"
    )
    provision: int = Field(
        90_000, ge=0, description="per account of `engine.provision` (a liquidation health read and a write)"
    )
    wind_down: int = Field(
        200_000, ge=0, description="`oracle.proposeWindDown` or `executeWindDown` (reads every source)"
    )

    def account(self, books: AccountState, absorbed: bool) -> int:
        """Gas one account adds to a batch; `absorbed`: whether the liquidation may end in an absorption."""
        gas = self.per_account + self.collateral_read * len(books.collateral)
        if books.positions:
            gas += self.close + self.per_position * len(books.positions)
        if absorbed:
            gas += self.absorption + self.per_collateral * len(books.collateral)
        return gas

    def liquidation(self, account_costs: list[int]) -> int:
        """Modelled gas of one `liquidate`/`liquidateMany` of accounts costing `account_costs` each."""
        return self.per_transaction + sum(account_costs)

    def headroom(self, estimate: int) -> int:
        """Gas added to the node's estimate: a share of it, at least the storage floor."""
        return max(-(-estimate * self.headroom_bps // BPS), self.headroom_floor)

    def cap(self, block_gas_limit: int, budget: int | None = None) -> int:
        """The most a transaction may be given: the block's gas limit, the budget left, `max_limit`."""
        bounds = [block_gas_limit]
        if budget is not None:
            bounds.append(budget)
        if self.max_limit is not None:
            bounds.append(self.max_limit)
        return max(0, min(bounds))


@dataclass(frozen=True)
class GasQuote:
    """The limit the model gives one transaction, and what it came from."""

    kind: str
    estimate: int
    modelled: int
    raw: int  # max(modelled, estimate + headroom)
    base: int  # `raw` times what the model learned about the kind
    cap: int
    limit: int  # min(base, cap)

    @property
    def fits(self) -> bool:
        """Whether the node's estimate fits under the cap (else the transaction cannot succeed)."""
        return self.estimate <= self.cap


#: The most the model learns for a kind of transaction: four times its figure. A transaction that burns all its gas
#: whatever it is given (an `invalid` opcode) must not grow its kind's limits without end.
MAX_LEARNED_BPS = 4 * BPS


def _ceil_div(a: int, b: int) -> int:
    return -(-a // b)


class KeeperGas:
    """The gas model at run time: `GasModel`'s figures and, per kind of transaction, the factor learned from
    transactions that ran out of gas (in bps, from 10,000 to `MAX_LEARNED_BPS`). One per keeper."""

    def __init__(self, model: GasModel | None = None) -> None:
        self.model = model or GasModel()
        self.learned: dict[str, int] = {}

    def factor_bps(self, kind: str) -> int:
        """What the model learned about `kind`: the factor on its figures, in bps."""
        return self.learned.get(kind, BPS)

    def modelled(self, kind: str, gas: int) -> int:
        """A modelled figure of `kind`, times what the model learned about that kind."""
        return _ceil_div(gas * self.factor_bps(kind), BPS)

    def quote(self, kind: str, estimate: int, cap: int, modelled: int = 0) -> GasQuote:
        """The gas limit of a transaction of `kind` that the node estimates at `estimate`, under `cap`."""
        if min(estimate, cap, modelled) < 0:
            raise GasError(f"{kind}: negative gas (estimate {estimate}, modelled {modelled}, cap {cap})")
        raw = max(modelled, estimate + self.model.headroom(estimate))
        base = self.modelled(kind, raw)
        return GasQuote(kind, estimate, modelled, raw, base, cap, min(base, cap))

    def out_of_gas(self, quote: GasQuote, limit: int, cap: int) -> int | None:
        """A transaction of `quote` ran out of gas at `limit`. The model learns that the kind needs `retry_factor`
        times that limit (relative to the quote's figure); returns the limit to retry with under `cap`, or None
        when the cap leaves no more than `limit`."""
        factor = self.model.retry_factor_bps
        wanted = _ceil_div(limit * factor, BPS)
        learned = min(MAX_LEARNED_BPS, _ceil_div(limit * factor, max(1, quote.raw)))
        self.learned[quote.kind] = max(self.factor_bps(quote.kind), learned)
        retry = min(wanted, cap)
        return retry if retry > limit else None

    def require(self, quote: GasQuote) -> int:
        """`quote`'s limit; `GasError` (one line) when the node's estimate is over the cap."""
        if not quote.fits:
            raise GasError(
                f"{quote.kind}: the node estimates {quote.estimate:,} gas, over the cap of {quote.cap:,} "
                "(the block gas limit, the keeper's budget left or max_limit)"
            )
        return quote.limit

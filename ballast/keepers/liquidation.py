"""The liquidation keeper (docs/design.md#liquidation-and-the-loss-waterfall): finds every engine account from the
engine's events, keeps their health current with `ballast.risk`, and liquidates the unhealthy ones through
`Liquidator.liquidateMany`, largest shortfall first, within a gas budget per block.

`LiquidationKeeper.step()` processes one block:

1. scan the engine's and the oracle's logs since the cursor (in chunks, saving the cursor and the known accounts to
   the state file after each chunk, so a restart resumes without missing an account);
2. re-read, in two batched round trips at that block, the borrow index, the prices that changed and the books of
   the accounts whose events changed them; recompute the health of the accounts whose inputs changed;
3. refresh (`oracle.update`) the prices a liquidation needs that are stale, or would be by the time a transaction
   lands, then re-read them;
4. send the liquidatable accounts, ranked by shortfall, in batches that fit the block's gas budget (estimated per
   account from its books, checked against the node's estimate); the rest waits for the next block;
5. for what it could not liquidate (`ballast.keepers.liveness`): record the provision of underwater accounts left
   for a later block, and propose or execute the wind-down of a held asset Stale long enough (every step).

Every transaction gets its gas limit from the one gas model (`ballast.keepers.gas`) and goes out through
`ballast.keepers.sending`: one that reverts or runs out of gas (retried once with a larger limit first) is logged,
counted in the step's report, and the keeper carries on with the next transaction and the next block.

A batch that finds an account healthy again (someone else liquidated it, or the price moved back) skips it: the
keeper counts that race as done. `run()` polls for new blocks and steps, retrying RPC failures with exponential
backoff, until Ctrl-C.
"""

from __future__ import annotations

import json
import logging
import threading
import time
from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ape.api import AccountAPI
from ape.exceptions import ApeException, ContractLogicError
from eth_utils import is_address, keccak, to_checksum_address
from pydantic import BaseModel, ConfigDict, Field, InstanceOf, ValidationError
from pydantic_settings import BaseSettings, SettingsConfigDict

from ballast.keepers.common import RetryPolicy, is_transient, log_event, write_json_atomic
from ballast.keepers.gas import GasModel, GasQuote, KeeperGas
from ballast.keepers.liveness import DutyReport, LivenessDuties
from ballast.keepers.sending import FailedTransaction, SendOutcome, TransactionSender, describe
from ballast.reader import fetch_max_price_ages, fetch_risk_params, fetch_snapshot
from ballast.risk import (
    EXIT_PRICED,
    AccountState,
    AssetPrice,
    Health,
    PriceStatus,
    RiskParams,
    health,
    mul_bps_down,
    mul_bps_up,
    notional_up,
    rank_by_shortfall,
    value_up,
)
from ballast.system import margin_engine_at

LOGGER_NAME = "ballast.keepers.liquidation"
STATE_VERSION = 1

#: Engine events that change an account's books; the account is their first indexed argument.
ACCOUNT_EVENTS = (
    "CollateralDeposited",
    "CollateralWithdrawn",
    "CashChanged",
    "PositionModified",
    "CollateralSeized",
    "DebtWrittenOff",
    "AutoDeleveraged",
)
#: Engine events that change the risk parameters.
PARAMS_EVENTS = ("CollateralListed", "CollateralParamsSet", "MarketListed", "MarketParamsSet")
#: Liquidator events that change what a liquidation charges.
LIQUIDATOR_EVENTS = ("ParamsSet",)
#: Oracle events that change an asset's stored price, status or freshness bound; the asset is indexed first.
PRICE_EVENTS = ("PriceUpdated", "FreezeSet", "AssetConfigured", "WoundDown")


class KeeperStateError(RuntimeError):
    """The state file cannot be used (unreadable, or written for another engine or chain)."""


class LiquidationKeeperConfig(BaseModel):
    """How the keeper runs."""

    model_config = ConfigDict(arbitrary_types_allowed=True)

    sender: InstanceOf[AccountAPI]
    state_path: Path
    start_block: int = Field(
        0, ge=0, description="first block to scan for accounts (the engine's deploy block)"
    )
    gas_budget_per_block: int = Field(10_000_000, gt=0, description="gas the keeper commits per block")
    batch_size: int = Field(25, ge=1, description="accounts per liquidateMany")
    poll_interval: float = Field(2.0, gt=0, description="seconds between polls for a new block")
    log_chunk_blocks: int = Field(2_000, ge=1, description="blocks per eth_getLogs request")
    reorg_depth: int = Field(
        0, ge=0, description="rescan this many already scanned blocks each step (chains that reorganize)"
    )
    oracle_refresh_margin: int = Field(
        30, ge=0, description="refresh a price this many seconds before it would turn stale"
    )
    max_retries: int = Field(5, ge=0)
    backoff_base: float = Field(0.5, gt=0)
    backoff_max: float = Field(30.0, gt=0)
    gas: GasModel = Field(default_factory=GasModel, description="the gas model of every transaction it sends")
    provision_reserve_bps: int = Field(
        1_000,
        ge=0,
        le=5_000,
        description="the most of the budget taken back from liquidations to provision deferred underwater accounts",
    )


@dataclass
class KeeperState:
    """What survives a restart: the last block whose logs were scanned and every account seen so far."""

    chain_id: int
    engine: str
    last_block: int
    accounts: set[str] = field(default_factory=set)

    @classmethod
    def load(cls, path: Path, chain_id: int, engine: str, start_block: int) -> KeeperState:
        """The state at `path`, or a fresh one that scans from `start_block` if there is no file."""
        if not path.exists():
            return cls(chain_id, engine, start_block - 1)
        try:
            data = json.loads(path.read_text())
            state = cls(
                int(data["chain_id"]),
                to_checksum_address(data["engine"]),
                int(data["last_block"]),
                {to_checksum_address(a) for a in data["accounts"]},
            )
        except (OSError, ValueError, KeyError, TypeError) as err:
            raise KeeperStateError(f"cannot read keeper state {path}: {err}") from err
        if int(data.get("version", 0)) != STATE_VERSION:
            raise KeeperStateError(
                f"keeper state {path} has version {data.get('version')}, not {STATE_VERSION}"
            )
        if (state.chain_id, state.engine) != (chain_id, engine):
            raise KeeperStateError(
                f"keeper state {path} belongs to engine {state.engine} on chain {state.chain_id}, "
                f"not {engine} on chain {chain_id}"
            )
        return state

    def save(self, path: Path) -> None:
        write_json_atomic(
            path,
            {
                "version": STATE_VERSION,
                "chain_id": self.chain_id,
                "engine": self.engine,
                "last_block": self.last_block,
                "accounts": sorted(self.accounts),
            },
        )


@dataclass
class StepReport:
    """What one `step` saw and did."""

    block: int
    discovered: list[str] = field(default_factory=list)
    refreshed: int = 0
    liquidatable: list[str] = field(default_factory=list)  # ranked, largest shortfall first
    liquidated: list[str] = field(default_factory=list)
    raced: list[str] = field(default_factory=list)  # healthy again when the transaction ran: done
    blocked: dict[str, list[str]] = field(default_factory=dict)  # account -> assets with no usable price
    deferred: list[str] = field(default_factory=list)  # over this block's gas budget
    failed: list[str] = field(default_factory=list)
    oracle_updates: list[str] = field(default_factory=list)
    transactions: list[str] = field(default_factory=list)
    gas_committed: int = 0
    # Transactions that reverted, ran out of gas or could not be sent; an account's also in `failed`.
    failed_transactions: list[FailedTransaction] = field(default_factory=list)
    gas_retries: int = 0  # transactions sent again with a larger limit after running out of gas
    provisioned: list[str] = field(
        default_factory=list
    )  # deferred underwater accounts whose loss was provisioned
    wind_downs: list[str] = field(default_factory=list)  # "proposed <asset>" / "executed <asset>"


@dataclass
class _Batch:
    """Accounts for one transaction and the gas the model gives each."""

    accounts: list[str] = field(default_factory=list)
    costs: list[int] = field(default_factory=list)


class LiquidationKeeper:
    """Liquidates a MarginEngine's unhealthy accounts. `engine` must carry the whole engine ABI
    (`ballast.system.margin_engine_at`); `liquidator`, `oracle` and `pool` are the contracts it is wired to."""

    def __init__(
        self,
        engine: Any,
        liquidator: Any,
        oracle: Any,
        pool: Any,
        config: LiquidationKeeperConfig,
        *,
        sleep: Callable[[float], None] = time.sleep,
        logger: logging.Logger | None = None,
    ) -> None:
        self.engine, self.liquidator, self.oracle, self.pool = engine, liquidator, oracle, pool
        self.config = config
        self.logger = logger or logging.getLogger(LOGGER_NAME)
        self.sleep = sleep
        self.retry = RetryPolicy(
            config.max_retries, config.backoff_base, config.backoff_max, self.logger, sleep
        )
        self.gas = KeeperGas(config.gas)
        self.sender = TransactionSender(config.sender, self.gas, self.retry.call, self.logger)
        self.duties = LivenessDuties(
            engine,
            oracle,
            self.sender,
            self.retry.call,
            self.logger,
            provision_gas=config.gas.provision,
            wind_down_gas=config.gas.wind_down,
            check_interval=config.oracle_refresh_margin,
        )
        self.provider = engine.provider
        chain_id = self.retry.call("eth_chainId", lambda: self.provider.chain_id)
        self.state = KeeperState.load(config.state_path, chain_id, str(engine.address), config.start_block)
        latest = self.retry.call("eth_getBlockByNumber", lambda: self.provider.get_block("latest"))
        head = latest.number
        # The cap of every transaction's gas limit (with the budget), kept current each step.
        self.block_gas_limit = int(latest.gas_limit)
        if self.state.last_block > head:
            raise KeeperStateError(
                f"keeper state {config.state_path} has scanned up to block {self.state.last_block}, past the "
                f"chain's head {head}: another chain with the same id (a restarted node?); move the file away"
            )
        self.params: RiskParams | None = None
        self.liquidation_params: Any = None  # the Liquidator's Params struct
        self.max_price_ages: dict[str, int] = {}
        self.prices: dict[str, AssetPrice] = {}
        self.borrow_index = 0
        self.books: dict[str, AccountState] = {}
        self.health: dict[str, Health] = {}
        self.last_step_block: int | None = None
        self._dirty_accounts: set[str] = set(self.state.accounts)  # everything known is re-read at start
        self._dirty_assets: set[str] = set()
        self._reconfigured_assets: set[str] = set()
        self._oracle_attempts: dict[str, int] = {}  # asset -> timestamp of the keeper's last update of it
        self._params_changed = True
        self._topics = self._event_topics()
        self._lock = threading.Lock()
        log_event(
            self.logger,
            "keeper_started",
            engine=str(engine.address),
            liquidator=str(liquidator.address),
            sender=str(config.sender.address),
            resume_block=self.state.last_block + 1,
            known_accounts=len(self.state.accounts),
            gas_budget_per_block=config.gas_budget_per_block,
        )

    # ---------------------------------------------------------------- one block

    def step(self, block: int | None = None) -> StepReport:
        """Scan up to `block` (default: the chain head), refresh what changed, liquidate what is liquidatable.
        Steps never overlap (a bot may deliver blocks from several worker threads)."""
        with self._lock:
            return self._step(block)

    def _step(self, block: int | None) -> StepReport:
        head = self.retry.call("eth_getBlockByNumber", lambda: self.provider.get_block(block or "latest"))
        report = StepReport(block=head.number)
        self.block_gas_limit = int(head.gas_limit)
        report.discovered = self._scan(head.number)
        report.refreshed = self._refresh(head.number)
        self._liquidate(head.timestamp, report)
        self._duties(head.timestamp, report)
        self.last_step_block = head.number
        if report.liquidatable or report.discovered or report.transactions or report.failed_transactions:
            log_event(
                self.logger,
                "step",
                block=report.block,
                discovered=len(report.discovered),
                refreshed=report.refreshed,
                liquidatable=len(report.liquidatable),
                liquidated=report.liquidated,
                raced=report.raced,
                deferred=report.deferred,
                blocked=report.blocked,
                failed=report.failed,
                oracle_updates=report.oracle_updates,
                failed_transactions=len(report.failed_transactions),
                gas_retries=report.gas_retries,
                gas_committed=report.gas_committed,
            )
        return report

    # ---------------------------------------------------------------- discovery

    def _event_topics(self) -> dict[str, tuple[str, str]]:
        """topic0 -> (kind, name) of every event the keeper follows."""
        topics = {}
        for contract, names, kind in (
            (self.engine, ACCOUNT_EVENTS, "account"),
            (self.engine, PARAMS_EVENTS, "params"),
            (self.liquidator, LIQUIDATOR_EVENTS, "params"),
            (self.oracle, PRICE_EVENTS, "price"),
        ):
            for name in names:
                abi = getattr(contract, name).abi
                topics["0x" + keccak(text=abi.selector).hex()] = (kind, name)
        return topics

    def _scan(self, head: int) -> list[str]:
        """Follow the logs from the cursor to `head`; returns the accounts seen for the first time."""
        discovered: list[str] = []
        addresses = [str(c.address) for c in (self.engine, self.liquidator, self.oracle)]
        start = max(0, self.state.last_block + 1 - self.config.reorg_depth)
        while start <= head:
            stop = min(head, start + self.config.log_chunk_blocks - 1)
            query = {
                "address": addresses,
                "fromBlock": hex(start),
                "toBlock": hex(stop),
                "topics": [list(self._topics)],
            }
            logs = self.retry.call(
                "eth_getLogs", lambda q=query: self.provider.make_request("eth_getLogs", [q])
            )
            for entry in logs:
                topics = [t if isinstance(t, str) else "0x" + bytes(t).hex() for t in entry["topics"]]
                kind, name = self._topics[topics[0]]
                if kind == "params":
                    self._params_changed = True
                    continue
                subject = to_checksum_address("0x" + topics[1][-40:])
                if kind == "price":
                    self._dirty_assets.add(subject)
                    if name == "AssetConfigured":
                        self._reconfigured_assets.add(subject)
                else:
                    self._dirty_accounts.add(subject)
                    if subject not in self.state.accounts:
                        self.state.accounts.add(subject)
                        discovered.append(subject)
            self.state.last_block = stop
            self.state.save(self.config.state_path)
            start = stop + 1
        if discovered:
            log_event(self.logger, "accounts_discovered", block=head, accounts=discovered)
        return discovered

    # ---------------------------------------------------------------- health

    def _refresh(self, block: int) -> int:
        """Re-read what changed at `block` and recompute the health it affects; returns how many accounts were
        re-read."""
        if self._params_changed or self.params is None:
            self.params = self.retry.call("risk params", lambda: fetch_risk_params(self.engine, block))
            self.liquidation_params = self.retry.call(
                "liquidator params", lambda: self.liquidator.params(block_id=block)
            )
            assets = sorted(self.params.assets())
            self.max_price_ages = self.retry.call(
                "max price ages", lambda: fetch_max_price_ages(self.oracle, assets, block)
            )
            self._dirty_assets |= set(assets)
            self._params_changed = False
            self.health.clear()  # every account's margins may have moved
        elif reconfigured := sorted(self._reconfigured_assets & set(self.max_price_ages)):
            # A reconfigured asset may have a new freshness bound.
            self.max_price_ages.update(
                self.retry.call(
                    "max price ages", lambda: fetch_max_price_ages(self.oracle, reconfigured, block)
                )
            )
        self._reconfigured_assets.clear()
        params = self.params
        accounts = sorted(self._dirty_accounts)
        assets = {a: self.max_price_ages[a] for a in sorted(self._dirty_assets) if a in self.max_price_ages}
        snapshot = self.retry.call(
            "snapshot",
            lambda: fetch_snapshot(self.engine, self.pool, self.oracle, params, accounts, block, assets),
        )
        index_moved = snapshot.borrow_index != self.borrow_index
        self.borrow_index = snapshot.borrow_index
        self.prices.update(snapshot.prices)
        for account, books in snapshot.accounts.items():
            if books.is_empty:
                self.books.pop(account, None)
                self.health.pop(account, None)
            else:
                self.books[account] = books
        changed_assets = set(snapshot.prices)
        for account, books in self.books.items():
            stale = (
                account not in self.health
                or account in snapshot.accounts
                or (index_moved and (books.positions or books.scaled_debt))
                or not changed_assets.isdisjoint(books.assets(params))
            )
            if stale:
                self.health[account] = health(books, params, self.prices, self.borrow_index)
        self._dirty_accounts.clear()
        self._dirty_assets.clear()
        return len(accounts)

    # ---------------------------------------------------------------- liquidation

    def gas_estimate(self, accounts: Iterable[str]) -> int:
        """The gas model's limit for liquidating `accounts` in one transaction, from their current books."""
        return self._batch_gas([self._account_gas(a) for a in accounts])

    def _account_gas(self, account: str) -> int:
        books = self.books[account]
        return self.config.gas.account(books, self.may_absorb(books, self.health[account]))

    def _batch_gas(self, costs: list[int]) -> int:
        """The model's gas for one liquidation transaction of accounts costing `costs`, with what it learned."""
        return self.gas.modelled(_liquidation_kind(len(costs)), self.config.gas.liquidation(costs))

    def may_absorb(self, books: AccountState, h: Health) -> bool:
        """Whether liquidating the account may end in an absorption (for its gas). The Liquidator absorbs only an
        account left with no position and a negative maintenance equity; its penalty never turns a non-negative
        equity negative. So: no position to close, or a full close (below the critical health, or a margin under the
        dust) of an account whose equity is within a cushion of zero (`penaltyBps` of its notional and the keeper's
        minimum reward, for the price and fee differences between the keeper's view and the transaction)."""
        if not books.positions:
            return True
        params, p = self.params, self.liquidation_params
        assert params is not None
        full = h.maintenance_equity < int(mul_bps_down(h.maintenance_margin, p.criticalHealthBps)) or (
            h.maintenance_margin < p.dustMarginUsd
        )
        if not full:
            return False
        notional = sum(
            notional_up(pos.size, self.prices[params.markets[m].asset].high)
            for m, pos in books.positions.items()
        )
        settlement = self.prices[params.settlement_asset]
        reward_usd = value_up(p.minKeeperReward, settlement.high, params.settlement_decimals)
        return h.maintenance_equity < mul_bps_up(notional, p.penaltyBps) + reward_usd

    def _usable(self, asset: str, at: int) -> bool:
        """Whether the oracle will price a liquidation in `asset` at `at`: its sources' own status (a freeze does not
        stop a liquidation; a wound-down asset has its fixed price)."""
        return self.prices[asset].exit_status_at(at) in EXIT_PRICED

    def _liquidate(self, timestamp: int, report: StepReport) -> None:
        ranked = rank_by_shortfall(self.health.items())
        if not ranked:
            return
        params = self.params
        assert params is not None
        # Prices the transactions need that are stale now or would be when they land: refresh them first (an
        # asset whose sources lost their quorum stays stale; it is tried again after the refresh margin).
        deadline = timestamp + self.config.oracle_refresh_margin
        needed = {a for account, _ in ranked for a in self.books[account].assets(params)}
        refresh = sorted(
            a
            for a in needed
            if not self._usable(a, deadline)
            and self.prices[a].status != PriceStatus.WIND_DOWN
            and timestamp - self._oracle_attempts.get(a, -(2**63)) > self.config.oracle_refresh_margin
        )
        fits = max(0, self.config.gas_budget_per_block - report.gas_committed) // max(
            1, self.gas.modelled(ORACLE_UPDATE, self.config.gas.oracle_update)
        )
        if refresh[fits:]:
            log_event(self.logger, "oracle_update_deferred", level=logging.WARNING, assets=refresh[fits:])
        refresh = refresh[:fits]
        if refresh:
            self._update_prices(refresh, timestamp, report)
            head = self.retry.call("eth_getBlockByNumber", lambda: self.provider.get_block("latest"))
            self._dirty_assets |= set(refresh)
            self._refresh(head.number)
            timestamp = head.timestamp
            ranked = rank_by_shortfall(self.health.items())
        report.liquidatable = [a for a, _ in ranked]

        # Largest shortfall first, in batches of at most `batch_size`, while the model's gas fits the budget; what
        # does not fit waits for the next block, in order.
        budget = self.config.gas_budget_per_block - report.gas_committed
        batches = self._batches(ranked, budget, timestamp, report)
        # An underwater account left for later gets its loss provisioned this block (`ballast.keepers.liveness`):
        # what that costs, up to `provision_reserve_bps` of the budget, is taken back from the last batches.
        reserve = self._provision_reserve(report.deferred, budget)
        while reserve and batches and sum(self._batch_gas(b.costs) for b in batches) > budget - reserve:
            last = batches[-1]
            report.deferred.insert(0, last.accounts.pop())
            last.costs.pop()
            if not last.accounts:
                batches.pop()
        budget = self.config.gas_budget_per_block - report.gas_committed
        for batch in batches:
            budget -= self._send(batch, budget, report)
        if report.blocked:
            log_event(self.logger, "liquidation_blocked", level=logging.WARNING, accounts=report.blocked)

    def _batches(
        self, ranked: list[tuple[str, Any]], budget: int, timestamp: int, report: StepReport
    ) -> list[_Batch]:
        """`ranked` in batches of at most `batch_size` while the model's gas fits `budget`; the accounts a price blocks
        go to `report.blocked`, those that do not fit to `report.deferred`."""
        params = self.params
        assert params is not None
        batches: list[_Batch] = []
        current = _Batch()
        for position, (account, _) in enumerate(ranked):
            blocked = sorted(a for a in self.books[account].assets(params) if not self._usable(a, timestamp))
            if blocked:
                report.blocked[account] = blocked
                continue
            if len(current.accounts) == self.config.batch_size:
                batches.append(current)
                budget -= self._batch_gas(current.costs)
                current = _Batch()
            cost = self._account_gas(account)
            if self._batch_gas([*current.costs, cost]) > budget:
                report.deferred = [a for a, _ in ranked[position:] if a not in report.blocked]
                break
            current.accounts.append(account)
            current.costs.append(cost)
        if current.accounts:
            batches.append(current)
        return batches

    def _provision_reserve(self, deferred: list[str], budget: int) -> int:
        """Gas to keep for provisioning the deferred underwater accounts whose provision is missing or stale: one
        transaction for all of them, at most `provision_reserve_bps` of `budget`; 0 when there are none."""
        due = self.duties.to_provision([a for a in deferred if a in self.health], self.health)
        if not due:
            return 0
        needed = self.duties.provision_gas * (len(due) + 1)
        return min(needed, budget * self.config.provision_reserve_bps // 10_000)

    def _duties(self, timestamp: int, report: StepReport) -> None:
        """Provision the deferred underwater accounts and wind down the held assets whose sources price no exit, with
        what is left of the budget (`ballast.keepers.liveness`). Runs every step, liquidatable accounts or not."""
        self.duties.forget(report.liquidated)
        duty = DutyReport()
        budget = self.config.gas_budget_per_block - report.gas_committed
        deferred = self.duties.to_provision(
            [a for a in report.deferred if a in self.health and a not in report.liquidated], self.health
        )
        if deferred:
            self.duties.provision(deferred, self.health, budget, self.block_gas_limit, duty)
        # An asset whose sources price no exit blocks its holders' liquidations and also hides their true health
        # (they look healthy at its last price): every such asset some account holds is a wind-down candidate, and
        # `wind_down` acts once it has been Stale for the oracle's windDownAfter.
        blocking = {asset for assets in report.blocked.values() for asset in assets}
        if self.params is not None:
            held = {a for books in self.books.values() for a in books.assets(self.params)}
            blocking |= {a for a in held if a in self.prices and not self._usable(a, timestamp)}
        if blocking:
            self.duties.wind_down(
                blocking, self.prices, timestamp, budget - duty.gas_committed, self.block_gas_limit, duty
            )
        report.gas_committed += duty.gas_committed
        report.gas_retries += duty.gas_retries
        report.failed_transactions.extend(duty.failed_transactions)
        report.provisioned.extend(duty.provisioned)
        report.wind_downs.extend(duty.wind_downs)
        self._dirty_assets |= {entry.split(" ", 1)[1] for entry in duty.wind_downs}

    def _update_prices(self, assets: Iterable[str], timestamp: int, report: StepReport) -> None:
        for asset in assets:
            self._oracle_attempts[asset] = timestamp
            outcome = self.sender.send(
                ORACLE_UPDATE,
                self.oracle.update,
                (asset,),
                block_gas_limit=self.block_gas_limit,
                budget=self.config.gas_budget_per_block - report.gas_committed,
                modelled=self.config.gas.oracle_update,
                subject={"asset": asset},
            )
            report.gas_committed += outcome.gas_used
            report.gas_retries += outcome.retries
            if not outcome.ok:
                report.failed_transactions.append(outcome.failure())
                log_event(
                    self.logger,
                    "oracle_update_failed",
                    level=logging.ERROR,
                    asset=asset,
                    **outcome.log_fields(),
                )
                continue
            report.oracle_updates.append(asset)
            log_event(self.logger, "oracle_updated", asset=asset, **outcome.log_fields())

    def _fit(
        self, accounts: list[str], costs: list[int], budget: int, report: StepReport
    ) -> tuple[_Call, GasQuote] | SendOutcome | None:
        """Drop accounts from the end of the batch (they wait for the next block) until the node's estimate fits the
        budget. Returns the call and its gas quote; or the outcome of an estimate that failed (the call reverts, or
        one account cannot be estimated); None if no account is left."""
        while accounts:
            kind = _liquidation_kind(len(accounts))
            call = self._call_for(accounts)
            try:
                estimate = self.sender.estimate(call.method, call.args)
            except Exception as err:
                if is_transient(err):
                    raise
                reverts = isinstance(err, ContractLogicError)
                if reverts or len(accounts) == 1:
                    return SendOutcome(
                        kind, {"accounts": list(accounts)}, error=describe(err), reverted_at_estimate=reverts
                    )
                # The node cannot estimate the batch (e.g. it needs more than the block holds): fewer accounts.
            else:
                quote = self.gas.quote(
                    kind,
                    estimate,
                    self.config.gas.cap(self.block_gas_limit, budget),
                    self.config.gas.liquidation(costs),
                )
                if quote.fits:
                    return call, quote
            report.deferred.insert(0, accounts.pop())
            costs.pop()
        return None

    def _send(self, batch: _Batch, budget: int, report: StepReport) -> int:
        """Send `batch` with the gas model's limit within `budget` (the modelled gas, or the node's estimate plus
        headroom when that is higher). If the node's estimate does not fit, the last accounts wait for the next
        block. A liquidation that fails is logged and counted; the keeper goes on. Returns the gas committed."""
        accounts = list(batch.accounts)
        fitted = self._fit(accounts, list(batch.costs), budget, report)
        if fitted is None:
            return 0
        if isinstance(fitted, SendOutcome):
            self._failed(fitted, report)
            return 0
        call, quote = fitted
        self._dirty_accounts.update(accounts)
        outcome = self.sender.send(
            quote.kind,
            call.method,
            call.args,
            block_gas_limit=self.block_gas_limit,
            budget=budget,
            subject={"accounts": accounts},
            quote=quote,
        )
        report.gas_committed += outcome.gas_committed
        report.gas_retries += outcome.retries
        if not outcome.ok:
            self._failed(outcome, report)
            return outcome.gas_committed
        receipt = outcome.receipt
        events = _events_by_name(receipt, self.liquidator.address)
        liquidated = [_account_of(e) for e in events["Liquidated"]]
        skipped = [_account_of(e) for e in events["Skipped"]]
        # A batch member that reverted, for a Liquidator that reports it, is a failure of that account alone.
        member_failures = {_account_of(e): _loggable(e.event_arguments) for e in events["LiquidationFailed"]}
        report.liquidated.extend(liquidated)
        report.raced.extend(skipped)
        report.transactions.append(receipt.txn_hash)
        log_event(
            self.logger,
            "liquidated",
            block=receipt.block_number,
            tx=receipt.txn_hash,
            accounts=liquidated,
            raced=skipped,
            gas_used=receipt.gas_used,
            gas_limit=outcome.attempts[-1].gas_limit,
            estimate=quote.estimate,
        )
        if member_failures:
            report.failed.extend(member_failures)
            log_event(
                self.logger,
                "liquidation_failed",
                level=logging.ERROR,
                accounts=list(member_failures),
                tx=receipt.txn_hash,
                error="LiquidationFailed",
                details=member_failures,
            )
        return outcome.gas_committed

    def _failed(self, outcome: SendOutcome, report: StepReport) -> None:
        """A liquidation failed: its accounts are re-read and judged again on the next block. A lone account whose
        `liquidate` reverts because it is healthy again (someone else liquidated it, or the price moved back) lost
        a race: that is done, not failed."""
        accounts = list(outcome.subject["accounts"])
        self._dirty_accounts.update(accounts)
        if outcome.reverted and len(accounts) == 1 and self._healthy_now(accounts[0]):
            report.raced.extend(accounts)
            log_event(self.logger, "liquidation_raced", accounts=accounts)
            return
        report.failed.extend(accounts)
        report.failed_transactions.append(outcome.failure())
        log_event(
            self.logger, "liquidation_failed", level=logging.ERROR, accounts=accounts, **outcome.log_fields()
        )

    def _healthy_now(self, account: str) -> bool:
        """Whether the Liquidator would judge `account` healthy now (False if its prices are not usable)."""
        try:
            h = self.retry.call("liquidationHealth", lambda: self.engine.liquidationHealth(account))
        except ContractLogicError:
            return False
        return not h.liquidatable

    def _call_for(self, accounts: list[str]) -> _Call:
        if len(accounts) == 1:
            return _Call(self.liquidator.liquidate, (accounts[0],))
        return _Call(self.liquidator.liquidateMany, (accounts,))

    # ---------------------------------------------------------------- the loop

    def run(self, max_steps: int | None = None) -> int:
        """Step on every new block until Ctrl-C (or `max_steps` steps); returns the exit code (0)."""
        steps = 0
        failures = 0
        try:
            while max_steps is None or steps < max_steps:
                try:
                    head = self.retry.call(
                        "eth_blockNumber", lambda: self.provider.get_block("latest").number
                    )
                    if self.last_step_block is not None and head <= self.last_step_block:
                        self.sleep(self.config.poll_interval)
                        continue
                    self.step(head)
                    steps += 1
                    failures = 0
                except Exception as err:
                    if not is_transient(err):
                        raise
                    delay = self.retry.delay(failures)
                    failures += 1
                    log_event(
                        self.logger,
                        "step_failed",
                        level=logging.ERROR,
                        error=f"{type(err).__name__}: {err}",
                        retry_in=delay,
                    )
                    self.sleep(delay)
        except KeyboardInterrupt:
            self.state.save(self.config.state_path)
            log_event(self.logger, "keeper_stopped", reason="interrupted", last_block=self.state.last_block)
            return 0
        self.state.save(self.config.state_path)
        log_event(self.logger, "keeper_stopped", reason="max_steps", last_block=self.state.last_block)
        return 0


ORACLE_UPDATE = "oracle.update"


def _liquidation_kind(accounts: int) -> str:
    """The gas model's kind of a liquidation of `accounts` accounts: one `liquidate`, else `liquidateMany`."""
    return "liquidate" if accounts == 1 else "liquidateMany"


def _events_by_name(receipt: Any, address: Any) -> dict[str, list[Any]]:
    """The receipt's events emitted by `address`, by event name (names the ABI lacks yet simply have none)."""
    events: dict[str, list[Any]] = defaultdict(list)
    for event in receipt.events:
        if str(event.contract_address) == str(address):
            events[event.event_name].append(event)
    return events


def _account_of(event: Any) -> str:
    return to_checksum_address(event.event_arguments["account"])


def _loggable(arguments: Mapping[str, Any]) -> dict[str, Any]:
    """An event's arguments for a JSON log line: bytes (a revert reason) as 0x-hex."""
    return {k: "0x" + bytes(v).hex() if isinstance(v, bytes) else v for k, v in arguments.items()}


@dataclass(frozen=True)
class _Call:
    """A Liquidator method with its arguments, to estimate and to send."""

    method: Any
    args: tuple[Any, ...]


# ---------------------------------------------------------------- wiring a keeper to a deployment


class KeeperSetupError(ValueError):
    """A user mistake in the keeper's setup (addresses, manifest, state file): one line, no traceback."""


@dataclass(frozen=True)
class KeeperContracts:
    """The contracts a liquidation keeper drives, and the block to scan from."""

    engine: Any
    liquidator: Any
    oracle: Any
    pool: Any
    start_block: int


def _manifest_entry(manifest: Any, key: str) -> Any:
    return manifest[key] if isinstance(manifest, Mapping) else getattr(manifest, key)


def _from_manifest(network_name: str) -> tuple[str, int]:
    """The MarginEngine's address and the deploy block from the network's deployment manifest."""
    try:
        from ballast.manifest import load_manifest
    except ImportError:
        raise KeeperSetupError(
            "no --engine given and this checkout cannot read deployment manifests: pass --engine ADDRESS"
        ) from None
    try:
        manifest = load_manifest(network_name)
        address = _manifest_entry(manifest, "contracts")["MarginEngine"]
        block = int(_manifest_entry(manifest, "block"))
    except Exception as err:
        raise KeeperSetupError(
            f"no --engine given and no usable deployment manifest for network {network_name!r} ({err})"
        ) from None
    return address, block


def _address(option: str, value: str) -> str:
    if not is_address(value):
        raise KeeperSetupError(f"{option}: {value!r} is not an address")
    return to_checksum_address(value)


def connect_contracts(
    project: Any,
    network_name: str,
    *,
    engine: str | None = None,
    liquidator: str | None = None,
    oracle: str | None = None,
    pool: str | None = None,
    start_block: int | None = None,
) -> KeeperContracts:
    """The keeper's contracts on the connected network: the MarginEngine at `engine` (else the network's manifest),
    and the Liquidator, oracle and Pool it is wired to (a given address must be the engine's own). Raises
    `KeeperSetupError` with one line for any mistake."""
    if engine is None:
        engine, manifest_block = _from_manifest(network_name)
        start_block = manifest_block if start_block is None else start_block
    engine = _address("--engine", engine)
    provider = project.provider
    if not provider.get_code(engine):
        raise KeeperSetupError(f"--engine: no contract at {engine} on network {network_name!r}")
    instance = margin_engine_at(project, engine)
    try:
        wiring = {
            "--liquidator": to_checksum_address(instance.liquidator()),
            "--oracle": to_checksum_address(instance.oracle()),
            "--pool": to_checksum_address(instance.pool()),
        }
    except ApeException:
        raise KeeperSetupError(f"--engine: {engine} is not a MarginEngine (its wiring views fail)") from None
    for option, given in (("--liquidator", liquidator), ("--oracle", oracle), ("--pool", pool)):
        if given is not None and _address(option, given) != wiring[option]:
            raise KeeperSetupError(f"{option}: {given} is not the engine's ({wiring[option]})")
    return KeeperContracts(
        engine=instance,
        liquidator=project.Liquidator.at(wiring["--liquidator"]),
        oracle=project.OracleAggregator.at(wiring["--oracle"]),
        pool=project.Pool.at(wiring["--pool"]),
        start_block=start_block or 0,
    )


def default_state_path(network_name: str, engine: str) -> Path:
    """Where a keeper keeps its cursor unless told otherwise: one file per network and engine."""
    return Path(".ballast") / f"liquidation-keeper-{network_name}-{engine[2:10].lower()}.json"


def build_keeper(
    contracts: KeeperContracts, sender: AccountAPI, state_path: Path | None = None, **settings: Any
) -> LiquidationKeeper:
    """A keeper on `contracts` sending from `sender`; `settings` are `LiquidationKeeperConfig` fields. A bad
    setting or an unusable state file raises `KeeperSetupError`."""
    network_name = contracts.engine.provider.network.name
    path = state_path or default_state_path(network_name, str(contracts.engine.address))
    try:
        config = LiquidationKeeperConfig(
            sender=sender, state_path=path, start_block=contracts.start_block, **settings
        )
    except ValidationError as err:
        first = err.errors()[0]
        where = ".".join(str(p) for p in first["loc"])
        raise KeeperSetupError(f"{where}: {first['msg']}") from None
    try:
        return LiquidationKeeper(
            contracts.engine, contracts.liquidator, contracts.oracle, contracts.pool, config
        )
    except KeeperStateError as err:
        raise KeeperSetupError(str(err)) from None


class LiquidationBotSettings(BaseSettings):
    """The Silverback bot's settings, from the environment (`BALLAST_KEEPER_ENGINE`, `BALLAST_KEEPER_STATE_PATH`,
    `BALLAST_KEEPER_GAS_BUDGET_PER_BLOCK`, `BALLAST_KEEPER_GAS` as JSON, e.g. `{"headroom_bps": 3000}`...).
    Without an engine address the network's manifest gives it."""

    model_config = SettingsConfigDict(env_prefix="BALLAST_KEEPER_", extra="ignore")

    engine: str | None = None
    liquidator: str | None = None
    oracle: str | None = None
    pool: str | None = None
    start_block: int | None = None
    state_path: Path | None = None
    gas_budget_per_block: int = 10_000_000
    batch_size: int = 25
    gas: GasModel = Field(default_factory=GasModel)


def keeper_for_bot(
    project: Any, sender: AccountAPI | None, settings: LiquidationBotSettings
) -> LiquidationKeeper:
    """The keeper a bot steps on every block, on the connected network."""
    if sender is None:
        raise KeeperSetupError(
            "the liquidation bot needs a signer: `silverback run --account ALIAS` (or TEST::n)"
        )
    contracts = connect_contracts(
        project,
        project.provider.network.name,
        engine=settings.engine,
        liquidator=settings.liquidator,
        oracle=settings.oracle,
        pool=settings.pool,
        start_block=settings.start_block,
    )
    return build_keeper(
        contracts,
        sender,
        settings.state_path,
        gas_budget_per_block=settings.gas_budget_per_block,
        batch_size=settings.batch_size,
        gas=settings.gas,
    )

"""The liquidation keeper's loop: one `step` per block (scan, refresh, liquidate, liveness duties) and `run`, which
steps on every new block until stopped (SIGINT or SIGTERM). The package docstring (`ballast.keepers.liquidation`) describes a step."""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Iterable
from typing import Any

from ape.contracts import ContractInstance

from ballast.errors import KeeperStateError
from ballast.keepers.common import RetryPolicy, Stoppable, is_transient, log_event
from ballast.keepers.gas import KeeperGas
from ballast.keepers.liquidation.batches import Batch, BatchSender, liquidation_kind
from ballast.keepers.liquidation.events import LogScanner, Pending
from ballast.keepers.liquidation.report import StepReport
from ballast.keepers.liquidation.settings import LOGGER_NAME, LiquidationKeeperConfig
from ballast.keepers.liquidation.state import KeeperState
from ballast.keepers.liveness import DutyReport, LivenessDuties
from ballast.keepers.sending import TransactionSender
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

ORACLE_UPDATE = "oracle.update"


class LiquidationKeeper(Stoppable):
    """Liquidates a MarginEngine's unhealthy accounts. `engine` must carry the whole engine ABI
    (`ballast.system.margin_engine_at`); `liquidator`, `oracle` and `pool` are the contracts it is wired to."""

    def __init__(
        self,
        engine: ContractInstance,
        liquidator: ContractInstance,
        oracle: ContractInstance,
        pool: ContractInstance,
        config: LiquidationKeeperConfig,
        *,
        sleep: Callable[[float], None] | None = None,
        logger: logging.Logger | None = None,
    ) -> None:
        self.engine, self.liquidator, self.oracle, self.pool = engine, liquidator, oracle, pool
        self.config = config
        self.logger = logger or logging.getLogger(LOGGER_NAME)
        self.stop = threading.Event()
        self.sleep = sleep or self.wait
        self.retry = RetryPolicy(
            config.max_retries, config.backoff_base, config.backoff_max, self.logger, self.sleep
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
        # What to re-read: everything known at start, then what the logs change.
        self.pending = Pending(accounts=set(self.state.accounts))
        self._oracle_attempts: dict[str, int] = {}  # asset -> timestamp of the keeper's last update of it
        self.scanner = LogScanner(
            engine,
            liquidator,
            oracle,
            self.state,
            config.state_path,
            self.retry.call,
            chunk_blocks=config.log_chunk_blocks,
            reorg_depth=config.reorg_depth,
        )
        self.batches = BatchSender(
            engine, liquidator, self.sender, self.gas, config.gas, self.retry.call, self.pending, self.logger
        )
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
        report.discovered = self.scanner.scan(head.number, self.pending)
        if report.discovered:
            log_event(self.logger, "accounts_discovered", block=head.number, accounts=report.discovered)
        report.refreshed = self._refresh(head.number)
        self._liquidate(head.timestamp, report)
        self._duties(head.timestamp, report)
        self.last_step_block = head.number
        if report.eventful:
            log_event(self.logger, "step", **report.log_fields())
        return report

    # ---------------------------------------------------------------- health

    def _refresh(self, block: int) -> int:
        """Re-read what changed at `block` and recompute the health it affects; returns how many accounts were
        re-read."""
        if self.pending.params or self.params is None:
            self.params = self.retry.call("risk params", lambda: fetch_risk_params(self.engine, block))
            self.liquidation_params = self.retry.call(
                "liquidator params", lambda: self.liquidator.params(block_id=block)
            )
            assets = sorted(self.params.assets())
            self.max_price_ages = self.retry.call(
                "max price ages", lambda: fetch_max_price_ages(self.oracle, assets, block)
            )
            self.pending.assets |= set(assets)
            # While a maintenance parameter ramps its value in force moves every block: read them again next step.
            self.pending.params = self.params.ramping
            self.health.clear()  # every account's margins may have moved
        elif reconfigured := sorted(self.pending.reconfigured & set(self.max_price_ages)):
            # A reconfigured asset may have a new freshness bound.
            self.max_price_ages.update(
                self.retry.call(
                    "max price ages", lambda: fetch_max_price_ages(self.oracle, reconfigured, block)
                )
            )
        self.pending.reconfigured.clear()
        params = self.params
        # A margin product prices its positions from assets the keeper does not map to accounts: the accounts that
        # hold product positions are re-read at every refresh.
        self.pending.accounts |= {a for a, books in self.books.items() if books.products}
        accounts = sorted(self.pending.accounts)
        ages = {a: self.max_price_ages[a] for a in sorted(self.pending.assets) if a in self.max_price_ages}
        snapshot = self.retry.call(
            "snapshot",
            lambda: fetch_snapshot(self.engine, self.pool, self.oracle, params, accounts, block, ages),
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
        self.pending.accounts.clear()
        self.pending.assets.clear()
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
        return self.gas.modelled(liquidation_kind(len(costs)), self.config.gas.liquidation(costs))

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
            self.pending.assets |= set(refresh)
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
            budget -= self.batches.send(batch, budget, self.block_gas_limit, report)
        if report.blocked:
            log_event(self.logger, "liquidation_blocked", level=logging.WARNING, accounts=report.blocked)

    def _batches(
        self, ranked: list[tuple[str, Any]], budget: int, timestamp: int, report: StepReport
    ) -> list[Batch]:
        """`ranked` in batches of at most `batch_size` while the model's gas fits `budget`; the accounts a price blocks
        go to `report.blocked`, those that do not fit to `report.deferred`."""
        params = self.params
        assert params is not None
        batches: list[Batch] = []
        current = Batch()
        for position, (account, _) in enumerate(ranked):
            blocked = sorted(a for a in self.books[account].assets(params) if not self._usable(a, timestamp))
            if blocked:
                report.blocked[account] = blocked
                continue
            if len(current.accounts) == self.config.batch_size:
                batches.append(current)
                budget -= self._batch_gas(current.costs)
                current = Batch()
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
        self.pending.assets |= {entry.split(" ", 1)[1] for entry in duty.wind_downs}

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

    def run(self, max_steps: int | None = None, stop: threading.Event | None = None) -> int:
        """Step on every new block until stopped (`stop` set, or Ctrl-C) or `max_steps` steps are done; saves the
        state, logs `keeper_stopped` and returns the exit code (0)."""
        self.stop_on(stop)
        steps = 0
        failures = 0
        reason = "max_steps"
        try:
            while max_steps is None or steps < max_steps:
                if self.stop.is_set():
                    reason = "interrupted"
                    break
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
            reason = "interrupted"
        self.state.save(self.config.state_path)
        log_event(self.logger, "keeper_stopped", reason=reason, last_block=self.state.last_block)
        return 0

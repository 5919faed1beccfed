"""Running a scenario block by block on a local anvil.

Per simulated block `b` (timestamp `start + b * block_time`):

1. the `FastDriver` sends every source's answer (path price x source offset, with the block's faults), the guardian's
   freeze or unfreeze, and `oracle.update` for every asset, and mines them in one block;
2. from block `keeper_delay` on, the liquidation keeper (`ballast.keepers.liquidation.LiquidationKeeper`, gas budget
   `keeper_gas` per block: the congestion) steps once; its transactions are mined as anvil automines them;
   a step that raises is recorded (outcome and timeline) and the keeper steps again next block, as a supervisor
   would restart it;
3. a probe holding only settlement cash tries (eth_call) to open a small position in every market whose asset, or
   the settlement asset, is not `Ok`: new risk must be refused;
4. one `BlockMetrics` row is read in batched round trips (`ballast.reader.fetch_snapshot` for every account's books,
   the health of each from `ballast.risk`), with the block's Liquidated and Absorbed events, and the parts of the
   Pool's lower NAV (reserves, receivable, traders' unrealized PnL, share price) with the block's realized PnL
   (`PositionModified`) and socialized deficits (`DeficitSocialized`) for the LP share-price split
   (`ballast.scenarios.lp_split`).

With an OptionsBook in the deployment: the series the scenario lists are listed by the risk manager before the
seeding, a share of the traders trade options (`ScenarioSpec.option_traders`), the risk manager steps implied
volatility (`ScenarioSpec.vol_spike`) and the expiry keeper (`ballast.keepers.expiry.ExpiryKeeper`) steps after the
liquidation keeper in every block.

With a risk keeper in the run (`RunSettings.risk_keeper`, `ballast.keepers.risk.RiskKeeper`, signing as the risk
manager): after the seeding it steps once on the lead-in histories, if any (the data before a replay's window); then
every `every` blocks, after the other keepers, on the oracle's events since the first block of the run. The governed
parameters are read back from the engine at the end of every block (`RunRecord.governed`).

With `leverage="max"` the population is sized against the engine's parameters, stored prices and borrow index read
from the chain after the deployment (`ballast.scenarios.sizing`).

The run's record (`RunRecord`) keeps what the property checks need (liquidations with their block and the asset
statuses at that block, probe outcomes, the InsuranceFund balance before each absorption).
"""

from __future__ import annotations

import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
from ape.managers.chain import ChainManager
from ape.managers.project import ProjectManager
from eth_utils import to_checksum_address
from rich.console import Console

from ballast.errors import ScenarioError
from ballast.keepers.expiry import ExpiryKeeper
from ballast.keepers.expiry.settings import ExpiryKeeperConfig
from ballast.keepers.liquidation import LiquidationKeeper, LiquidationKeeperConfig
from ballast.keepers.risk import RiskKeeper, RiskKeeperConfig
from ballast.reader import Call as ReadCall
from ballast.reader import (
    batch_call,
    fetch_borrow_index,
    fetch_max_price_ages,
    fetch_prices,
    fetch_risk_params,
)
from ballast.riskdata.history import load_csv
from ballast.scenarios.blocks import BlockLoop, record_risk_report
from ballast.scenarios.driver import Call, FastDriver, project_decoder
from ballast.scenarios.lp_split import split
from ballast.scenarios.model import OptionsOutcome, Outcome, ScenarioResult, SettlementOutcome
from ballast.scenarios.population import (
    OPTION_STRIKE_STEP,
    System,
    deploy_scenario_system,
    make_population,
    options_market,
    quiet_ape,
    scenario_address,
    seed_population,
    seed_prices,
)
from ballast.scenarios.record import RunRecord, RunSettings, ScenarioSpec, stale_liquidations
from ballast.scenarios.sizing import SizingContext


@dataclass
class ScenarioRunner:
    """One run of `spec` with `settings` (see `run_scenario`)."""

    project: ProjectManager
    chain: ChainManager
    accounts: Any
    spec: ScenarioSpec
    settings: RunSettings
    console: Console
    progress: bool
    system: System | None

    def run(self) -> tuple[ScenarioResult, RunRecord]:
        started = time.perf_counter()
        s = self.settings
        system = self.system
        if system is None:
            self.console.print(f"[bold]{self.spec.name}[/bold]: deploying config/local.yaml on anvil")
            system = deploy_scenario_system(self.project, self.chain, self.accounts)
        driver = FastDriver(self.chain.provider, project_decoder(self.project))
        prices = seed_prices(system)
        sizing = self._sizing(system, driver) if s.leverage == "max" else None
        listed = self._list_series(system, driver, prices)
        _, now = driver.latest()
        market = options_market(system, now) if self.spec.option_traders > 0 else None
        population = make_population(
            s.seed,
            s.accounts,
            system.config,
            prices,
            self.spec.profile,
            s.leverage,
            sizing,
            market,
            self.spec.option_traders,
        )
        self.console.print(
            f"seeding {len(population.lps)} LPs and {len(population.traders)} traders "
            f"(${population.notional_usd:,.0f} notional)"
        )
        probe = scenario_address(s.seed, "probe", 0)
        _, now = driver.latest()
        driver.fund([probe], 10**21)
        probe_cash = system.units(system.settlement, 100_000)
        token = system.tokens[system.settlement]
        driver.queue(probe, Call.of(token, "mint", probe, probe_cash, gas=120_000))
        driver.queue(probe, Call.of(token, "approve", system.engine.address, probe_cash, gas=80_000))
        driver.queue(probe, Call.of(system.engine, "deposit", token.address, probe_cash, probe))
        start = seed_population(system, driver, population, now + 1)
        rng = np.random.default_rng(s.seed + 7_919)
        paths = self.spec.paths(rng, prices, s)
        faults = self.spec.faults(s)
        record = RunRecord(s, faults, paths, population, settlement=system.settlement, listed_series=listed)
        live = system.config.oracle.liveness
        record.wind_down_bound = {
            sym: system.config.oracle_params(sym).max_price_age + live.wind_down_after + live.wind_down_delay
            for sym in system.config.oracle.assets
        }
        result = ScenarioResult(
            scenario=self.spec.name,
            seed=s.seed,
            description=self.spec.description,
            parameters={
                "accounts": s.accounts,
                "seed": s.seed,
                "blocks": s.blocks,
                "block time (s)": s.block_time,
                "keeper gas per block": s.keeper_gas,
                "keeper start delay (blocks)": s.keeper_delay,
                "population": self.spec.profile,
                "leverage": s.leverage,
                "path": self.spec.path_note,
                "faults": "; ".join(f.describe() for f in faults) or "none",
                "pool seeded (USD)": round(
                    sum(sum(v * prices[k] for k, v in a.items()) for a in population.lps.values())
                ),
                "traders' notional (USD)": round(population.notional_usd),
            },
        )
        if market is not None:
            result.parameters["option traders"] = sum(1 for t in population.traders if t.options)
            result.parameters["implied volatility at the start"] = f"{market.asset} {market.sigma:.4f}"
        for sid, expiry in listed.items():
            result.parameters[f"series #{sid} expiry (s after the first block)"] = expiry - start
        if self.spec.vol_spike is not None:
            v = self.spec.vol_spike
            result.parameters["implied volatility spike"] = f"{v.symbol} x{v.target} from block {v.start}"
        for f in faults:
            result.events.append((f.start, f.describe()))
        risk = self._risk_keeper(system, driver)
        if risk is not None:
            self._lead_in_step(risk, driver, record, result)
        loop = BlockLoop(
            system,
            driver,
            self._keeper(system),
            record,
            result,
            s,
            start=start,
            probe=probe,
            expiry_keeper=self._expiry_keeper(system),
            vol_spike=self.spec.vol_spike,
            risk_keeper=risk,
        )
        with quiet_ape():
            loop.run(self.spec.name, self.console, self.progress)
        self._final_books(system, record)
        blocks = result.blocks
        shock = self.spec.shock_block
        clear = next(
            (
                m.block - shock
                for m in blocks
                if m.block >= shock
                and m.liquidatable == 0
                and any(b.block >= shock and b.liquidatable > 0 for b in blocks[: m.block])
            ),
            None,
        )
        if clear is None and not any(m.liquidatable for m in blocks if m.block >= shock):
            clear = 0
        result.outcome = Outcome(
            liquidations=len(record.liquidations),
            liquidated_notional=sum(x.closed_notional for x in record.liquidations),
            keeper_rewards=sum(x.keeper_reward for x in record.liquidations),
            deficits=sum(a.deficit for a in record.absorptions),
            insurance_used=sum(a.insurance_covered for a in record.absorptions),
            lp_loss=record.lp_loss,
            max_utilization=max((m.utilization for m in blocks), default=0.0),
            worst_health=min((m.worst_health for m in blocks), default=float("inf")),
            blocks=len(blocks),
            transactions=driver.sent + loop.keeper_txs,
            wall_seconds=time.perf_counter() - started,
            blocks_to_clear=clear,
            liquidatable_at_end=blocks[-1].liquidatable if blocks else 0,
            open_deficit_at_end=blocks[-1].open_deficit if blocks else 0.0,
            stale_liquidations=len(stale_liquidations(record)),
            keeper_errors=len(record.keeper_errors),
            lp_split=split(
                record.pool_states,
                system.decimals,
                system.settlement,
                record.realized_pnl,
                record.absorbed_surplus,
                sum(v for _, v in record.socialized),
            )
            if len(record.pool_states) > 1
            else None,
            options=self._options_outcome(system, record) if system.options is not None else None,
        )
        result.properties = [check(record) for check in self.spec.properties]
        return result, record

    def _list_series(self, system: System, driver: FastDriver, prices: dict[str, float]) -> dict[int, int]:
        """The scenario's series, listed by the risk manager in one block (series id -> expiry): each expiring
        halfway between the blocks before and at its `expiry_block`, or at the first such point the book's shortest
        tenor allows."""
        book = system.options
        if book is None or not self.spec.list_series:
            return {}
        bt = self.settings.block_time
        _, now = driver.latest()
        listed_at = now + 1
        shortest = listed_at + int(book.settlementWindow()) + int(book.MIN_TENOR())
        first = int(book.seriesCount()) + 1
        out = {}
        for i, x in enumerate(self.spec.list_series):
            blocks = max(x.expiry_block, -(-(shortest - now - bt // 2) // bt))
            expiry = now + blocks * bt + bt // 2
            strike = round(prices[x.symbol] * x.moneyness / OPTION_STRIKE_STEP) * OPTION_STRIKE_STEP
            driver.queue(
                system.risk_manager,
                Call.of(
                    book, "listSeries", system.tokens[x.symbol].address, int(strike * 10**18), expiry, x.is_call,
                    int(x.max_open * 10**18), gas=400_000, label="listSeries",
                ),
            )  # fmt: skip
            out[first + i] = expiry
        driver.mine(listed_at, strict=True)
        return out

    def _expiry_keeper(self, system: System) -> ExpiryKeeper | None:
        """The expiry keeper of the run (no state file, quick retries, no sleeping), when there is a book."""
        if system.options is None or system.expiry_sender is None:
            return None
        config = ExpiryKeeperConfig(
            sender=system.expiry_sender, state_path=None, max_retries=2, backoff_base=0.1
        )
        return ExpiryKeeper(
            system.options, system.oracle, config, int(self.chain.chain_id), sleep=lambda _: None
        )

    def _risk_keeper(self, system: System, driver: FastDriver) -> RiskKeeper | None:
        """The run's risk keeper (`RunSettings.risk_keeper`): the risk manager's account, no state file, quick
        retries, no sleeping; its histories are the oracle's events from the next block on (the run's)."""
        run = self.settings.risk_keeper
        if run is None:
            return None
        if system.risk_sender is None:
            raise ScenarioError(
                "the risk keeper needs the risk manager to be a test account (roles.riskManager)"
            )
        head, _ = driver.latest()
        config = RiskKeeperConfig(
            sender=system.risk_sender, state_path=None, history_from_block=head + 1, horizon=run.horizon,
            step_fraction=run.step_fraction, dead_band_bps=run.dead_band_bps, max_retries=2, backoff_base=0.1,
        )  # fmt: skip
        return RiskKeeper(
            system.engine,
            system.oracle,
            system.liquidator,
            config,
            int(self.chain.chain_id),
            sleep=lambda _: None,
        )

    def _lead_in_step(
        self, keeper: RiskKeeper, driver: FastDriver, record: RunRecord, result: ScenarioResult
    ) -> None:
        """The risk keeper's one step on the lead-in histories before the first block (its transactions automined)."""
        run = self.settings.risk_keeper
        if run is None or not run.lead_in:
            return
        histories = {x.symbol: load_csv(Path(x.path), x.symbol, x.start, x.end) for x in run.lead_in}
        driver.set_automine(True)
        try:
            with quiet_ape():
                report = keeper.step(histories)
        finally:
            driver.set_automine(False)
        record_risk_report(record, result, -1, report)
        for x in run.lead_in:
            result.parameters[f"risk keeper lead-in ({x.symbol})"] = (
                f"{x.path} {x.start[:16]} .. {x.end[:16]}: {len(histories[x.symbol])} prices"
            )

    def _options_outcome(self, system: System, record: RunRecord) -> OptionsOutcome:
        """The options' part of the outcome: liquidations that closed options (with perps), the volatility steps,
        the settlements against the prices around expiry, the payoffs realized."""
        product = system.options_product
        with_options = [x for x in record.liquidations if product in x.products]
        metrics = record.metrics
        settlements = []
        for st in record.settlements:
            before = [m for m in metrics if m.timestamp < st.expiry]
            at = next((m for m in metrics if m.timestamp >= st.expiry), metrics[-1])
            symbol = self._asset_of(system, st.series_id)
            kind = "call" if st.is_call else "put"
            settlements.append(
                SettlementOutcome(
                    series=f"{symbol} {st.strike:,.0f} {kind} #{st.series_id}",
                    block=st.block,
                    price=st.price,
                    at_expiry=st.at_expiry,
                    delay=st.delay,
                    median_before_expiry=before[-1].assets[symbol].median if before else float("nan"),
                    spot_at_expiry=at.assets[symbol].path_price,
                    spot_at_end=metrics[-1].assets[symbol].path_price,
                    long_open=st.long_open,
                    short_open=st.short_open,
                )
            )
        return OptionsOutcome(
            option_traders=sum(1 for t in record.population.traders if t.options),
            liquidations_closing_options=len(with_options),
            liquidations_closing_options_and_perps=sum(1 for x in with_options if x.closed_perps),
            options_closed_usd=record.product_closed.get(product, 0.0) if product is not None else 0.0,
            vol_steps=tuple((v.block, v.before, v.after) for v in record.vol_steps),
            settlements=tuple(settlements),
            paid_to_longs=sum(p[4] for p in record.payouts if p[4] > 0),
            paid_by_shorts=-sum(p[4] for p in record.payouts if p[4] < 0),
            realizations=len(record.payouts),
        )

    def _asset_of(self, system: System, series_id: int) -> str:
        assert system.options is not None
        address = str(system.options.series(series_id).asset).lower()
        return next(sym for sym, t in system.tokens.items() if str(t.address).lower() == address)

    def _sizing(self, system: System, driver: FastDriver) -> SizingContext:
        """The engine's parameters, stored prices and borrow index now: what it will judge the positions against."""
        head, _ = driver.latest()
        addresses = {sym: to_checksum_address(system.tokens[sym].address) for sym in system.tokens}
        ages = fetch_max_price_ages(system.oracle, list(addresses.values()), head)
        return SizingContext.of(
            system.config,
            fetch_risk_params(system.engine, head),
            fetch_prices(system.oracle, list(addresses.values()), head, ages),
            fetch_borrow_index(system.pool, head),
            addresses,
            system.markets,
        )

    def _keeper(self, system: System) -> LiquidationKeeper:
        """The liquidation keeper of the run: the scenario's gas budget per block, its state in a temporary file,
        quick retries, no sleeping between them."""
        state = Path(tempfile.mkdtemp(prefix="ballast-scenario-")) / "keeper.json"
        return LiquidationKeeper(
            system.engine,
            system.liquidator,
            system.oracle,
            system.pool,
            LiquidationKeeperConfig(
                sender=system.keeper,
                state_path=state,
                start_block=int(system.manifest.block),
                gas_budget_per_block=self.settings.keeper_gas,
                batch_size=self.settings.batch_size,
                max_retries=2,
                backoff_base=0.1,
            ),
            sleep=lambda _: None,
        )

    def _final_books(self, system: System, record: RunRecord) -> None:
        """docs/design.md#invariants (1 and 3) inputs at the end: token balances against the books."""
        end, _ = FastDriver(self.chain.provider).latest()
        engine, pool = system.engine, system.pool
        settle = system.tokens[system.settlement]
        calls = [
            ReadCall(
                str(settle.address), "balanceOf(address)", (str(engine.address),), ("address",), ("uint256",)
            ),
            ReadCall(
                str(settle.address),
                "balanceOf(address)",
                (str(system.insurance.address),),
                ("address",),
                ("uint256",),
            ),
            ReadCall.method(system.insurance, "bookedBalance"),
            ReadCall.method(pool, "nav", False),
        ]
        collateral = [s for s in system.config.collateral]
        for sym in collateral:
            token = system.tokens[sym]
            calls.append(
                ReadCall(
                    str(token.address),
                    "balanceOf(address)",
                    (str(engine.address),),
                    ("address",),
                    ("uint256",),
                )
            )
            calls.append(ReadCall.method(engine, "totalCollateral", token.address))
        for sym in system.config.pool.assets:
            token = system.tokens[sym]
            calls.append(
                ReadCall(
                    str(token.address), "balanceOf(address)", (str(pool.address),), ("address",), ("uint256",)
                )
            )
            calls.append(ReadCall.method(pool, "reserves", token.address))
        values = batch_call(self.chain.provider, calls, end)
        record.final_books = {
            "engine settlement balance": values[0],
            "insurance balance": values[1],
            "insurance booked": values[2],
            "pool nav": values[3],
            "collateral": {sym: (values[4 + 2 * i], values[5 + 2 * i]) for i, sym in enumerate(collateral)},
            "pool": {
                sym: (values[4 + 2 * len(collateral) + 2 * i], values[5 + 2 * len(collateral) + 2 * i])
                for i, sym in enumerate(system.config.pool.assets)
            },
        }


def run_scenario(
    project: ProjectManager,
    chain: ChainManager,
    accounts: Any,
    spec: ScenarioSpec,
    settings: RunSettings,
    console: Console | None = None,
    progress: bool = True,
    system: System | None = None,
) -> tuple[ScenarioResult, RunRecord]:
    """Run `spec` with `settings` on the connected local chain (on `system` if given, else a fresh deployment of
    config/local.yaml); leaves anvil with automine on."""
    runner = ScenarioRunner(project, chain, accounts, spec, settings, console or Console(), progress, system)
    try:
        return runner.run()
    finally:
        chain.provider.make_request("evm_setAutomine", [True])

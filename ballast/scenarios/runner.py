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

With `leverage="max"` the population is sized against the engine's parameters, stored prices and borrow index read
from the chain after the deployment (`ballast.scenarios.sizing`).

The run's record (`RunRecord`) keeps what the property checks need (liquidations with their block and the asset
statuses at that block, probe outcomes, the InsuranceFund balance before each absorption).
"""

from __future__ import annotations

import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
from eth_abi import decode
from eth_utils import keccak, to_checksum_address
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from ballast.keepers.liquidation import LiquidationKeeper, LiquidationKeeperConfig
from ballast.reader import Call as ReadCall
from ballast.reader import (
    batch_call,
    fetch_borrow_index,
    fetch_max_price_ages,
    fetch_prices,
    fetch_risk_params,
    fetch_snapshot,
)
from ballast.risk import AccountState, AssetPrice, PriceStatus, health
from ballast.scenarios.driver import Call, FastDriver, project_decoder
from ballast.scenarios.faults import Fault, frozen, source_states
from ballast.scenarios.lp_split import PoolState, split
from ballast.scenarios.model import (
    HEALTH_BUCKETS,
    STATUS_NAMES,
    AssetBlock,
    BlockMetrics,
    Outcome,
    PropertyResult,
    ScenarioResult,
)
from ballast.scenarios.paths import Paths, feed_answer, source_offsets
from ballast.scenarios.population import (
    LONG_LIMIT,
    Population,
    System,
    deploy_scenario_system,
    make_population,
    quiet_ape,
    scenario_address,
    seed_population,
    seed_prices,
)
from ballast.scenarios.sizing import SizingContext

WAD = 10**18


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


def _topic(signature: str) -> str:
    return "0x" + keccak(text=signature).hex()


FUNDED = _topic("Funded(address,uint256,bytes32)")
COVERED = _topic("Covered(uint256,uint256,uint256)")
SWEPT = _topic("Swept(uint256,address)")


def _hex(value: Any) -> str:
    return value if isinstance(value, str) else "0x" + bytes(value).hex()


def _data(log: dict[str, Any]) -> bytes:
    data = log["data"]
    return bytes(data) if not isinstance(data, str) else bytes.fromhex(data[2:])


def _int(value: Any) -> int:
    return int(value, 16) if isinstance(value, str) else int(value)


LIQUIDATED = _topic("Liquidated(address,address,uint256,uint256,uint256,uint256)")
ABSORBED = _topic("Absorbed(address,uint256,uint256,uint256,uint256)")
POSITION_MODIFIED = _topic("PositionModified(address,uint256,int256,int256,uint256,int256,uint256)")
DEFICIT_SOCIALIZED = _topic("DeficitSocialized(uint256,uint256,uint256)")
#: Statuses at which no liquidation may read a price (the Liquidator's price bounds revert).
#: Source statuses under which the oracle refuses to price a liquidation (docs/design.md#liveness: a freeze does not
#: stop one).
UNUSABLE = ("Stale",)


class ScenarioRunner:
    def __init__(
        self,
        project: Any,
        chain: Any,
        accounts: Any,
        spec: ScenarioSpec,
        settings: RunSettings,
        console: Console | None = None,
        progress: bool = True,
        system: System | None = None,
    ) -> None:
        self.system = system
        self.project, self.chain, self.accounts = project, chain, accounts
        self.spec, self.settings = spec, settings
        self.console = console or Console()
        self.progress = progress

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
        population = make_population(
            s.seed, s.accounts, system.config, prices, self.spec.profile, s.leverage, sizing
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
        record = RunRecord(s, faults, paths, population, settlement=system.settlement)
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
        for f in faults:
            result.events.append((f.start, f.describe()))
        with quiet_ape():
            self._loop(system, driver, record, result, start, probe)
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
            transactions=driver.sent + self._keeper_txs,
            wall_seconds=time.perf_counter() - started,
            blocks_to_clear=clear,
            liquidatable_at_end=blocks[-1].liquidatable if blocks else 0,
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
        )
        result.properties = [check(record) for check in self.spec.properties]
        return result, record

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

    def _pool_state(self, system: System, block: int, prices: dict[str, Any]) -> PoolState:
        """The parts of the Pool's lower NAV at `block`; `prices`: the stored prices by token address."""
        pool_assets = list(system.config.pool.assets)
        calls = [ReadCall.method(system.pool, "reserves", system.tokens[s].address) for s in pool_assets]
        calls += [
            ReadCall.method(system.pool, "totalDebt"),
            ReadCall.method(system.engine, "poolExposure", False),
            ReadCall.method(system.pool, "sharePrice", False),
            ReadCall.method(system.pool, "totalSupply"),
        ]
        values = batch_call(system.pool.provider, calls, block)
        n = len(pool_assets)
        low = {
            sym: prices[to_checksum_address(system.tokens[sym].address)].low
            for sym in {*pool_assets, system.settlement}
        }
        return PoolState(
            reserves=dict(zip(pool_assets, values[:n], strict=True)),
            low_prices=low,
            receivable=values[n],
            trader_pnl=values[n + 1][1],
            share_price=values[n + 2],
            supply=values[n + 3],
        )

    # ---------------------------------------------------------------- the loop

    def _loop(
        self,
        system: System,
        driver: FastDriver,
        record: RunRecord,
        result: ScenarioResult,
        start: int,
        probe: str,
    ) -> None:
        s = self.settings
        symbols = list(system.config.oracle.assets)
        offsets = {
            sym: source_offsets([float(x.answer) for x in system.config.oracle.assets[sym].sources])
            for sym in symbols
        }
        heartbeat = {sym: system.config.oracle_params(sym).heartbeat for sym in symbols}
        decimals = {sym: [int(f.decimals) for f in system.manifest.feeds[sym]] for sym in symbols}
        reverting = {(sym, j): False for sym in symbols for j in range(len(offsets[sym]))}
        stale_since: dict[tuple[str, int], int] = {}
        is_frozen = dict.fromkeys(symbols, False)
        wound_down: set[str] = set()  # assets the keeper wound down: their price is fixed, `update` reverts
        head, _ = driver.latest()
        state = Path(tempfile.mkdtemp(prefix="ballast-scenario-")) / "keeper.json"
        keeper = LiquidationKeeper(
            system.engine,
            system.liquidator,
            system.oracle,
            system.pool,
            LiquidationKeeperConfig(
                sender=system.keeper,
                state_path=state,
                start_block=int(system.manifest.block),
                gas_budget_per_block=s.keeper_gas,
                batch_size=s.batch_size,
                max_retries=2,
                backoff_base=0.1,
            ),
            sleep=lambda _: None,
        )
        self._keeper_txs = 0
        params = fetch_risk_params(system.engine, head)
        addresses = {sym: to_checksum_address(system.tokens[sym].address) for sym in symbols}
        by_address = {a: sym for sym, a in addresses.items()}
        ages = fetch_max_price_ages(system.oracle, [addresses[x] for x in symbols], head)
        record.pool_states.append(
            self._pool_state(system, head, fetch_prices(system.oracle, list(ages), head, ages))
        )
        traders = [t.address for t in record.population.traders]
        insurance_prev = 0.0
        symbol_of = {address: sym for sym, address in addresses.items()}
        books_before: dict[str, AccountState] = {}  # each trader's books at the end of the previous block
        market_assets = {name: system.config.markets[i].asset for name, i in system.markets.items()}
        min_sizes = {m.name: float(m.min_size) for m in system.config.markets}
        settle_dec = system.decimals[system.settlement]
        progress = Progress(
            TextColumn("[bold]{task.description}"),
            BarColumn(),
            MofNCompleteColumn(),
            TextColumn("{task.fields[note]}"),
            TimeElapsedColumn(),
            console=self.console,
            disable=not self.progress,
            transient=False,
        )
        with progress:
            task = progress.add_task(self.spec.name, total=s.blocks, note="")
            for b in range(s.blocks):
                _, last_ts = driver.latest()
                timestamp = max(start + (b + 1) * s.block_time, last_ts + 1)
                # 1. sources, guardian, oracle updates: one block
                for sym in symbols:
                    states = source_states(record.faults, sym, len(offsets[sym]), b)
                    price = float(record.paths[sym][b])
                    for j, (feed, st) in enumerate(zip(system.feeds[sym], states, strict=True)):
                        if st.reverting != reverting[(sym, j)]:
                            driver.queue(
                                system.deployer, Call.of(feed, "setReverting", st.reverting, gas=60_000)
                            )
                            reverting[(sym, j)] = st.reverting
                        if not st.updates:
                            if (sym, j) not in stale_since:
                                stale_since[(sym, j)] = b
                                old = timestamp - heartbeat[sym] - 1
                                driver.queue(system.deployer, Call.of(feed, "setUpdatedAt", old, gas=60_000))
                            continue
                        stale_since.pop((sym, j), None)
                        answer = feed_answer(price * st.factor, offsets[sym][j], decimals[sym][j])
                        driver.queue(system.deployer, Call.of(feed, "setAnswer", answer, gas=80_000))
                    want_frozen = frozen(record.faults, sym, b)
                    if want_frozen != is_frozen[sym]:
                        driver.queue(
                            system.guardian,
                            Call.of(system.oracle, "setFrozen", addresses[sym], want_frozen, gas=120_000),
                        )
                        is_frozen[sym] = want_frozen
                for sym in symbols:
                    if sym in wound_down:
                        continue
                    driver.queue(
                        system.deployer, Call.of(system.oracle, "update", addresses[sym], gas=600_000)
                    )
                price_block = driver.mine(timestamp, strict=True)
                # 2. the keeper
                keeper_gas = 0
                if b >= s.keeper_delay:
                    driver.set_automine(True)
                    try:
                        report = keeper.step()
                    except Exception as err:
                        # A keeper process that crashes is restarted by its supervisor: the same keeper runs again
                        # next block. The error is part of the outcome (and of the timeline).
                        error = " ".join(f"{type(err).__name__}: {err}".split())[:200]
                        record.keeper_errors.append((b, error))
                        result.events.append((b, f"keeper step failed: {error}"))
                    else:
                        keeper_gas = report.gas_committed
                        self._keeper_txs += len(report.transactions) + len(report.oracle_updates)
                    finally:
                        driver.set_automine(False)
                end, end_ts = driver.latest()
                # 3. new-risk probes in markets whose asset is not Ok
                statuses = dict(
                    zip(
                        symbols,
                        batch_call(
                            system.oracle.provider,
                            [ReadCall.method(system.oracle, "status", addresses[x]) for x in symbols],
                            end,
                        ),
                        strict=True,
                    )
                )
                wound_down |= {x for x in symbols if int(statuses[x]) == PriceStatus.WIND_DOWN}
                probes = []
                settlement_status = int(statuses[system.settlement])
                for name, asset in market_assets.items():
                    # Opening needs the market asset's and the settlement asset's (the probe's cash) prices Ok; the
                    # enum's order is the oracle's precedence, so the larger status is the one that decides.
                    status = STATUS_NAMES[max(int(statuses[asset]), settlement_status)]
                    if status != "Ok" or b == 0:
                        size = int(min_sizes[name] * 2 * WAD)
                        call = Call.of(
                            system.engine, "modifyPosition", system.markets[name], size, LONG_LIMIT
                        )
                        probes.append((name, status, call))
                outcomes = self._simulate(driver, probe, [c for _, _, c in probes], end)
                for (name, status, _), (ok, error) in zip(probes, outcomes, strict=True):
                    record.probes.append((b, name, status, ok, error))
                # 4. metrics
                pool_calls = [
                    ReadCall.method(system.pool, "sharePrice", False),
                    ReadCall.method(system.pool, "utilization"),
                    ReadCall.method(system.insurance, "bookedBalance"),
                ]
                share_price, utilization, insurance = batch_call(system.pool.provider, pool_calls, end)
                snap = fetch_snapshot(system.engine, system.pool, system.oracle, params, traders, end, ages)
                buckets = {name: 0 for name, _ in HEALTH_BUCKETS} | {"flat": 0}
                liquidatable = 0
                worst = float("inf")
                for account in traders:
                    books = snap.accounts[account]
                    h = health(books, params, snap.prices, snap.borrow_index)
                    if h.liquidatable:
                        liquidatable += 1
                    if not books.positions or h.maintenance_margin == 0:
                        buckets["flat"] += 1
                        continue
                    ratio = h.maintenance_equity / h.maintenance_margin
                    worst = min(worst, ratio)
                    buckets[next(n for n, bound in HEALTH_BUCKETS if ratio < bound)] += 1
                assets = {}
                ratios = {}
                for sym in symbols:
                    p = snap.prices[addresses[sym]]
                    true = float(record.paths[sym][b])
                    assets[sym] = AssetBlock(p.median / WAD, p.twap / WAD, STATUS_NAMES[int(p.status)], true)
                    ratios[sym] = p.median / WAD / true - 1
                status_names = {sym: STATUS_NAMES[int(statuses[sym])] for sym in symbols}
                # What a liquidation follows: the sources' own status (a freeze brakes new risk only).
                exit_names = {
                    sym: STATUS_NAMES[int(_exit_status(snap.prices[addresses[sym]]))] for sym in symbols
                }
                logs = driver.request(
                    "eth_getLogs",
                    [
                        {
                            "address": [str(system.liquidator.address)],
                            "fromBlock": hex(price_block.number),
                            "toBlock": hex(end),
                            "topics": [[LIQUIDATED, ABSORBED]],
                        }
                    ],
                )
                liquidations = 0
                notional = rewards = deficits = 0.0
                for log in logs:
                    topics = [t if isinstance(t, str) else "0x" + bytes(t).hex() for t in log["topics"]]
                    account = to_checksum_address("0x" + topics[1][-40:])
                    data = (
                        log["data"]
                        if isinstance(log["data"], bytes | bytearray)
                        else bytes.fromhex(log["data"][2:])
                    )
                    if topics[0] == LIQUIDATED:
                        _, closed, _, reward = decode(["uint256"] * 4, data)
                        liquidations += 1
                        notional += closed / WAD
                        rewards += reward / 10**settle_dec
                        before = books_before.get(account)
                        held = (
                            frozenset(symbol_of.get(a, a) for a in before.assets(params))
                            if before
                            else frozenset()
                        )
                        record.liquidations.append(
                            Liquidation(
                                b, account, closed / WAD, reward / 10**settle_dec, exit_names, ratios, held
                            )
                        )
                    else:
                        debt, collateral_value, deficit, covered = decode(["uint256"] * 4, data)
                        if collateral_value > debt:
                            settle_low = snap.prices[addresses[system.settlement]].low
                            record.absorbed_surplus += (
                                (collateral_value - debt) * settle_low // 10**settle_dec
                            )
                        deficits += deficit / 10**settle_dec
                        record.absorptions.append(
                            Absorption(
                                b, account, deficit / 10**settle_dec, covered / 10**settle_dec, insurance_prev
                            )
                        )
                self._check_cover(system, driver, record, b, price_block.number, end)
                self._pool_events(system, driver, record, b, price_block.number, end)
                record.pool_states.append(self._pool_state(system, end, snap.prices))
                insurance_prev = insurance / 10**settle_dec
                books_before = dict(snap.accounts)
                row = BlockMetrics(
                    block=b,
                    timestamp=end_ts,
                    assets=assets,
                    health_buckets=buckets,
                    liquidatable=liquidatable,
                    liquidations=liquidations,
                    liquidated_notional=notional,
                    keeper_rewards=rewards,
                    keeper_gas=keeper_gas,
                    deficits=deficits,
                    insurance_balance=insurance_prev,
                    lp_share_price=share_price / WAD,
                    utilization=utilization / WAD,
                    worst_health=worst,
                )
                result.blocks.append(row)
                record.metrics.append(row)
                for sym in symbols:
                    if b and status_names[sym] != result.blocks[-2].assets[sym].status:
                        result.events.append(
                            (b, f"{sym} status {result.blocks[-2].assets[sym].status} -> {status_names[sym]}")
                        )
                progress.update(
                    task,
                    advance=1,
                    note=f"liquidatable {liquidatable}, liquidations {len(record.liquidations)}",
                )
        del by_address

    def _pool_events(
        self, system: System, driver: FastDriver, record: RunRecord, b: int, first: int, last: int
    ) -> None:
        """Traders' realized PnL (`PositionModified`) and the deficits socialized (`DeficitSocialized`) in blocks
        `first`..`last`."""
        logs = driver.request(
            "eth_getLogs",
            [
                {
                    "address": [str(system.engine.address), str(system.pool.address)],
                    "fromBlock": hex(first),
                    "toBlock": hex(last),
                    "topics": [[POSITION_MODIFIED, DEFICIT_SOCIALIZED]],
                }
            ],
        )
        for log in logs:
            topic = _hex(log["topics"][0])
            if topic == POSITION_MODIFIED:
                _, _, _, realized, _ = decode(
                    ["int256", "int256", "uint256", "int256", "uint256"], _data(log)
                )
                record.realized_pnl += realized
            else:
                _, _, value_usd = decode(["uint256"] * 3, _data(log))
                record.socialized.append((b, value_usd))

    def _check_cover(
        self, system: System, driver: FastDriver, record: RunRecord, b: int, first: int, last: int
    ) -> None:
        """Replay the InsuranceFund's books through every transaction of the block that left a deficit uncovered:
        the fund must have paid all it held (LPs lose only once the fund is empty)."""
        logs = driver.request(
            "eth_getLogs",
            [
                {
                    "address": [str(system.insurance.address)],
                    "fromBlock": hex(first),
                    "toBlock": hex(last),
                    "topics": [[FUNDED, COVERED, SWEPT]],
                }
            ],
        )
        by_tx: dict[str, list[dict[str, Any]]] = {}
        for log in logs:
            tx = (
                log["transactionHash"]
                if isinstance(log["transactionHash"], str)
                else "0x" + bytes(log["transactionHash"]).hex()
            )
            by_tx.setdefault(tx, []).append(log)
        for entries in by_tx.values():
            topics0 = [_hex(e["topics"][0]) for e in entries]
            covers = [
                decode(["uint256"] * 3, _data(e))
                for e, t in zip(entries, topics0, strict=True)
                if t == COVERED
            ]
            if not any(c[2] > 0 for c in covers):
                continue
            number = (
                int(entries[0]["blockNumber"], 16)
                if isinstance(entries[0]["blockNumber"], str)
                else int(entries[0]["blockNumber"])
            )
            (balance,) = [
                batch_call(driver.provider, [ReadCall.method(system.insurance, "bookedBalance")], number - 1)[
                    0
                ]
            ]
            for entry, topic in sorted(
                zip(entries, topics0, strict=True), key=lambda x: _int(x[0]["logIndex"])
            ):
                if topic == FUNDED:
                    balance += decode(["uint256"], _data(entry)[:32])[0]
                elif topic == SWEPT:
                    balance -= decode(["uint256"], _data(entry)[:32])[0]
                else:
                    deficit, covered, uncovered = decode(["uint256"] * 3, _data(entry))
                    if uncovered > 0:
                        record.cover_checks.append((b, deficit, covered, uncovered, balance))
                    balance -= covered

    def _simulate(
        self, driver: FastDriver, sender: str, calls: list[Call], block: int
    ) -> list[tuple[bool, str]]:
        """`eth_call` each of `calls` from `sender` at `block` (one batch): (accepted, decoded error)."""
        if not calls:
            return []
        requests = [
            ("eth_call", [{"from": sender, "to": c.to, "data": c.data, "gas": hex(c.gas)}, hex(block)])
            for c in calls
        ]
        batcher = driver.provider.web3.provider.make_batch_request
        out = []
        for response in batcher(requests):
            error = response.get("error") if isinstance(response, dict) else None
            if not error:
                out.append((True, ""))
                continue
            data = error.get("data") if isinstance(error, dict) else None
            if isinstance(data, dict):
                data = data.get("data")
            if isinstance(data, str) and data.startswith("0x"):
                out.append((False, driver.decoder.decode(data)))
            else:
                out.append((False, str(error.get("message", error) if isinstance(error, dict) else error)))
        return out

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


def exposure(record: RunRecord, account: str) -> set[str]:
    """The assets whose prices `account`'s health reads (its collateral, its markets' assets, the settlement
    asset), by symbol, from the population."""
    trader = next((t for t in record.population.traders if t.address == account), None)
    if trader is None:
        return set()
    return {record.settlement, *trader.deposits, *(m.split("-")[0] for m in trader.positions)}


def _exit_status(price: AssetPrice) -> int:
    """The status a liquidation follows: the sources' own (`sourceStatus`), else the stored one."""
    return int(price.status if price.source_status is None else price.source_status)


def stale_liquidations(record: RunRecord) -> list[Liquidation]:
    """Liquidations of accounts whose health reads an asset its sources gave as Stale at the end of that block (the
    oracle is updated once per block, before the keeper: the status the Liquidator saw; a freeze does not count)."""
    return [
        x
        for x in record.liquidations
        if any(x.statuses.get(sym) in UNUSABLE for sym in (x.exposure or exposure(record, x.account)))
    ]


def run_scenario(
    project: Any,
    chain: Any,
    accounts: Any,
    spec: ScenarioSpec,
    settings: RunSettings,
    console: Console | None = None,
    progress: bool = True,
    system: System | None = None,
) -> tuple[ScenarioResult, RunRecord]:
    """Run `spec` with `settings` on the connected local chain (on `system` if given, else a fresh deployment of
    config/local.yaml); leaves anvil with automine on."""
    runner = ScenarioRunner(project, chain, accounts, spec, settings, console, progress, system)
    try:
        return runner.run()
    finally:
        chain.provider.make_request("evm_setAutomine", [True])

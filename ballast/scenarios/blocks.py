"""A scenario's blocks, one step after another (the runner's module docstring describes a block):

1. `prices`: every source's answer (path price x source offset) with the block's faults (a source that reverts or
   goes stale), the guardian's freeze or unfreeze, and `oracle.update` for every asset, mined in one driver block;
   the risk manager's implied-volatility step when the scenario's spike asks for one and the book allows it;
2. `keeper_step`: from the keeper delay on, one step of the liquidation keeper, its transactions automined; then
   (`expiry_step`) one step of the expiry keeper, which settles the expired series, and the holders of a series it
   settled realize their positions at the payoff; then (`risk_step`, every `RiskKeeperRun.every` blocks) one step
   of the risk keeper, which moves the governed parameters; the parameters are read back from the engine at the end
   of every block (`RunRecord.governed`, and the health of step 4 reads them);
3. `probe_new_risk`: a probe trader holding only settlement cash tries (eth_call) to open in every market whose asset,
   or the settlement asset, is not `Ok`;
4. `metrics`: every trader's health from batched reads, the health buckets and the assets' oracle state;
5. `events`: the block's liquidations and absorptions, the InsuranceFund's covers and the Pool's events;
6. `record_row`: the block's metrics row, and the status changes in the timeline.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from typing import Any, TypeVar

from eth_abi import decode
from eth_utils import keccak, to_checksum_address
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from ballast.keepers.expiry import ExpiryKeeper
from ballast.keepers.liquidation import LiquidationKeeper
from ballast.keepers.risk import RiskKeeper, RiskReport
from ballast.reader import Call as ReadCall
from ballast.reader import (
    Snapshot,
    batch_call,
    fetch_max_price_ages,
    fetch_prices,
    fetch_risk_params,
    fetch_snapshot,
)
from ballast.risk import AccountState, AssetPrice, PriceStatus, health
from ballast.scenarios.driver import Call, FastDriver
from ballast.scenarios.faults import frozen, source_states
from ballast.scenarios.lp_split import PoolState
from ballast.scenarios.model import (
    ENGINE_TOTAL,
    HEALTH_BUCKETS,
    PERPS,
    STATUS_NAMES,
    AssetBlock,
    BlockMetrics,
    Exposure,
    MarketBlock,
    ProductBlock,
    ScenarioResult,
)
from ballast.scenarios.paths import feed_answer, source_offsets
from ballast.scenarios.population import LONG_LIMIT, System, option_trade, source_answer
from ballast.scenarios.record import (
    Absorption,
    Liquidation,
    RiskStep,
    RunRecord,
    RunSettings,
    Settlement,
    VolSpike,
    VolStep,
)

WAD = 10**18

T = TypeVar("T")


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
PRODUCT_LIQUIDATED = _topic("ProductLiquidated(address,uint256,uint256,int256,bool)")
POSITION_SETTLED = _topic("PositionSettled(uint256,address,int256,int256)")
SETTLED = _topic("Settled(uint256,uint256,bool,uint256)")


def _exit_status(price: AssetPrice) -> int:
    """The status a liquidation follows: the sources' own (`sourceStatus`), else the stored one."""
    return int(price.status if price.source_status is None else price.source_status)


@dataclass
class _BlockEvents:
    """What the block's Liquidated and Absorbed events add to its metrics row."""

    liquidations: int = 0
    notional: float = 0.0
    rewards: float = 0.0
    deficits: float = 0.0
    # Per market: liquidations, USD they closed, USD of bad debt; per product: its `ProductBlock`.
    markets: dict[str, tuple[int, float, float]] = field(default_factory=dict)
    products: dict[str, ProductBlock] = field(default_factory=dict)


POOL_EXPOSURE = "poolExposure(bool)"
POOL_EXPOSURE_OUT = ("int256", "int256", "uint256", "uint256")


def after_size(books: AccountState | None, market: int) -> int:
    """An account's perp size in `market` (0 when it holds none there)."""
    if books is None or market not in books.positions:
        return 0
    return books.positions[market].size


def product_name(system: System, address: str, index: int) -> str:
    """How the report names margin product `index`: "options" for the deployment's OptionsBook."""
    book = system.options
    if book is not None and address.lower() == str(book.address).lower():
        return "options"
    return f"product {index}"


def exposure_calls(system: System, products: Sequence[tuple[str, str]]) -> list[ReadCall]:
    """`poolExposure(false)` of the engine (its total), then of every margin product."""
    calls = [ReadCall.method(system.engine, "poolExposure", False)]
    calls += [
        ReadCall(address, POOL_EXPOSURE, (False,), ("bool",), POOL_EXPOSURE_OUT) for _, address in products
    ]
    return calls


def exposure_by_part(names: Sequence[str], values: Sequence[Any]) -> dict[str, Exposure]:
    """The engine's total (`values[0]`) and each product's exposure (`values[1:]`, in the order of `names`) as the
    report's parts: the perps (the total minus the products), each product, the total; USD."""

    def usd(v: Sequence[int]) -> Exposure:
        return Exposure(v[0] / WAD, v[1] / WAD, v[2] / WAD)

    total_raw, products_raw = values[0], values[1:]
    perps_raw = tuple(total_raw[k] - sum(p[k] for p in products_raw) for k in range(3))
    parts = {PERPS: usd((*perps_raw, 0))}
    parts |= {name: usd(v) for name, v in zip(names, products_raw, strict=True)}
    parts[ENGINE_TOTAL] = usd(total_raw)
    return parts


def record_risk_report(record: RunRecord, result: ScenarioResult, b: int, report: RiskReport) -> None:
    """A risk keeper step's sent steps, held tightenings and failures into the record, and its steps into the
    timeline (`b` -1: the lead-in step before the first block)."""
    for sent in report.sent:
        changed = {k: (int(v[0]), int(v[1])) for k, v in sent["changes"].items()}
        record.risk_steps.append(
            RiskStep(b, sent["subject"], sent["label"], bool(sent["tightens"]), changed, sent["tx"])
        )
        moves = ", ".join(f"{k} {a} -> {c}" for k, (a, c) in changed.items())
        result.events.append((max(b, 0), f"risk keeper: {sent['label']}: {moves}"))
    for held in report.held:
        record.risk_held.append((b, held["subject"], int(held["next_allowed_at"])))
    for failed in report.failed:
        record.risk_failures.append((b, failed.kind, failed.error))
        result.events.append((max(b, 0), f"risk keeper: {failed.kind} failed: {failed.error[:120]}"))


class BlockLoop:
    """Runs `settings.blocks` blocks of one scenario on `system`, recording into `record` and `result`."""

    def __init__(
        self,
        system: System,
        driver: FastDriver,
        keeper: LiquidationKeeper,
        record: RunRecord,
        result: ScenarioResult,
        settings: RunSettings,
        *,
        start: int,
        probe: str,
        expiry_keeper: ExpiryKeeper | None = None,
        vol_spike: VolSpike | None = None,
        risk_keeper: RiskKeeper | None = None,
    ) -> None:
        self.system, self.driver, self.keeper = system, driver, keeper
        self.expiry_keeper, self.vol_spike, self.risk_keeper = expiry_keeper, vol_spike, risk_keeper
        self.record, self.result, self.settings = record, result, settings
        self.start, self.probe = start, probe
        config = system.config
        self.symbols = list(config.oracle.assets)
        self.offsets = {
            sym: source_offsets([source_answer(x) for x in config.oracle.assets[sym].sources])
            for sym in self.symbols
        }
        self.heartbeat = {sym: config.oracle_params(sym).heartbeat for sym in self.symbols}
        self.feed_decimals = {
            sym: [int(f.decimals) for f in system.manifest.feeds[sym]] for sym in self.symbols
        }
        # The faults' state as sent so far: sources reverting, sources stale since a block, assets frozen; and the
        # assets the keeper wound down (their price is fixed, `update` reverts).
        self.reverting = {(sym, j): False for sym in self.symbols for j in range(len(self.offsets[sym]))}
        self.stale_since: dict[tuple[str, int], int] = {}
        self.is_frozen = dict.fromkeys(self.symbols, False)
        self.wound_down: set[str] = set()
        self.keeper_txs = 0
        head, _ = driver.latest()
        self.params = fetch_risk_params(system.engine, head)
        self.addresses = {sym: to_checksum_address(system.tokens[sym].address) for sym in self.symbols}
        self.symbol_of: dict[str, str] = {address: sym for sym, address in self.addresses.items()}
        self.ages = fetch_max_price_ages(system.oracle, [self.addresses[x] for x in self.symbols], head)
        record.pool_states.append(
            self.pool_state(head, fetch_prices(system.oracle, list(self.ages), head, self.ages))
        )
        self.traders = [t.address for t in record.population.traders]
        self.insurance_prev = 0.0
        self.books_before: dict[
            str, AccountState
        ] = {}  # each trader's books at the end of the previous block
        self.last_held: dict[str, AccountState] = {}  # each trader's books the last block it held positions
        self.market_assets = {name: config.markets[i].asset for name, i in system.markets.items()}
        self.min_sizes = {m.name: float(m.min_size) for m in config.markets}
        self.settle_dec = system.decimals[system.settlement]
        # The risk manager's implied volatility of the spiked asset (WAD), its target and its last step's time.
        self.sigma = self.sigma_target = 0
        self.last_vol_step: int | None = None
        if vol_spike is not None and system.options is not None:
            book = system.options
            self.sigma = int(book.impliedVol(self.addresses[vol_spike.symbol]))
            self.sigma_target = int(self.sigma * vol_spike.target)
            # The book's rule, as it states it: the largest step (bps of the current value) and the spacing.
            record.vol_rule = (int(book.MAX_VOL_STEP_BPS()), int(book.VOL_STEP_INTERVAL()))
        # Each trader's options at the seeding (series id -> units), to realize a settled series.
        self.option_holders = {t.address: dict(t.options) for t in record.population.traders if t.options}
        # The margin products in listing order, by the name the report gives them.
        self.products = [
            (product_name(system, str(address), i), to_checksum_address(str(address)))
            for i, address in enumerate(system.engine.marginProducts())
        ]

    def run(self, name: str, console: Console, progress: bool) -> None:
        """Every block, with a progress bar named `name` on `console` (none when `progress` is off)."""
        bar = Progress(
            TextColumn("[bold]{task.description}"),
            BarColumn(),
            MofNCompleteColumn(),
            TextColumn("{task.fields[note]}"),
            TimeElapsedColumn(),
            console=console,
            disable=not progress,
            transient=False,
        )
        with bar:
            task = bar.add_task(name, total=self.settings.blocks, note="")
            for b in range(self.settings.blocks):
                liquidatable = self.block(b)
                bar.update(
                    task,
                    advance=1,
                    note=f"liquidatable {liquidatable}, liquidations {len(self.record.liquidations)}",
                )

    def block(self, b: int) -> int:
        """Block `b`, every step; returns how many traders are liquidatable at its end."""
        _, last_ts = self.driver.latest()
        timestamp = max(self.start + (b + 1) * self.settings.block_time, last_ts + 1)
        price_block = self.prices(b, timestamp)
        keeper_gas = self.keeper_step(b)
        self.expiry_step(b)
        self.risk_step(b)
        end, end_ts = self.driver.latest()
        self.params = fetch_risk_params(self.system.engine, end)
        self.record.governed.append(self.params)
        statuses = self.probe_new_risk(b, end)
        snap, row = self.metrics(b, end, end_ts, statuses)
        events = self.events(b, price_block, end, snap)
        self.record_row(b, row, events, keeper_gas, statuses)
        return row.liquidatable

    # ---------------------------------------------------------------- 1. prices and faults

    def prices(self, b: int, timestamp: int) -> int:
        """Sources' answers with the block's faults, the guardian's freezes and every asset's `update`, mined in one
        block at `timestamp`; returns that block's number."""
        for sym in self.symbols:
            self._queue_sources(sym, b, timestamp)
            self._queue_guardian(sym, b)
        for sym in self.symbols:
            if sym in self.wound_down:
                continue
            self.driver.queue(
                self.system.deployer, Call.of(self.system.oracle, "update", self.addresses[sym], gas=600_000)
            )
        step = self._queue_vol_step(b, timestamp)
        number = self.driver.mine(timestamp, strict=True).number
        if step is not None:
            self.record.vol_steps.append(step)
            self.result.events.append(
                (b, f"risk manager: {self.vol_spike.symbol if self.vol_spike else ''} implied volatility "
                 f"{step.before:.4f} -> {step.after:.4f}")
            )  # fmt: skip
        return number

    def _queue_vol_step(self, b: int, timestamp: int) -> VolStep | None:
        """The risk manager's next implied-volatility step of the spike, when one is due: the largest the book
        allows (the book's MAX_VOL_STEP_BPS of the current value, up to the target), its VOL_STEP_INTERVAL after the
        last one (`RunRecord.vol_rule`, read from the book)."""
        spike, book = self.vol_spike, self.system.options
        if spike is None or book is None or b < spike.start or self.sigma >= self.sigma_target:
            return None
        max_step_bps, interval = self.record.vol_rule
        if self.last_vol_step is not None and timestamp < self.last_vol_step + interval:
            return None
        after = min(self.sigma + self.sigma * max_step_bps // 10_000, self.sigma_target)
        self.driver.queue(
            self.system.risk_manager,
            Call.of(
                book, "setImpliedVol", self.addresses[spike.symbol], after, gas=150_000, label="setImpliedVol"
            ),
        )
        step = VolStep(b, timestamp, self.sigma / WAD, after / WAD)
        self.sigma, self.last_vol_step = after, timestamp
        return step

    def _queue_sources(self, sym: str, b: int, timestamp: int) -> None:
        """Each source of `sym`: start or stop reverting, go stale (its last round stamped past the heartbeat), or
        answer the path price times its offset and the fault's factor."""
        deployer = self.system.deployer
        states = source_states(self.record.faults, sym, len(self.offsets[sym]), b)
        price = float(self.record.paths[sym][b])
        for j, (feed, st) in enumerate(zip(self.system.feeds[sym], states, strict=True)):
            if st.reverting != self.reverting[(sym, j)]:
                self.driver.queue(deployer, Call.of(feed, "setReverting", st.reverting, gas=60_000))
                self.reverting[(sym, j)] = st.reverting
            if not st.updates:
                if (sym, j) not in self.stale_since:
                    self.stale_since[(sym, j)] = b
                    old = timestamp - self.heartbeat[sym] - 1
                    self.driver.queue(deployer, Call.of(feed, "setUpdatedAt", old, gas=60_000))
                continue
            self.stale_since.pop((sym, j), None)
            answer = feed_answer(price * st.factor, self.offsets[sym][j], self.feed_decimals[sym][j])
            self.driver.queue(deployer, Call.of(feed, "setAnswer", answer, gas=80_000))

    def _queue_guardian(self, sym: str, b: int) -> None:
        """The guardian freezes or unfreezes `sym` when the block's faults say so."""
        want_frozen = frozen(self.record.faults, sym, b)
        if want_frozen != self.is_frozen[sym]:
            self.driver.queue(
                self.system.guardian,
                Call.of(self.system.oracle, "setFrozen", self.addresses[sym], want_frozen, gas=120_000),
            )
            self.is_frozen[sym] = want_frozen

    # ---------------------------------------------------------------- 2. the keeper

    def keeper_step(self, b: int) -> int:
        """One keeper step from the keeper delay on (its transactions automined); returns the gas it committed. A
        keeper process that crashes is restarted by its supervisor: the same keeper runs again next block, and the
        error is part of the outcome (and of the timeline)."""
        if b < self.settings.keeper_delay:
            return 0
        report = self._automined_step(b, self.keeper.step)
        if report is None:
            return 0
        self.keeper_txs += len(report.transactions) + len(report.oracle_updates)
        return report.gas_committed

    def expiry_step(self, b: int) -> None:
        """One step of the expiry keeper (its transactions automined): the series it settled are recorded with the
        oracle's TWAP over the settlement window ending at expiry; then every trader who still holds one of them
        realizes it at its payoff (`tradeProduct` with no trade), in a block of their own. A keeper step that raises is
        recorded as the liquidation keeper's are; the keeper steps again next block."""
        keeper, book = self.expiry_keeper, self.system.options
        if keeper is None or book is None:
            return
        report = self._automined_step(b, keeper.step, "expiry keeper")
        if report is None:
            return
        self.keeper_txs += len(report.settled) + len(report.failed)
        settled = []
        for done in report.settled:
            sid = int(done["series"])
            s = book.series(sid)
            expiry = int(s.expiry)
            twap, _, _ = self.system.oracle.twapEndingAt(s.asset, keeper.window, expiry)
            entry = Settlement(
                b, sid, bool(s.isCall), int(s.strike) / WAD, expiry, done["price"] / WAD, done["atExpiry"],
                done["delay"], int(twap) / WAD, keeper.window, int(s.longOpen) / WAD, int(s.shortOpen) / WAD,
            )  # fmt: skip
            self.record.settlements.append(entry)
            settled.append(sid)
            kind = "call" if entry.is_call else "put"
            how = "at expiry" if entry.at_expiry else "by the fallback rule"
            self.result.events.append(
                (b, f"expiry keeper: series #{sid} ({entry.strike:,.0f} {kind}) settled at {entry.price:,.2f} USD "
                 f"{how}, {entry.delay} s after expiry")
            )  # fmt: skip
        holders = [a for a, held in self.option_holders.items() if any(sid in held for sid in settled)]
        if not holders:
            return
        for account in holders:
            self.driver.queue(account, option_trade(self.system, 0, 0.0))
            for sid in settled:
                self.option_holders[account].pop(sid, None)
        _, last = self.driver.latest()
        block = self.driver.mine(last + 1)
        self.record.failed_realizations += len(block.failed)

    def risk_step(self, b: int) -> None:
        """Every `RiskKeeperRun.every` blocks, one step of the risk keeper (its transactions automined): the steps it
        sent, the tightenings the engine's spacing held and the transactions that failed go into the record. A step
        that raises is recorded as the other keepers' are; the keeper steps again at its next turn."""
        run, keeper = self.settings.risk_keeper, self.risk_keeper
        if run is None or keeper is None or (b + 1) % run.every:
            return
        report = self._automined_step(b, keeper.step, "risk keeper")
        if report is None:
            return
        self.keeper_txs += len(report.sent) + len(report.failed)
        record_risk_report(self.record, self.result, b, report)

    def _automined_step(self, b: int, step: Callable[[], T], name: str = "") -> T | None:
        """One `step` of a keeper (`name`; the liquidation keeper: none) with its transactions automined; a step that
        raises is recorded (the record's keeper errors and the run's events) and gives None: the keeper steps again
        at its next turn, as a supervisor would restart it."""
        self.driver.set_automine(True)
        try:
            return step()
        except Exception as err:
            error = " ".join(f"{type(err).__name__}: {err}".split())[:200]
            self.record.keeper_errors.append((b, f"{name}: {error}" if name else error))
            self.result.events.append((b, f"{name or 'keeper'} step failed: {error}"))
            return None
        finally:
            self.driver.set_automine(False)

    # ---------------------------------------------------------------- 3. traders: new-risk probes

    def probe_new_risk(self, b: int, end: int) -> dict[str, Any]:
        """The assets' statuses at `end`, and an `eth_call` of a small open in every market whose asset (or the
        settlement asset, the probe's cash) is not Ok, recorded with its outcome (in every market at block 0)."""
        system = self.system
        statuses = dict(
            zip(
                self.symbols,
                batch_call(
                    system.oracle.provider,
                    [ReadCall.method(system.oracle, "status", self.addresses[x]) for x in self.symbols],
                    end,
                ),
                strict=True,
            )
        )
        self.wound_down |= {x for x in self.symbols if int(statuses[x]) == PriceStatus.WIND_DOWN}
        probes = []
        settlement_status = int(statuses[system.settlement])
        for name, asset in self.market_assets.items():
            # Opening needs the market asset's and the settlement asset's prices Ok; the enum's order is the
            # oracle's precedence, so the larger status is the one that decides.
            status = STATUS_NAMES[max(int(statuses[asset]), settlement_status)]
            if status != "Ok" or b == 0:
                size = int(self.min_sizes[name] * 2 * WAD)
                call = Call.of(system.engine, "modifyPosition", system.markets[name], size, LONG_LIMIT)
                probes.append((name, status, call))
        outcomes = self.simulate(self.probe, [c for _, _, c in probes], end)
        for (name, status, _), (ok, error) in zip(probes, outcomes, strict=True):
            self.record.probes.append((b, name, status, ok, error))
        return statuses

    # ---------------------------------------------------------------- 4. metrics

    def metrics(
        self, b: int, end: int, end_ts: int, statuses: dict[str, Any]
    ) -> tuple[Snapshot, BlockMetrics]:
        """Every trader's books and health at `end` (batched reads), the health buckets, the Pool's share price and
        utilization, the InsuranceFund's balance and each asset's oracle state: the block's row, without its
        events (`record_row` adds them)."""
        system = self.system
        pool_calls = [
            ReadCall.method(system.pool, "sharePrice", False),
            ReadCall.method(system.pool, "utilization"),
            ReadCall.method(system.insurance, "bookedBalance"),
        ]
        pool_calls += exposure_calls(system, self.products)
        share_price, utilization, insurance, *exposures = batch_call(system.pool.provider, pool_calls, end)
        snap = fetch_snapshot(
            system.engine, system.pool, system.oracle, self.params, self.traders, end, self.ages
        )
        buckets = {name: 0 for name, _ in HEALTH_BUCKETS} | {"flat": 0}
        liquidatable = 0
        open_deficit = 0
        worst = float("inf")
        for account in self.traders:
            books = snap.accounts[account]
            h = health(books, self.params, snap.prices, snap.borrow_index)
            if h.liquidatable:
                liquidatable += 1
            open_deficit += max(0, -h.maintenance_equity)
            if not (books.positions or books.products) or h.maintenance_margin == 0:
                buckets["flat"] += 1
                continue
            ratio = h.maintenance_equity / h.maintenance_margin
            worst = min(worst, ratio)
            buckets[next(n for n, bound in HEALTH_BUCKETS if ratio < bound)] += 1
        markets = self.market_books(snap)
        assets = {}
        for sym in self.symbols:
            p = snap.prices[self.addresses[sym]]
            true = float(self.record.paths[sym][b])
            assets[sym] = AssetBlock(p.median / WAD, p.twap / WAD, STATUS_NAMES[int(p.status)], true)
        row = BlockMetrics(
            block=b,
            timestamp=end_ts,
            assets=assets,
            health_buckets=buckets,
            liquidatable=liquidatable,
            liquidations=0,
            liquidated_notional=0.0,
            keeper_rewards=0.0,
            keeper_gas=0,
            deficits=0.0,
            insurance_balance=insurance / 10**self.settle_dec,
            lp_share_price=share_price / WAD,
            utilization=utilization / WAD,
            worst_health=worst,
            open_deficit=open_deficit / WAD,
            exposure=exposure_by_part([name for name, _ in self.products], exposures),
            markets=markets,
        )
        return snap, row

    def market_price(self, snap: Snapshot, name: str) -> float:
        """The oracle median of market `name`'s asset at `snap`, USD."""
        return snap.prices[self.addresses[self.market_assets[name]]].median / WAD

    def market_books(self, snap: Snapshot) -> dict[str, MarketBlock]:
        """Each market's open interest and volume (the traders' size changes since the previous block; none in the
        first block, whose previous books are the seeding's), USD at the median."""
        out = {}
        for name, index in self.system.markets.items():
            price = self.market_price(snap, name)
            oi = volume = 0.0
            for account in self.traders:
                size = after_size(snap.accounts[account], index)
                oi += abs(size)
                if self.books_before:
                    volume += abs(size - after_size(self.books_before.get(account), index))
            out[name] = MarketBlock(oi / WAD * price, volume / WAD * price, 0, 0.0, 0.0)
        return out

    # ---------------------------------------------------------------- 5. events

    def events(self, b: int, first: int, end: int, snap: Snapshot) -> _BlockEvents:
        """The Liquidated and Absorbed events of blocks `first`..`end` into the record (with the statuses the
        liquidations met and each account's books before), then the InsuranceFund's covers and the Pool's events;
        the Pool's state at `end` closes the block."""
        system, record, settle_dec = self.system, self.record, self.settle_dec
        ratios = {
            sym: snap.prices[self.addresses[sym]].median / WAD / float(record.paths[sym][b]) - 1
            for sym in self.symbols
        }
        # What a liquidation follows: the sources' own status (a freeze brakes new risk only).
        exit_names = {
            sym: STATUS_NAMES[int(_exit_status(snap.prices[self.addresses[sym]]))] for sym in self.symbols
        }
        logs = self.driver.request(
            "eth_getLogs",
            [
                {
                    "address": [str(system.liquidator.address)],
                    "fromBlock": hex(first),
                    "toBlock": hex(end),
                    "topics": [[LIQUIDATED, ABSORBED]],
                }
            ],
        )
        closed_before = dict(record.product_closed)
        products = self.product_liquidations(b, first, end)
        out = _BlockEvents()
        by_market = {name: [0, 0.0, 0.0] for name in self.system.markets}  # liquidations, notional, bad debt
        by_product = {name: [0, 0.0, 0.0] for name in (PERPS, *(n for n, _ in self.products))}
        for log in logs:
            topics = [_hex(t) for t in log["topics"]]
            account = to_checksum_address("0x" + topics[1][-40:])
            data = _data(log)
            if topics[0] == LIQUIDATED:
                _, closed, _, reward = decode(["uint256"] * 4, data)
                out.liquidations += 1
                out.notional += closed / WAD
                out.rewards += reward / 10**settle_dec
                before = self.books_before.get(account)
                held = (
                    frozenset(self.symbol_of.get(a, a) for a in before.assets(self.params))
                    if before
                    else frozenset()
                )
                closed_products = products.get((_hex(log["transactionHash"]), account), frozenset())
                after = snap.accounts.get(account)
                closed_perps = before is not None and any(
                    abs(after_size(after, m)) < abs(p.size) for m, p in before.positions.items()
                )
                self.attribute_liquidation(snap, before, after, closed_products, by_market, by_product)
                record.liquidations.append(
                    Liquidation(
                        b,
                        account,
                        closed / WAD,
                        reward / 10**settle_dec,
                        exit_names,
                        ratios,
                        held,
                        closed_products,
                        closed_perps,
                    )
                )
            else:
                debt, collateral_value, deficit, covered = decode(["uint256"] * 4, data)
                if collateral_value > debt:
                    settle_low = snap.prices[self.addresses[system.settlement]].low
                    record.absorbed_surplus += (collateral_value - debt) * settle_low // 10**settle_dec
                out.deficits += deficit / 10**settle_dec
                last = self.last_held.get(account, self.books_before.get(account))
                self.attribute_deficit(snap, last, deficit / 10**settle_dec, by_market, by_product)
                record.absorptions.append(
                    Absorption(
                        b, account, deficit / 10**settle_dec, covered / 10**settle_dec, self.insurance_prev
                    )
                )
        self.check_cover(b, first, end)
        self.pool_events(b, first, end)
        record.pool_states.append(self.pool_state(end, snap.prices))
        self.books_before = dict(snap.accounts)
        self.last_held |= {
            a: books for a, books in snap.accounts.items() if books.positions or books.products
        }
        for index, (name, _) in enumerate(self.products):
            by_product[name][1] = record.product_closed.get(index, 0.0) - closed_before.get(index, 0.0)
        by_product[PERPS][1] = sum(v[1] for v in by_market.values())
        out.markets = {name: (int(v[0]), v[1], v[2]) for name, v in by_market.items()}
        out.products = {name: ProductBlock(int(v[0]), v[1], v[2]) for name, v in by_product.items()}
        return out

    def attribute_liquidation(
        self,
        snap: Snapshot,
        before: AccountState | None,
        after: AccountState | None,
        closed_products: frozenset[int],
        by_market: dict[str, list[Any]],
        by_product: dict[str, list[Any]],
    ) -> None:
        """One liquidation into the block's per-market and per-product figures: each market where it reduced the
        account's size (the size closed at the median), each product it closed positions in."""
        perps = False
        for name, index in self.system.markets.items():
            size, left = after_size(before, index), after_size(after, index)
            if abs(left) < abs(size):
                perps = True
                by_market[name][0] += 1
                by_market[name][1] += (abs(size) - abs(left)) / WAD * self.market_price(snap, name)
        by_product[PERPS][0] += int(perps)
        for index in closed_products:
            if index < len(self.products):
                by_product[self.products[index][0]][0] += 1

    def attribute_deficit(
        self,
        snap: Snapshot,
        before: AccountState | None,
        deficit: float,
        by_market: dict[str, list[Any]],
        by_product: dict[str, list[Any]],
    ) -> None:
        """An absorbed account's deficit, by `before`, its books the last block it held positions: split over the
        markets by its perp notional there (at today's median), and counted whole for each product it held."""
        if before is None:
            return
        notional = {
            name: abs(after_size(before, index)) / WAD * self.market_price(snap, name)
            for name, index in self.system.markets.items()
        }
        total = sum(notional.values())
        for name, value in notional.items():
            by_market[name][2] += deficit * value / total if total else 0.0
        if before.positions:
            by_product[PERPS][2] += deficit
        for index in before.products:
            if index < len(self.products):
                by_product[self.products[index][0]][2] += deficit

    def product_liquidations(self, b: int, first: int, last: int) -> dict[tuple[str, str], frozenset[int]]:
        """The margin products each liquidation of blocks `first`..`last` closed (`ProductLiquidated`), by
        (transaction, account), with the options book's closed notional added to the record; and the settled option
        positions realized in those blocks (`PositionSettled`)."""
        system, record = self.system, self.record
        if not self.products:
            return {}
        addresses = [str(system.engine.address)]
        if system.options is not None:
            addresses.append(str(system.options.address))
        logs = self.driver.request(
            "eth_getLogs",
            [
                {
                    "address": addresses,
                    "fromBlock": hex(first),
                    "toBlock": hex(last),
                    "topics": [[PRODUCT_LIQUIDATED, POSITION_SETTLED]],
                }
            ],
        )
        out: dict[tuple[str, str], set[int]] = {}
        for log in logs:
            topics = [_hex(t) for t in log["topics"]]
            if topics[0] == PRODUCT_LIQUIDATED:
                account = to_checksum_address("0x" + topics[1][-40:])
                product = int(topics[2], 16)
                closed_usd, _, _ = decode(["uint256", "int256", "bool"], _data(log))
                out.setdefault((_hex(log["transactionHash"]), account), set()).add(product)
                record.product_closed[product] = record.product_closed.get(product, 0.0) + closed_usd / WAD
            else:
                series_id = int(topics[1], 16)
                account = to_checksum_address("0x" + topics[2][-40:])
                size, payoff = decode(["int256", "int256"], _data(log))
                record.payouts.append((b, series_id, account, size / WAD, payoff / WAD))
        return {k: frozenset(v) for k, v in out.items()}

    # ---------------------------------------------------------------- 6. the row

    def record_row(
        self, b: int, row: BlockMetrics, events: _BlockEvents, keeper_gas: int, statuses: dict[str, Any]
    ) -> None:
        """The block's metrics row with its events and the keeper's gas; a status change is an event of the run."""
        row = replace(
            row,
            liquidations=events.liquidations,
            liquidated_notional=events.notional,
            keeper_rewards=events.rewards,
            keeper_gas=keeper_gas,
            deficits=events.deficits,
            lp_loss=sum(v for block, v in self.record.socialized if block == b) / WAD,
            keeper_gas_budget=self.settings.keeper_gas if b >= self.settings.keeper_delay else 0,
            markets={
                name: replace(m, liquidations=n, liquidated_notional=usd, bad_debt=debt)
                for name, m in row.markets.items()
                for n, usd, debt in [events.markets.get(name, (0, 0.0, 0.0))]
            },
            products=events.products,
        )
        self.insurance_prev = row.insurance_balance
        self.result.blocks.append(row)
        self.record.metrics.append(row)
        blocks = self.result.blocks
        for sym in self.symbols:
            name = STATUS_NAMES[int(statuses[sym])]
            if b and name != blocks[-2].assets[sym].status:
                self.result.events.append((b, f"{sym} status {blocks[-2].assets[sym].status} -> {name}"))

    # ---------------------------------------------------------------- reads

    def pool_state(self, block: int, prices: dict[str, Any]) -> PoolState:
        """The parts of the Pool's lower NAV at `block`; `prices`: the stored prices by token address."""
        system = self.system
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

    def pool_events(self, b: int, first: int, last: int) -> None:
        """Traders' realized PnL (`PositionModified`) and the deficits socialized (`DeficitSocialized`) in blocks
        `first`..`last`."""
        system, record = self.system, self.record
        logs = self.driver.request(
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

    def check_cover(self, b: int, first: int, last: int) -> None:
        """Replay the InsuranceFund's books through every transaction of the block that left a deficit uncovered:
        the fund must have paid all it held (LPs lose only once the fund is empty)."""
        system, driver, record = self.system, self.driver, self.record
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

    def simulate(self, sender: str, calls: list[Call], block: int) -> list[tuple[bool, str]]:
        """`eth_call` each of `calls` from `sender` at `block` (one batch): (accepted, decoded error)."""
        driver = self.driver
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

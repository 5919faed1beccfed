"""Backtest of the risk keeper: each crash replay run twice on one deployment, from the same snapshot, with the same
seeded population and paths: **static** (the config's risk parameters all the way) and **dynamic** (the risk keeper,
`ballast.keepers.risk`, stepping inside the scenario's block loop every `every` blocks, through the risk manager's
real transactions, on the oracle's events seen so far in the run; with `lead_in`, it first steps once on the data
of the day before the replay's window, as it would have before the crash).

Each run gives a `BacktestRow`: liquidations, bad debt (every deficit), what the InsuranceFund covered, LP loss
(deficits socialized to LPs), accounts left liquidatable, and the **average allowed leverage**
(`ballast.riskdata.leverage.average_allowed_leverage` of the population at its seeding prices, with `Terms` built from
the parameters read back from the engine at the end of each block, averaged over the blocks: the blocks are equally
long, so this is the time average), with the keeper's steps, tightenings, tightenings the engine's spacing held and
failed transactions.

The replays: the catalog's crash replays (`black-thursday`, `eth_2021-05-19`, `eth_2022-11-09`, `luna_2022-05-10`)
and `eth_2024-08-05`, the ETH and BTC crash of 2024-08-05 from the shared crash data set (`../shared/data/crashes`),
which the repository's `data/crashes` does not mirror.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from ape.managers.chain import ChainManager
from ape.managers.project import ProjectManager
from eth_utils import to_checksum_address
from rich.console import Console

from ballast.errors import RiskDataError, SeriesError
from ballast.risk import RiskParams
from ballast.riskdata.history import load_csv
from ballast.riskdata.leverage import CollateralTerms, MarketTerms, Terms, average_allowed_leverage
from ballast.scenarios.catalog import SCENARIOS, Window, replay_note, replay_windows, replays, settings_for
from ballast.scenarios.experiments import run_from_snapshot, runs_progress
from ballast.scenarios.model import ScenarioResult
from ballast.scenarios.paths import window_bound
from ballast.scenarios.population import System, deploy_scenario_system
from ballast.scenarios.properties import REPLAY_CASCADE
from ballast.scenarios.record import LeadIn, RiskKeeperRun, RunRecord, ScenarioSpec

#: The shared crash data set, beside the repository (its README gives the provenance of every series).
SHARED_CRASHES = Path("../shared/data/crashes")
#: The history before a replay's window the dynamic run's first step reads: a day, the engine's spacing.
LEAD_IN_SECONDS = 86_400
CATALOG_REPLAYS = ("black-thursday", "eth_2021-05-19", "eth_2022-11-09", "luna_2022-05-10")
ETH_2024_08_05: Window = ("eth_2024-08-05", "2024-08-05T00:00:00+00:00", "2024-08-06T00:00:00+00:00")
BTC_2024_08_05: Window = ("btc_2024-08-05", "2024-08-05T00:00:00+00:00", "2024-08-06T00:00:00+00:00")
SHARED_REPLAYS = ("eth_2024-08-05",)
DEFAULT_REPLAYS = CATALOG_REPLAYS + SHARED_REPLAYS
MODES = ("static", "dynamic")


def shared_specs(root: Path = SHARED_CRASHES) -> dict[str, ScenarioSpec]:
    """The replays of crash windows only the shared data set at `root` holds."""
    windows = {"WETH": ETH_2024_08_05, "WBTC": BTC_2024_08_05}
    spec = ScenarioSpec(
        "eth_2024-08-05",
        "ETH and BTC on 2024-08-05 (ETH 2,689 to a low of 2,111, -21.5 %; BTC 58,161 to 49,000, -15.8 %) replayed "
        "together on WETH and WBTC with each block's lowest low, mixed traders.",
        replays(windows, root=root),
        REPLAY_CASCADE,
        shock_block=0,
        path_note=replay_note(windows, root=root),
        replay_windows=replay_windows(windows, root=root),
    )
    return {spec.name: spec}


def backtest_specs(names: Sequence[str], root: Path = SHARED_CRASHES) -> list[ScenarioSpec]:
    """The replays called `names` (the catalog's, or the shared set's); `RiskDataError` for one that is not a replay
    and `SeriesError` for a missing file."""
    shared = shared_specs(root)
    specs = []
    for name in names:
        spec = SCENARIOS.get(name) or shared.get(name)
        if spec is None or not spec.replay_windows:
            known = ", ".join(DEFAULT_REPLAYS)
            raise RiskDataError(f"--scenarios: {name!r} is not a crash replay (known: {known})")
        for _, path, _, _ in spec.replay_windows:
            if not Path(path).exists():
                raise SeriesError(
                    f"{path}: no such price series (replayed by {name}: give --data, or leave it out of --scenarios)"
                )
        specs.append(spec)
    return specs


def _iso(stamp: float) -> str:
    return datetime.fromtimestamp(stamp, UTC).isoformat()


def lead_ins(spec: ScenarioSpec, seconds: int = LEAD_IN_SECONDS) -> tuple[LeadIn, ...]:
    """Each replayed asset's history over the `seconds` before its window (what its file holds of them; none when
    it holds fewer than three prices there)."""
    out = []
    for symbol, path, start, _ in spec.replay_windows:
        opens = window_bound(start, Path(path), "start")
        assert opens is not None
        lead = LeadIn(symbol, path, _iso(opens - seconds), _iso(opens))
        try:
            history = load_csv(Path(path), symbol, lead.start, lead.end)
        except SeriesError:
            continue
        if len(history) >= 3:
            out.append(lead)
    return tuple(out)


@dataclass(frozen=True)
class BacktestSettings:
    """The backtest's knobs: replays, population, and the dynamic run's keeper."""

    scenarios: tuple[str, ...] = DEFAULT_REPLAYS
    accounts: int = 100
    seed: int = 1
    leverage: str = "use"
    blocks: int | None = None  # default: each scenario's own
    every: int = 5  # blocks between two risk keeper steps
    lead_in: bool = True
    lead_in_seconds: int = LEAD_IN_SECONDS
    step_fraction: float = 0.03
    dead_band_bps: int = 5
    horizon: int = 3_600
    data: Path = SHARED_CRASHES

    def keeper(self, spec: ScenarioSpec) -> RiskKeeperRun:
        lead = lead_ins(spec, self.lead_in_seconds) if self.lead_in else ()
        return RiskKeeperRun(self.every, lead, self.step_fraction, self.dead_band_bps, self.horizon)


@dataclass(frozen=True)
class BacktestRow:
    """One run's outcome (money in USD)."""

    scenario: str
    mode: str  # static or dynamic
    accounts: int
    blocks: int
    liquidations: int
    bad_debt: float
    insurance_covered: float
    lp_loss: float
    liquidatable_at_end: int
    avg_allowed_leverage: float
    end_allowed_leverage: float
    risk_steps: int
    tightenings: int
    tightenings_held: int
    risk_failures: int
    keeper_errors: int
    wall_seconds: float
    passed: bool


@dataclass(frozen=True)
class BacktestRun:
    """A run's row with what it came from."""

    row: BacktestRow
    result: ScenarioResult
    record: RunRecord


def terms_of(params: RiskParams, system: System) -> Terms:
    """The leverage's `Terms` of parameters read from the engine (by token address and market id) in symbols."""
    symbol = {to_checksum_address(str(t.address)): s for s, t in system.tokens.items()}
    name = {i: n for n, i in system.markets.items()}
    return Terms(
        settlement=system.settlement,
        collateral={
            symbol[to_checksum_address(a)]: CollateralTerms(c.initial_haircut_bps, c.stress_shock_bps)
            for a, c in params.collateral.items()
        },
        markets={
            name[m]: MarketTerms(
                symbol[to_checksum_address(p.asset)], p.initial_margin_bps, p.stress_shock_bps
            )
            for m, p in params.markets.items()
        },
    )


def leverage_by_block(record: RunRecord, system: System) -> list[float]:
    """The population's average allowed leverage under the parameters in force at the end of each block."""
    return [average_allowed_leverage(record.population, terms_of(p, system)) for p in record.governed]


def row_of(
    spec: ScenarioSpec, mode: str, result: ScenarioResult, record: RunRecord, system: System
) -> BacktestRow:
    o = result.outcome
    assert o is not None
    path = leverage_by_block(record, system)
    return BacktestRow(
        scenario=spec.name,
        mode=mode,
        accounts=record.settings.accounts,
        blocks=o.blocks,
        liquidations=o.liquidations,
        bad_debt=o.deficits,
        insurance_covered=o.insurance_used,
        lp_loss=o.lp_loss,
        liquidatable_at_end=o.liquidatable_at_end,
        avg_allowed_leverage=sum(path) / len(path) if path else 0.0,
        end_allowed_leverage=path[-1] if path else 0.0,
        risk_steps=len(record.risk_steps),
        tightenings=sum(s.tightens for s in record.risk_steps),
        tightenings_held=len(record.risk_held),
        risk_failures=len(record.risk_failures),
        keeper_errors=o.keeper_errors,
        wall_seconds=o.wall_seconds,
        passed=result.passed,
    )


def run_backtest(
    project: ProjectManager,
    chain: ChainManager,
    accounts: Any,
    settings: BacktestSettings,
    console: Console,
    on_run: Callable[[list[BacktestRun]], None] | None = None,
    system: System | None = None,
) -> list[BacktestRun]:
    """Every replay of `settings` static then dynamic, on one deployment (`system`, else a fresh one), each run from
    a snapshot of it; `on_run(runs)` after every run (to keep partial results)."""
    specs = backtest_specs(settings.scenarios, settings.data)
    system = system or deploy_scenario_system(project, chain, accounts)
    runs: list[BacktestRun] = []
    progress = runs_progress("backtest", console)
    with progress:
        task = progress.add_task("backtest", total=2 * len(specs), note="")
        for spec in specs:
            base = settings_for(
                spec,
                accounts=settings.accounts,
                seed=settings.seed,
                blocks=settings.blocks,
                leverage=settings.leverage,
            )
            for mode in MODES:
                progress.update(task, note=f"{spec.name}, {mode}")
                run = base if mode == "static" else replace(base, risk_keeper=settings.keeper(spec))
                started = time.perf_counter()
                result, record = run_from_snapshot(
                    project, chain, accounts, spec, run, Console(quiet=True), system
                )
                row = row_of(spec, mode, result, record, system)
                runs.append(
                    BacktestRun(replace(row, wall_seconds=time.perf_counter() - started), result, record)
                )
                if on_run is not None:
                    on_run(runs)
                progress.update(task, advance=1)
    return runs

"""Runs beyond one scenario: the keeper-capacity sweep over the Black Thursday replay, the scale benchmark (1,000
accounts through a -40 % shock with enough keeper gas), and catalog runs with the InsuranceFund sizing they give.

`run_catalog` runs a subset of the catalog over trader counts, keeper budgets, leverage modes and seeds, on one
deployment (each run from a snapshot of it), and keeps one `CatalogRow` per run: liquidations, accounts left
liquidatable, bad debt, what the InsuranceFund covered, the LP loss (deficits socialized), liquidations at a Stale or
Frozen price, wall time. `insurance_target` turns the rows into the balance the InsuranceFund should hold: the 99th
percentile (numpy's linear interpolation between the closest ranks) and the maximum of the bad debt per run, the
amount that would have left LPs whole in 99 % of the runs (in every run).
"""

from __future__ import annotations

import csv
import time
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, fields
from itertools import pairwise, product
from pathlib import Path
from typing import Any

import numpy as np
from ape.managers.chain import ChainManager
from ape.managers.project import ProjectManager
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from ballast.scenarios.catalog import SCENARIOS, settings_for
from ballast.scenarios.model import ScenarioResult
from ballast.scenarios.paths import Paths, flat
from ballast.scenarios.population import System, deploy_scenario_system
from ballast.scenarios.properties import CASCADE
from ballast.scenarios.record import RunRecord, RunSettings, ScenarioSpec
from ballast.scenarios.runner import run_scenario

#: (keeper gas per block, keeper start delay in blocks), most capacity first.
SWEEP_SETTINGS: tuple[tuple[int, int], ...] = (
    (30_000_000, 0),
    (5_000_000, 0),
    (1_500_000, 0),
    (1_500_000, 6),
    (700_000, 6),
    (700_000, 14),
)


@dataclass(frozen=True)
class SweepRow:
    keeper_gas: int
    keeper_delay: int
    liquidations: int
    bad_debt: float  # USD
    lp_loss: float
    worst_health: float
    passed: bool


def run_from_snapshot(
    project: ProjectManager,
    chain: ChainManager,
    accounts: Any,
    spec: ScenarioSpec,
    settings: RunSettings,
    console: Console,
    system: System,
) -> tuple[ScenarioResult, RunRecord]:
    """One run of `spec` on `system` without a progress bar; the chain is reverted to where it was afterwards.
    anvil's own snapshot calls: ape's node provider (the private anvil) does not offer chain.snapshot()."""
    snapshot = chain.provider.make_request("evm_snapshot", [])
    try:
        return run_scenario(project, chain, accounts, spec, settings, console, progress=False, system=system)
    finally:
        chain.provider.make_request("evm_revert", [snapshot])


def runs_progress(label: str, console: Console) -> Progress:
    """The progress bar of a series of runs: `label`, the bar, runs done of all, a note (the run), the time."""
    return Progress(
        TextColumn(f"[bold]{label}"),
        BarColumn(),
        MofNCompleteColumn(),
        TextColumn("{task.fields[note]}"),
        TimeElapsedColumn(),
        console=console,
    )


def run_sweep(
    project: ProjectManager,
    chain: ChainManager,
    accounts: Any,
    n: int,
    seed: int,
    blocks: int | None,
    console: Console,
    settings: tuple[tuple[int, int], ...] = SWEEP_SETTINGS,
) -> list[SweepRow]:
    """The Black Thursday replay once per capacity setting, on one deployment (each run from a snapshot of it)."""
    spec = SCENARIOS["black-thursday"]
    system = deploy_scenario_system(project, chain, accounts)
    rows = []
    for gas, delay in settings:
        run = settings_for(spec, accounts=n, seed=seed, blocks=blocks, keeper_gas=gas, keeper_delay=delay)
        result, _ = run_from_snapshot(project, chain, accounts, spec, run, console, system)
        o = result.outcome
        assert o is not None
        rows.append(
            SweepRow(gas, delay, o.liquidations, o.deficits, o.lp_loss, o.worst_health, result.passed)
        )
    return rows


def sweep_monotone(rows: list[SweepRow], tolerance: float = 0.01) -> bool:
    """Bad debt never shrinks as capacity falls (rows ordered from most to least capacity)."""
    return all(b.bad_debt >= a.bad_debt - tolerance for a, b in pairwise(rows))


def print_sweep(rows: list[SweepRow], console: Console) -> None:
    table = Table(title="keeper capacity sweep: Black Thursday replay")
    for col in (
        "keeper gas / block",
        "start delay",
        "liquidations",
        "bad debt (USD)",
        "LP loss (USD)",
        "worst health",
        "properties",
    ):
        table.add_column(col, justify="right")
    for r in rows:
        table.add_row(
            f"{r.keeper_gas:,}",
            str(r.keeper_delay),
            str(r.liquidations),
            f"{r.bad_debt:,.2f}",
            f"{r.lp_loss:,.2f}",
            f"{r.worst_health:.3f}",
            "PASS" if r.passed else "FAIL",
        )
    console.print(table)
    verdict = "holds" if sweep_monotone(rows) else "DOES NOT hold"
    console.print(f"bad debt does not shrink as keeper capacity falls: {verdict}")


def _shock(rng: np.random.Generator, prices: dict[str, float], s: RunSettings) -> Paths:
    out = flat(prices, s.blocks)
    for sym in ("WETH", "WBTC", "LTT"):
        out[sym][2:] = prices[sym] * 0.6
    return out


SCALE_SPEC = ScenarioSpec(
    "scale-shock",
    "Every volatile asset (WETH, WBTC, LTT) -40 % in one block at block 2, enough keeper gas.",
    _shock,
    CASCADE,
    path_note="-40 % step at block 2",
)


def scale_settings(n: int, seed: int, blocks: int) -> RunSettings:
    """The scale benchmark's settings: `n` traders, enough keeper gas (200M per block) in batches of 50."""
    return RunSettings(accounts=n, seed=seed, blocks=blocks, keeper_gas=200_000_000, batch_size=50)


def run_scale(
    project: ProjectManager,
    chain: ChainManager,
    accounts: Any,
    n: int,
    seed: int,
    blocks: int,
    console: Console,
) -> tuple[Any, float]:
    started = time.perf_counter()
    result, _ = run_scenario(project, chain, accounts, SCALE_SPEC, scale_settings(n, seed, blocks), console)
    return result, time.perf_counter() - started


# ---------------------------------------------------------------------------------------------------- catalog runs


@dataclass(frozen=True)
class CatalogRow:
    """The outcome of one catalog run (money in USD)."""

    scenario: str
    accounts: int
    keeper_gas: int
    keeper_delay: int
    leverage: str
    seed: int
    liquidations: int
    liquidatable_at_end: int
    # USD of negative maintenance equity left at the end: loss not yet realized as bad debt
    open_deficit_at_end: float
    bad_debt: float  # every deficit of the run (what the InsuranceFund would need to cover)
    insurance_covered: float
    lp_loss: float  # deficits socialized to LPs beyond the fund
    stale_liquidations: int
    keeper_errors: int  # keeper steps that raised
    wall_seconds: float
    passed: bool


@dataclass(frozen=True)
class InsuranceTarget:
    runs: int
    p99: float  # USD: 99th percentile of the bad debt per run
    maximum: float  # USD
    mean: float  # USD
    runs_with_bad_debt: int


def run_catalog(
    project: ProjectManager,
    chain: ChainManager,
    accounts: Any,
    scenarios: Sequence[str],
    trader_counts: Sequence[int],
    keeper_gases: Sequence[int | None],
    leverages: Sequence[str],
    seeds: Sequence[int],
    blocks: int | None,
    console: Console,
    on_row: Callable[[list[CatalogRow]], None] | None = None,
) -> list[CatalogRow]:
    """Every combination of `scenarios` x `trader_counts` x `keeper_gases` (None: the scenario's own budget) x
    `leverages` x `seeds`, on one deployment, each run from a snapshot of it; a progress bar over the runs.
    `on_row(rows)` is called after every run with the rows so far (to keep partial results)."""
    unknown = [name for name in scenarios if name not in SCENARIOS]
    if unknown:
        raise ValueError(f"unknown scenario {', '.join(unknown)} (see `ape run scenario list`)")
    system = deploy_scenario_system(project, chain, accounts)
    plan = list(product(scenarios, trader_counts, keeper_gases, leverages, seeds))
    rows: list[CatalogRow] = []
    progress = runs_progress("catalog", console)
    with progress:
        task = progress.add_task("catalog", total=len(plan), note="")
        for name, n, gas, leverage, seed in plan:
            spec = SCENARIOS[name]
            progress.update(
                task, note=f"{name}, {n} traders, keeper gas {gas or 'default'}, leverage {leverage}"
            )
            settings = settings_for(
                spec, accounts=n, seed=seed, blocks=blocks, keeper_gas=gas, leverage=leverage
            )
            result, _ = run_from_snapshot(
                project, chain, accounts, spec, settings, Console(quiet=True), system
            )
            o = result.outcome
            assert o is not None
            rows.append(
                CatalogRow(
                    scenario=name,
                    accounts=n,
                    keeper_gas=settings.keeper_gas,
                    keeper_delay=settings.keeper_delay,
                    leverage=leverage,
                    seed=seed,
                    liquidations=o.liquidations,
                    liquidatable_at_end=o.liquidatable_at_end,
                    open_deficit_at_end=o.open_deficit_at_end,
                    bad_debt=o.deficits,
                    insurance_covered=o.insurance_used,
                    lp_loss=o.lp_loss,
                    stale_liquidations=o.stale_liquidations,
                    keeper_errors=o.keeper_errors,
                    wall_seconds=o.wall_seconds,
                    passed=result.passed,
                )
            )
            if on_row is not None:
                on_row(rows)
            progress.update(task, advance=1)
    return rows


def insurance_target(rows: Sequence[CatalogRow]) -> InsuranceTarget:
    """The 99th percentile and the maximum of the bad debt per run (see the module docstring)."""
    if not rows:
        raise ValueError("no runs to size the InsuranceFund from")
    debts = np.array([r.bad_debt for r in rows])
    return InsuranceTarget(
        runs=len(rows),
        p99=float(np.percentile(debts, 99)),
        maximum=float(debts.max()),
        mean=float(debts.mean()),
        runs_with_bad_debt=int((debts > 0).sum()),
    )


def write_catalog_csv(rows: Sequence[CatalogRow], path: Path) -> Path:
    """One line per run, the `CatalogRow` fields as columns."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, [f.name for f in fields(CatalogRow)], lineterminator="\n")
        writer.writeheader()
        writer.writerows(asdict(r) for r in rows)
    return path


def print_catalog(rows: Sequence[CatalogRow], console: Console, title: str = "catalog runs") -> None:
    table = Table(title=title)
    for col in (
        "scenario",
        "traders",
        "keeper gas / block",
        "leverage",
        "seed",
        "liquidations",
        "liquidatable at end",
        "open deficit at end (USD)",
        "bad debt (USD)",
        "covered by the fund (USD)",
        "LP loss (USD)",
        "liquidations at Stale/Frozen",
        "keeper errors",
        "wall (s)",
        "properties",
    ):
        table.add_column(col, justify="left" if col in ("scenario", "leverage", "properties") else "right")
    for r in rows:
        table.add_row(
            r.scenario,
            f"{r.accounts:,}",
            f"{r.keeper_gas:,}" + (f" (delay {r.keeper_delay})" if r.keeper_delay else ""),
            r.leverage,
            str(r.seed),
            f"{r.liquidations:,}",
            f"{r.liquidatable_at_end:,}",
            f"{r.open_deficit_at_end:,.2f}",
            f"{r.bad_debt:,.2f}",
            f"{r.insurance_covered:,.2f}",
            f"{r.lp_loss:,.2f}",
            f"{r.stale_liquidations:,}",
            f"{r.keeper_errors:,}",
            f"{r.wall_seconds:,.1f}",
            "PASS" if r.passed else "FAIL",
        )
    console.print(table)


def print_target(target: InsuranceTarget, console: Console) -> None:
    table = Table(title="InsuranceFund target: bad debt per run")
    table.add_column("runs", justify="right")
    table.add_column("runs with bad debt", justify="right")
    table.add_column("mean (USD)", justify="right")
    table.add_column("99th percentile (USD)", justify="right")
    table.add_column("max (USD)", justify="right")
    table.add_row(
        f"{target.runs:,}",
        f"{target.runs_with_bad_debt:,}",
        f"{target.mean:,.2f}",
        f"{target.p99:,.2f}",
        f"{target.maximum:,.2f}",
    )
    console.print(table)
    console.print(
        f"the InsuranceFund should hold ${target.p99:,.2f} to cover the bad debt of 99 % of these runs "
        f"(${target.maximum:,.2f} for all of them)"
    )

"""Runs beyond one scenario: the keeper-capacity sweep over the Black Thursday replay and the scale benchmark
(1,000 accounts through a -40 % shock with enough keeper gas)."""

from __future__ import annotations

import time
from dataclasses import dataclass
from itertools import pairwise
from typing import Any

import numpy as np
from rich.console import Console
from rich.table import Table

from ballast.scenarios.catalog import CASCADE, SCENARIOS, settings_for
from ballast.scenarios.paths import Paths, flat
from ballast.scenarios.population import deploy_scenario_system
from ballast.scenarios.runner import RunSettings, ScenarioSpec, run_scenario

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


def run_sweep(
    project: Any,
    chain: Any,
    accounts: Any,
    n: int,
    seed: int,
    blocks: int,
    console: Console,
    settings: tuple[tuple[int, int], ...] = SWEEP_SETTINGS,
) -> list[SweepRow]:
    """The Black Thursday replay once per capacity setting, on one deployment (each run from a snapshot of it)."""
    spec = SCENARIOS["black-thursday"]
    system = deploy_scenario_system(project, chain, accounts)
    rows = []
    for gas, delay in settings:
        snapshot = chain.snapshot()
        try:
            result, _ = run_scenario(
                project,
                chain,
                accounts,
                spec,
                settings_for(spec, accounts=n, seed=seed, blocks=blocks, keeper_gas=gas, keeper_delay=delay),
                console,
                progress=False,
                system=system,
            )
        finally:
            chain.restore(snapshot)
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
    project: Any, chain: Any, accounts: Any, n: int, seed: int, blocks: int, console: Console
) -> tuple[Any, float]:
    started = time.perf_counter()
    result, _ = run_scenario(project, chain, accounts, SCALE_SPEC, scale_settings(n, seed, blocks), console)
    return result, time.perf_counter() - started

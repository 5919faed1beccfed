"""`ape run calibrate`: the Monte Carlo calibration of the risk parameters; see ballast/calibration and
docs/calibration.md.

ape run calibrate monte-carlo --grid small                       # CI's grid on 2 local workers
ape run calibrate monte-carlo --grid full --workers 2            # the documented calibration
ape run calibrate monte-carlo --paths replays,gbm --seeds 1,2 --candidates current,proposed,c0.8-m1
ape run calibrate monte-carlo --grid full --scheduler tcp://10.0.0.5:8786   # on a Dask cluster
"""

import sys
from pathlib import Path

import click
from rich.console import Console

from ballast.calibration.plan import GRIDS, grid_with
from ballast.calibration.summary import DEFAULT_MIN_BUFFER_BPS
from ballast.calibration.tasks import DEFAULT_TIMEOUT
from ballast.cli import user_errors
from ballast.scenarios.population import DEFAULT_CONFIG, LEVERAGE_MODES


@click.group(short_help="Monte Carlo calibration of the risk parameters")
def cli() -> None:
    """Run the scenario simulator over many paths, seeds and parameter sets on a Dask cluster."""


@cli.command(name="monte-carlo", short_help="Bad-debt tails and leverage per parameter set; a recommendation")
@click.option("--grid", "grid_name", type=click.Choice(sorted(GRIDS)), default="small", show_default=True)
@click.option("--paths", help="comma-separated: gbm, replays, or scenario names (default: the grid's)")
@click.option("--seeds", help="comma-separated seeds (default: the grid's)")
@click.option("--candidates", help="comma-separated: current, proposed, c<x>-m<y> (default: the grid's)")
@click.option("--accounts", type=click.IntRange(1, 5_000), help="traders per run (default: the grid's)")
@click.option("--blocks", type=click.IntRange(5, 2_000), help="blocks per run (default: each path's own)")
@click.option("--leverage", type=click.Choice(LEVERAGE_MODES), help="traders' sizing (default: max)")
@click.option(
    "--workers", type=click.IntRange(1, 256), default=2, show_default=True, help="local worker processes"
)
@click.option(
    "--scheduler", help="a Dask scheduler to run on, e.g. tcp://10.0.0.5:8786 (instead of local workers)"
)
@click.option(
    "--loss-target",
    type=click.FloatRange(min=0),
    help="USD: the most bad debt per run a set may show at its 99th percentile (default: the InsuranceFund seed)",
)
@click.option(
    "--min-buffer-bps",
    type=click.IntRange(min=0),
    default=DEFAULT_MIN_BUFFER_BPS,
    show_default=True,
    help="the least initial - maintenance gap (over markets and collateral) a recommended set may have",
)
@click.option(
    "--timeout",
    type=click.FloatRange(min=10),
    default=DEFAULT_TIMEOUT,
    show_default=True,
    help="seconds a task may run before its node is stopped",
)
@click.option(
    "--config",
    "base_config",
    type=click.Path(dir_okay=False, path_type=Path),
    default=DEFAULT_CONFIG,
    show_default=True,
    help="the base deployment config the parameter sets vary",
)
@click.option(
    "--out",
    type=click.Path(file_okay=False, path_type=Path),
    default=Path("reports/calibration"),
    show_default=True,
)
def monte_carlo(
    grid_name: str,
    paths: str | None,
    seeds: str | None,
    candidates: str | None,
    accounts: int | None,
    blocks: int | None,
    leverage: str | None,
    workers: int,
    scheduler: str | None,
    loss_target: float | None,
    min_buffer_bps: int,
    timeout: float,
    base_config: Path,
    out: Path,
) -> None:
    """Every parameter set x path x seed, each run on its own anvil in a Dask worker; per set the 95th and 99th
    percentiles of bad debt and LP loss, liquidations and the average allowed leverage; the set meeting the loss
    target, with a liquidation buffer of at least --min-buffer-bps, with the most leverage; the frontier plot. Exits 1 when a run failed."""
    from ballast.calibration.command import monte_carlo as run

    with user_errors():
        grid = grid_with(GRIDS[grid_name], candidates, paths, seeds, accounts, blocks, leverage)
        outcome = run(
            grid,
            base_config,
            out,
            workers,
            scheduler,
            loss_target,
            timeout,
            Console(),
            min_buffer_bps=min_buffer_bps,
        )
    sys.exit(1 if outcome.errors else 0)

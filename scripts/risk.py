"""`ape run risk`: risk parameters from data (off chain); see docs/risk-data.md.

ape run risk propose --csv WETH=data/crashes/eth_2022-11-09.csv [--csv WBTC=...] [--horizon 1h] [--depth WETH=5000]
    [--lambda 0.94] [--safety 1.25] [--buffer-k 2] [--stress-k 3] [--json proposals.json]
ape run risk backtest [--scenarios all] [--accounts 100] [--every 5] [--no-lead-in] [--out reports/backtest]
"""

import time
from pathlib import Path

import click
from ape.cli import ape_cli_context
from rich.console import Console

from ballast.cli import user_errors
from ballast.riskdata.proposals import Settings
from ballast.riskdata.report import parse_duration, print_proposals, propose_from_csv, write_json


@click.group(short_help="Risk parameters from price data (off chain)")
def cli() -> None:
    """Estimate volatility and worst moves from a price history and propose haircuts, margins, shocks and caps."""


@cli.command(name="propose", short_help="Propose an asset's risk parameters from a price CSV")
@click.option("--csv", "csv_specs", multiple=True, metavar="SYMBOL=PATH", help="A price history (repeatable)")
@click.option("--horizon", default="1h", show_default=True, help="The liquidation horizon (30m, 1h, 1d...)")
@click.option(
    "--depth", "depth_specs", multiple=True, metavar="SYMBOL=TOKENS",
    help="Tokens sellable within the liquidation penalty's price impact: proposes a supply cap of twice that",
)  # fmt: skip
@click.option("--lambda", "lam", type=float, default=0.94, show_default=True, help="EWMA decay (RiskMetrics)")
@click.option("--safety", type=float, default=1.25, show_default=True, help="Factor on the worst move")
@click.option("--buffer-k", type=float, default=2.0, show_default=True, help="Initial buffer, in sigma_h")
@click.option("--stress-k", type=float, default=3.0, show_default=True, help="Stress floor, in sigma_h")
@click.option(
    "--json", "json_path", type=click.Path(dir_okay=False, path_type=Path), help="Write them as JSON"
)
def propose(
    csv_specs: tuple[str, ...],
    horizon: str,
    depth_specs: tuple[str, ...],
    lam: float,
    safety: float,
    buffer_k: float,
    stress_k: float,
    json_path: Path | None,
) -> None:
    """Print each asset's proposal (value, method, inputs), and write them to --json when given."""
    console = Console()
    with user_errors():
        settings = Settings(parse_duration(horizon), lam, safety, buffer_k, stress_k)
        proposals = propose_from_csv(csv_specs, settings, depth_specs)
    print_proposals(proposals, console)
    if json_path is not None:
        console.print(f"proposals: {write_json(proposals, json_path)}")


@cli.command(name="backtest", short_help="Crash replays with static vs keeper-stepped risk parameters")
@ape_cli_context()
@click.option(
    "--network", "network_choice", default=None,
    help="A local node to run on (default: a private anvil without steps tracing, started and stopped here)",
)  # fmt: skip
@click.option("--scenarios", default="all", show_default=True, help="comma-separated crash replays, or all")
@click.option("--accounts", type=click.IntRange(1, 5_000), default=100, show_default=True, help="traders")
@click.option("--seed", type=click.IntRange(min=0), default=1, show_default=True)
@click.option("--leverage", type=click.Choice(("use", "max")), default="use", show_default=True)
@click.option("--blocks", type=click.IntRange(5, 2_000), help="blocks per run (default: the scenario's own)")
@click.option(
    "--every", type=click.IntRange(min=1), default=5, show_default=True, help="blocks between keeper steps"
)
@click.option(
    "--lead-in/--no-lead-in", default=True, show_default=True, help="a first step on the day before"
)
@click.option("--step-fraction", type=click.FloatRange(0, 1, min_open=True), default=0.03, show_default=True)
@click.option("--dead-band", "dead_band_bps", type=click.IntRange(min=0), default=5, show_default=True)
@click.option("--horizon", default="1h", show_default=True, help="the proposals' liquidation horizon")
@click.option(
    "--data", type=click.Path(file_okay=False, path_type=Path), default=Path("../shared/data/crashes"),
    show_default=True, help="the shared crash data set (replays the repository does not mirror)",
)  # fmt: skip
@click.option(
    "--out", type=click.Path(file_okay=False, path_type=Path), default=Path("reports/backtest"), show_default=True,
    help="directory of runs.csv, steps.csv, backtest.png and each run's report",
)  # fmt: skip
def backtest(
    cli_ctx,  # noqa: ANN001 - ape's context
    network_choice: str | None,
    scenarios: str,
    accounts: int,
    seed: int,
    leverage: str,
    blocks: int | None,
    every: int,
    lead_in: bool,
    step_fraction: float,
    dead_band_bps: int,
    horizon: str,
    data: Path,
    out: Path,
) -> None:
    """Run each crash replay twice on a local anvil, with the config's parameters (static) and with the risk keeper
    stepping them every --every blocks (dynamic); print the runs side by side, write runs.csv and backtest.png."""
    from ballast.riskdata.backtest import DEFAULT_REPLAYS, BacktestSettings, backtest_specs
    from ballast.scenarios.node import on_local_node

    console = Console()
    with user_errors():
        names = (
            DEFAULT_REPLAYS
            if scenarios == "all"
            else tuple(x.strip() for x in scenarios.split(",") if x.strip())
        )
        settings = BacktestSettings(
            scenarios=names, accounts=accounts, seed=seed, leverage=leverage, blocks=blocks, every=every,
            lead_in=lead_in, step_fraction=step_fraction, dead_band_bps=dead_band_bps,
            horizon=parse_duration(horizon, "--horizon"), data=data,
        )  # fmt: skip
        backtest_specs(
            settings.scenarios, settings.data
        )  # a bad name or a missing file: one line, before anything
    on_local_node(
        cli_ctx, console, network_choice, "backtest", lambda: _run_backtest(cli_ctx, console, settings, out)
    )


def _run_backtest(cli_ctx, console: Console, settings, out: Path) -> None:  # noqa: ANN001
    from ballast.accounts import is_local_network
    from ballast.riskdata.backtest import run_backtest
    from ballast.riskdata.backtest_report import backtest_table, write_csv, write_plot, write_steps_csv
    from ballast.scenarios.report import write_report

    if not is_local_network(cli_ctx.network_manager.network, cli_ctx.chain_manager.provider):
        cli_ctx.abort(
            "backtest: the scenarios deploy mock tokens and impersonate accounts: local networks only"
        )
    started = time.perf_counter()
    runs = run_backtest(
        cli_ctx.local_project, cli_ctx.chain_manager, cli_ctx.account_manager, settings, console,
        on_run=lambda runs: write_csv([r.row for r in runs], out / "runs.csv"),
    )  # fmt: skip
    rows = [r.row for r in runs]
    for run in runs:
        write_report(run.result, out / run.row.mode)
    Console(width=max(console.width, 100)).print(backtest_table(rows))  # nine columns: wider than 80
    console.print(
        f"runs: {write_csv(rows, out / 'runs.csv')}; the keeper's steps: {write_steps_csv(runs, out / 'steps.csv')}; "
        f"plot: {write_plot(rows, out / 'backtest.png')}; each run's report: {out}/static/, {out}/dynamic/"
    )
    console.print(f"backtest: {len(rows)} runs in {time.perf_counter() - started:,.0f} s")

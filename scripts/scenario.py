"""`ape run scenario`: the scenario simulator on a local anvil; see ballast/scenarios.

ape run scenario list
ape run scenario crash --accounts 200 --seed 7 --keeper-gas 5000000 --keeper-delay 2 --blocks 60
ape run scenario bench [--transactions 400]       # driver: naive vs batched
ape run scenario sweep [--accounts 30]            # keeper capacity vs bad debt (Black Thursday)
ape run scenario scale [--accounts 1000]          # 1,000 accounts through a -40 % shock
ape run scenario eth_2021-05-19 --accounts 100 --leverage max
ape run scenario replay --csv prices.csv[:COLUMN] --asset WETH [--csv ... --asset WBTC] [--prices absolute]
ape run scenario size-insurance --scenarios all --accounts 100 --keeper-gas default,1500000 --leverage use,max
"""

import sys
from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

import click
from ape.cli import ape_cli_context, network_option
from rich.console import Console

from ballast.accounts import is_local_network
from ballast.cli import BallastCommand
from ballast.errors import ScenarioError
from ballast.scenarios.catalog import CONGESTED_GAS, SCENARIOS, settings_for
from ballast.scenarios.population import BASKETS, DEFAULT_CONFIG, LEVERAGE_MODES
from ballast.scenarios.record import ScenarioSpec
from ballast.series import PRICE_MODES, RESAMPLES

T = TypeVar("T")
F = TypeVar("F", bound=Callable[..., None])

#: The `--network` of the commands that otherwise start a private anvil of their own.
private_network_option = click.option(
    "--network",
    "network_choice",
    default=None,
    help="A local node to run on (default: a private anvil without steps tracing, started and stopped here)",
)

LOCAL_ONLY = (
    "scenarios deploy mock tokens and impersonate accounts: local networks only (e.g. ethereum:local:foundry)"
)


def _local(cli_ctx) -> None:  # noqa: ANN001 - ape's context
    network = cli_ctx.network_manager.network
    if not is_local_network(network, cli_ctx.chain_manager.provider):
        cli_ctx.abort(f"{LOCAL_ONLY}; this is {network.name}")


def _run_options(command: F) -> F:
    """The options of one scenario run (a catalog scenario or a replay), as a `BallastCommand`."""
    for option in reversed(
        (
            ape_cli_context(),
            network_option(default="ethereum:local:foundry"),
            click.option(
                "--accounts", type=click.IntRange(1, 5_000), default=30, show_default=True, help="traders"
            ),
            click.option("--seed", type=click.IntRange(min=0), default=1, show_default=True),
            click.option(
                "--keeper-gas", type=click.IntRange(min=100_000), help="keeper gas budget per block"
            ),
            click.option(
                "--keeper-delay", type=click.IntRange(min=0), help="blocks before the keeper starts"
            ),
            click.option(
                "--blocks",
                type=click.IntRange(5, 2_000),
                help="blocks to run (default: the scenario's own, 40 for most)",
            ),
            click.option(
                "--block-time", type=click.IntRange(1, 3_600), help="seconds per block (default 30)"
            ),
            click.option(
                "--leverage",
                type=click.Choice(LEVERAGE_MODES),
                default="use",
                show_default=True,
                help="traders' sizing: a share of a stricter capacity (use) or the engine's limit (max)",
            ),
            click.option(
                "--out",
                type=click.Path(file_okay=False, path_type=Path),
                default=Path("reports"),
                show_default=True,
            ),
        )
    ):
        command = option(command)
    return command


def _run(cli_ctx, spec: ScenarioSpec, out: Path, **options: object) -> None:  # noqa: ANN001 - ape's context
    """Run `spec` with the command's options, write its report and exit 0 when every property holds."""
    from ballast.scenarios.report import print_summary, write_report
    from ballast.scenarios.runner import run_scenario

    _local(cli_ctx)
    console = Console()
    settings = settings_for(spec, **options)
    try:
        result, _ = run_scenario(
            cli_ctx.local_project, cli_ctx.chain_manager, cli_ctx.account_manager, spec, settings, console
        )
    except (ScenarioError, FileNotFoundError, ValueError) as err:
        cli_ctx.abort(f"{spec.name}: {err}")
    directory = write_report(result, out)
    print_summary(result, directory, console)
    sys.exit(0 if result.passed else 1)


def _scenario_command(name: str) -> click.Command:
    spec = SCENARIOS[name]

    @click.command(name=name, cls=BallastCommand, short_help=spec.description.split(".")[0])
    @_run_options
    def command(cli_ctx, network: str, out: Path, **options: object) -> None:  # noqa: ANN001 - ape's context
        _run(cli_ctx, spec, out, **options)

    return command


@click.group(short_help="Scenario simulator: cascades and oracle failures on anvil")
def cli() -> None:
    """Run a scenario (see `list`), the driver benchmark, the keeper-capacity sweep or the scale benchmark."""


@cli.command(name="list", short_help="The scenarios and what each checks")
def list_scenarios() -> None:
    console = Console()
    for name, spec in SCENARIOS.items():
        console.print(f"[bold]{name}[/bold]: {spec.description}")
        console.print(f"  population {spec.profile}; path: {spec.path_note or 'parametric'}")
    console.print(
        "[bold]replay[/bold]: your own price files, e.g. `ape run scenario replay --csv prices.csv --asset WETH` "
        "(see `ape run scenario replay --help` and docs/scenarios.md)"
    )


@cli.command(name="replay", cls=BallastCommand, short_help="Replay your own price files (CSV) as a scenario")
@_run_options
@click.option(
    "--csv",
    "csv_specs",
    multiple=True,
    required=True,
    metavar="PATH[:COLUMN]",
    help="a price file (close series or OHLC; COLUMN picks a column, e.g. :close); repeat for several",
)
@click.option(
    "--asset",
    "asset_names",
    multiple=True,
    metavar="SYMBOL",
    help="the deployment asset each --csv drives, in order (none: the files' asset column says)",
)
@click.option(
    "--prices",
    type=click.Choice(PRICE_MODES),
    default="rescaled",
    show_default=True,
    help="rescaled: the series starts at the deployed price; absolute: the file's prices",
)
@click.option(
    "--resample",
    type=click.Choice(RESAMPLES),
    default="worst",
    show_default=True,
    help="each block's price from its interval: the lowest (worst), highest (best), last or mean",
)
@click.option("--start", help="window start (ISO time or unix seconds; default: the file's first row)")
@click.option("--end", help="window end (ISO time or unix seconds; default: the file's last row)")
@click.option(
    "--profile",
    type=click.Choice(sorted(BASKETS)),
    default="mixed",
    show_default=True,
    help="the traders' population",
)
def replay(
    cli_ctx,  # noqa: ANN001 - ape's context
    network: str,
    out: Path,
    csv_specs: tuple[str, ...],
    asset_names: tuple[str, ...],
    prices: str,
    resample: str,
    start: str | None,
    end: str | None,
    profile: str,
    **options: object,
) -> None:
    """Replay price files on the deployment's assets with the catalog's block loop, keepers and report.

    \b
    ape run scenario replay --csv prices.csv --asset WETH
    ape run scenario replay --csv eth.csv --asset WETH --csv btc.csv:close --asset WBTC --prices absolute
    ape run scenario replay --csv both.csv            # an asset column: ETH rows drive WETH, BTC rows WBTC
    """
    from ballast.config import load_config
    from ballast.scenarios.replay import plan_replay, replay_spec

    symbols = list(load_config(DEFAULT_CONFIG).oracle.assets)
    plan = plan_replay(csv_specs, asset_names, symbols, resample, prices, start, end)
    _run(cli_ctx, replay_spec(plan, profile), out, **options)


@cli.command(name="bench", cls=BallastCommand, short_help="Driver: naive ape calls vs batched")
@ape_cli_context()
@network_option(default="ethereum:local:foundry")
@click.option("--transactions", type=click.IntRange(10, 10_000), default=400, show_default=True)
def bench(cli_ctx, network, transactions: int) -> None:  # noqa: ANN001
    from ballast.bench.driver import print_bench, run_bench
    from ballast.scenarios.population import quiet_ape

    _local(cli_ctx)
    with quiet_ape():
        result = run_bench(
            cli_ctx.local_project,
            cli_ctx.chain_manager,
            cli_ctx.account_manager.test_accounts[0],
            transactions,
        )
    print_bench(result, Console())


@cli.command(name="sweep", cls=BallastCommand, short_help="Keeper capacity vs bad debt")
@ape_cli_context()
@network_option(default="ethereum:local:foundry")
@click.option("--accounts", type=click.IntRange(1, 2_000), default=30, show_default=True)
@click.option("--seed", type=click.IntRange(min=0), default=1, show_default=True)
@click.option("--blocks", type=click.IntRange(5, 2_000), default=40, show_default=True)
def sweep(cli_ctx, network, accounts: int, seed: int, blocks: int) -> None:  # noqa: ANN001
    from ballast.scenarios.experiments import print_sweep, run_sweep, sweep_monotone

    _local(cli_ctx)
    console = Console()
    rows = run_sweep(
        cli_ctx.local_project, cli_ctx.chain_manager, cli_ctx.account_manager, accounts, seed, blocks, console
    )
    print_sweep(rows, console)
    sys.exit(0 if sweep_monotone(rows) else 1)


@cli.command(name="scale", short_help="1,000 accounts through a -40 % shock")
@ape_cli_context()
@private_network_option
@click.option("--accounts", type=click.IntRange(1, 5_000), default=1_000, show_default=True)
@click.option("--seed", type=click.IntRange(min=0), default=1, show_default=True)
@click.option("--blocks", type=click.IntRange(5, 2_000), default=40, show_default=True)
@click.option(
    "--out", type=click.Path(file_okay=False, path_type=Path), default=Path("reports"), show_default=True
)
def scale(cli_ctx, network_choice: str | None, accounts: int, seed: int, blocks: int, out: Path) -> None:  # noqa: ANN001
    """ape's own anvil (ape-foundry) traces every opcode step in memory, which a 1,000-account run outgrows (over
    22 GB here), so by default the run gets a private anvil without steps tracing."""
    console = Console()
    _on_local_node(
        cli_ctx,
        console,
        network_choice,
        "scale",
        lambda: _run_scale(cli_ctx, console, accounts, seed, blocks, out),
    )


def _run_scale(cli_ctx, console: Console, accounts: int, seed: int, blocks: int, out: Path) -> None:  # noqa: ANN001
    from ballast.scenarios.experiments import run_scale
    from ballast.scenarios.report import print_summary, write_report

    _local(cli_ctx)
    result, wall = run_scale(
        cli_ctx.local_project, cli_ctx.chain_manager, cli_ctx.account_manager, accounts, seed, blocks, console
    )
    directory = write_report(result, out)
    print_summary(result, directory, console)
    o = result.outcome
    clear = "never" if o.blocks_to_clear is None else f"{o.blocks_to_clear} blocks after the shock"
    console.print(
        f"scale: {accounts} accounts, {o.liquidations} liquidations; no account liquidatable: {clear}; wall {wall:.1f} s"
    )


def _on_local_node(
    cli_ctx,  # noqa: ANN001 - ape's context
    console: Console,
    network_choice: str | None,
    label: str,
    run: Callable[[], None],
) -> None:
    """`run()` on `network_choice`, or on a private anvil without steps tracing, started and stopped here."""
    from ballast.scenarios.node import on_local_node

    on_local_node(cli_ctx, console, network_choice, label, run)


def _list_option(text: str, what: str, parse: Callable[[str], T]) -> list[T]:
    """A comma-separated option's values; ValueError (one line) naming the bad one."""
    values = []
    for item in (x.strip() for x in text.split(",")):
        try:
            values.append(parse(item))
        except ValueError:
            raise ValueError(f"--{what}: {item!r} is not valid") from None
    if not values:
        raise ValueError(f"--{what}: give at least one value")
    return values


def _traders(item: str) -> int:
    n = int(item)
    if not 1 <= n <= 5_000:
        raise ValueError(item)
    return n


def _keeper_gas(item: str) -> int | None:
    if item == "default":
        return None
    if item == "congested":
        return CONGESTED_GAS
    gas = int(item)
    if gas < 100_000:
        raise ValueError(item)
    return gas


def _leverage(item: str) -> str:
    if item not in LEVERAGE_MODES:
        raise ValueError(item)
    return item


def _scenario(item: str) -> str:
    if item not in SCENARIOS:
        raise ValueError(item)
    return item


@cli.command(name="size-insurance", short_help="InsuranceFund target: bad debt per run over the catalog")
@ape_cli_context()
@private_network_option
@click.option("--scenarios", default="all", show_default=True, help="comma-separated scenario names, or all")
@click.option("--accounts", default="30", show_default=True, help="trader counts, comma-separated")
@click.option(
    "--keeper-gas",
    default="default",
    show_default=True,
    help=f"keeper gas budgets, comma-separated: a number, default (the scenario's) or congested ({CONGESTED_GAS:,})",
)
@click.option(
    "--leverage", default="use", show_default=True, help="leverage modes, comma-separated: use, max"
)
@click.option("--seeds", default="1", show_default=True, help="seeds, comma-separated")
@click.option(
    "--blocks", type=click.IntRange(5, 2_000), help="blocks to run (default: the scenario's own, 40 for most)"
)
@click.option(
    "--out",
    type=click.Path(dir_okay=False, path_type=Path),
    default=Path("reports/size-insurance.csv"),
    show_default=True,
    help="one line per run",
)
def size_insurance(
    cli_ctx,  # noqa: ANN001
    network_choice: str | None,
    scenarios: str,
    accounts: str,
    keeper_gas: str,
    leverage: str,
    seeds: str,
    blocks: int | None,
    out: Path,
) -> None:
    """Run the catalog (or a subset) over trader counts, keeper budgets, leverage modes and seeds; print every run
    (liquidations, accounts left liquidatable, bad debt, what the fund covered, LP loss, liquidations at a Stale or
    Frozen price, wall time) and the 99th percentile and maximum of the bad debt per run: the balance the
    InsuranceFund should hold."""

    try:
        plan = {
            "scenarios": list(SCENARIOS)
            if scenarios == "all"
            else _list_option(scenarios, "scenarios", _scenario),
            "trader_counts": _list_option(accounts, "accounts", _traders),
            "keeper_gases": _list_option(keeper_gas, "keeper-gas", _keeper_gas),
            "leverages": _list_option(leverage, "leverage", _leverage),
            "seeds": _list_option(seeds, "seeds", int),
        }
    except ValueError as err:
        cli_ctx.abort(str(err))
    console = Console()
    _on_local_node(
        cli_ctx,
        console,
        network_choice,
        "size-insurance",
        lambda: _run_size_insurance(cli_ctx, console, plan, blocks, out),
    )


def _run_size_insurance(cli_ctx, console: Console, plan: dict, blocks: int | None, out: Path) -> None:  # noqa: ANN001
    from ballast.scenarios.experiments import (
        insurance_target,
        print_catalog,
        print_target,
        run_catalog,
        write_catalog_csv,
    )

    _local(cli_ctx)
    try:
        rows = run_catalog(
            cli_ctx.local_project,
            cli_ctx.chain_manager,
            cli_ctx.account_manager,
            blocks=blocks,
            console=console,
            on_row=lambda rows: write_catalog_csv(rows, out),
            **plan,
        )
    except (ScenarioError, ValueError) as err:
        cli_ctx.abort(f"size-insurance: {err}")
    print_catalog(rows, console)
    print_target(insurance_target(rows), console)
    console.print(f"runs: {write_catalog_csv(rows, out)}")


for _name in SCENARIOS:
    cli.add_command(_scenario_command(_name))

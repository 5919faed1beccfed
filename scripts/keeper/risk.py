"""`ape run keeper risk`: step the deployment's risk parameters toward data-driven proposals through the risk
manager's bounded steps (see ballast/keepers/risk/).

    ape run keeper risk --network ethereum:local:foundry --once --dry-run
    ape run keeper risk --network ... --account risk-manager --window 7d --interval 3600
    ape run keeper risk --network ... --csv WETH=data/crashes/eth_2022-11-09.csv --once

Without --engine the engine comes from the network's deployment manifest, and on a local network without --account
the manifest's risk manager signs. Logs are JSON lines on stderr; a dry run also prints the plan; SIGINT (Ctrl-C)
or SIGTERM stops it within a moment (exit 0, a last `keeper_stopped` line).
"""

import logging
from pathlib import Path

import click
from ape.cli import account_option, ape_cli_context, network_option
from ape.exceptions import ApeException
from rich.console import Console

from ballast.accounts import keeper_signer
from ballast.cli import NodeCommand
from ballast.keepers.common import configure_json_logging, stop_on_signals
from ballast.keepers.risk import LOGGER_NAME, build_risk_keeper, engine_address
from ballast.keepers.risk.report import plan_table
from ballast.manifest import DEPLOYMENTS_ENV
from ballast.riskdata.report import parse_depths, parse_duration, parse_pairs


@click.command(cls=NodeCommand, short_help="Step risk parameters toward data-driven proposals")
@ape_cli_context()
@network_option(default="ethereum:local:foundry")
@account_option(prompt=False)
@click.option("--engine", help="MarginEngine address (default: the network's deployment manifest)")
@click.option("--state", "state_path", type=click.Path(dir_okay=False, path_type=Path), help="State file")
@click.option("--dry-run", is_flag=True, help="Print the plan, send nothing")
@click.option("--once", is_flag=True, help="Step once and exit")
@click.option(
    "--interval",
    type=click.FloatRange(min=1),
    default=3_600.0,
    show_default=True,
    help="Seconds between steps",
)
@click.option(
    "--window", default="7d", show_default=True, help="History: the oracle's events over this trailing window"
)
@click.option(
    "--from-block", type=click.IntRange(min=0), help="History: the oracle's events from this block on"
)
@click.option(
    "--csv", "csv_specs", multiple=True, metavar="SYMBOL=PATH", help="History of an asset from a CSV instead"
)
@click.option("--depth", "depth_specs", multiple=True, metavar="SYMBOL=TOKENS", help="Proposes a supply cap")
@click.option("--horizon", default="1h", show_default=True, help="The liquidation horizon of the proposals")
@click.option("--step-fraction", type=click.FloatRange(0, 1, min_open=True), default=0.03, show_default=True)
@click.option(
    "--dead-band", "dead_band_bps", type=click.IntRange(min=0), default=5, show_default=True, help="bps"
)
@click.option("--deployments", type=click.Path(file_okay=False, path_type=Path), envvar=DEPLOYMENTS_ENV)
def cli(
    cli_ctx,  # noqa: ANN001 - click passes ape's objects
    network,  # noqa: ANN001
    account,  # noqa: ANN001
    engine: str | None,
    state_path: Path | None,
    dry_run: bool,
    once: bool,
    interval: float,
    window: str,
    from_block: int | None,
    csv_specs: tuple[str, ...],
    depth_specs: tuple[str, ...],
    horizon: str,
    step_fraction: float,
    dead_band_bps: int,
    deployments: Path | None,
) -> None:
    configure_json_logging(LOGGER_NAME, logging.INFO)
    settings = {
        "history_window": parse_duration(window, "--window"),
        "horizon": parse_duration(horizon, "--horizon"),
        "csv": {symbol: Path(path) for symbol, path in parse_pairs(csv_specs, "--csv").items()},
        "depth": parse_depths(depth_specs),
    }
    address, risk_manager = engine_address(
        cli_ctx.local_project, cli_ctx.network_manager.network.name, engine, deployments
    )
    account = keeper_signer(cli_ctx, account, default=risk_manager)
    console = Console()
    try:
        with stop_on_signals() as stop:
            keeper = build_risk_keeper(
                cli_ctx.local_project, cli_ctx.chain_manager, address, sender=account, state_path=state_path,
                dry_run=dry_run, interval=interval, history_from_block=from_block, step_fraction=step_fraction,
                dead_band_bps=dead_band_bps, **settings,
            )  # fmt: skip
            code = keeper.run(
                max_steps=1 if once else None,
                on_report=(lambda r: console.print(plan_table(r))) if dry_run else None,
                stop=stop,
            )
    except ApeException as err:
        raise click.ClickException(f"risk keeper stopped: {type(err).__name__}: {err}") from None
    raise SystemExit(code)

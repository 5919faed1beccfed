"""`ape run keeper oracle`: push prices (a price file, read as `ape run scenario replay` reads it, or a random walk)
into the deployment's push feeds and update the oracle on a schedule (see ballast/keepers/oracle/). SIGINT (Ctrl-C) or
SIGTERM stops it within a moment (exit 0, a last `stopped` line)."""

from pathlib import Path
from typing import Any

import click
from ape.cli import account_option, ape_cli_context, network_option
from ape.exceptions import ApeException

from ballast.accounts import keeper_signer
from ballast.cli import NodeCommand
from ballast.keepers.oracle import (
    OracleKeeper,
    OracleKeeperConfig,
    config_from_options,
    stop_on_signals,
)
from ballast.manifest import DEPLOYMENTS_ENV, Deployment
from ballast.series import PRICE_MODES, RESAMPLES


@click.command(cls=NodeCommand, short_help="Push prices into the oracle's feeds and update it")
@ape_cli_context()
@network_option(default="ethereum:local:foundry")
@account_option(prompt=False)
@click.option(
    "--csv",
    "csv_specs",
    multiple=True,
    metavar="SYMBOL=PATH[:COLUMN]",
    help="Replay a price file (close series or OHLC; an asset column's SYMBOL rows)",
)
@click.option(
    "--prices",
    type=click.Choice(PRICE_MODES),
    default="absolute",
    show_default=True,
    help="The file's prices, or rescaled to start at the oracle's median",
)
@click.option(
    "--resample",
    type=click.Choice(RESAMPLES),
    default="worst",
    show_default=True,
    help="Each step's price from its rows (and an OHLC file's column: worst low, best high, else close)",
)
@click.option(
    "--file-step",
    type=click.FloatRange(min=0, min_open=True),
    help="Seconds of the file per step (default: a row)",
)
@click.option("--walk", "walk_specs", multiple=True, metavar="SYMBOL[:BPS]", help="Seeded random walk")
@click.option("--seed", type=int, default=0, show_default=True, help="Seed of the first --walk")
@click.option("--interval", type=float, default=60.0, show_default=True, help="Seconds between steps")
@click.option(
    "--steps", type=int, default=None, help="Stop after this many steps (default: run until stopped)"
)
@click.option(
    "--advance", type=int, default=0, help="Local chains: move the clock this many seconds per step"
)
@click.option(
    "--config",
    "config_path",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Keeper config (YAML) instead of --csv/--walk",
)
@click.option("--deployments", type=click.Path(file_okay=False, path_type=Path), envvar=DEPLOYMENTS_ENV)
def cli(
    cli_ctx,  # noqa: ANN001 - click passes ape's objects
    network,  # noqa: ANN001
    account,  # noqa: ANN001
    config_path: Path | None,
    deployments: Path | None,
    **options: Any,  # --csv, --walk, --seed, --interval, --steps, --advance, --prices, --resample, --file-step
) -> None:
    network_name = cli_ctx.network_manager.network.name
    try:
        with stop_on_signals() as stop:
            deployment = Deployment.load(
                cli_ctx.local_project, network_name, deployments, cli_ctx.chain_manager
            )
            if config_path is not None:
                config = OracleKeeperConfig.from_yaml(config_path)
            else:
                config = config_from_options(**options)
            account = keeper_signer(
                cli_ctx, account, default=str(deployment.manifest.roles.get("keeper", ""))
            )
            runner = OracleKeeper(deployment, account, config, chain=cli_ctx.chain_manager)
            runner.run(stop)
    except ApeException as err:
        raise click.ClickException(f"oracle keeper stopped: {type(err).__name__}: {err}") from None
